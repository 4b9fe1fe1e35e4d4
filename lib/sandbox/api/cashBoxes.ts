import type { SandboxRequest, SandboxResponse } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import { fail, isDay, ok, singleParam } from './http'
import { parsePaging, parseSort, sortEntry, toPage } from './paging'

/**
 * `/v1/cash-boxes` (partner API, scope `cashbox.read`; regular error shape), the reading half:
 *
 * - `GET /v1/cash-boxes` → `{ content: [...] }` (all cash boxes, not paged, as in the docs' sample);
 * - `GET /v1/cash-boxes/{id}` → one cash box (`cashBoxId`, `cashBoxName`, `openingDate`,
 *   `openingAmount`, `currency`, `externalReference`, `identifier`, dates, `version`);
 * - `GET /v1/cash-boxes/{id}/balances` → a page of balances (Z-Bons with their positions),
 *   filtered by `voucherNumber` (exact) and `dateFrom`/`dateTo` (`yyyy-MM-dd`, the voucher date,
 *   inclusive), sorted by `voucherDate` (default, descending, as in the docs' sample) or
 *   `voucherNumber`; page size at most 100 (a third-party catalogue of the docs; the docs' table is
 *   not in the public copies).
 *
 * The writes (create, rename, delete a cash box; create a balance) are not built. The demo data
 * holds two cash boxes, one with three balances.
 *
 * @internal
 * @packageDocumentation
 */

function find(req: SandboxRequest, call: ApiCall): Record<string, unknown> {
  return call.org.cashBoxes.get(req.params['id'] ?? '') ?? fail(call.errors.notFound('cash box'))
}

function dayParam(req: SandboxRequest, call: ApiCall, name: string): string | undefined {
  const raw = singleParam(req, name, call.errors)
  if (raw !== undefined && !isDay(raw)) fail(call.errors.badRequest(`Invalid date '${raw.slice(0, 40)}', expected yyyy-MM-dd`, name))
  return raw
}

function balances(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const box = find(req, call)
  const paging = parsePaging(req, call.errors, 100)
  const sort = parseSort(req, call.errors, ['voucherDate', 'voucherNumber'], sortEntry('voucherDate', 'DESC'))
  const voucherNumber = singleParam(req, 'voucherNumber', call.errors)
  const from = dayParam(req, call, 'dateFrom')
  const to = dayParam(req, call, 'dateTo')
  const direction = sort.direction === 'ASC' ? 1 : -1
  const items = (call.org.cashBoxBalances.get(String(box['cashBoxId'])) ?? [])
    .filter((b) => {
      const day = String(b['voucherDate']).slice(0, 10)
      if (voucherNumber !== undefined && b['voucherNumber'] !== voucherNumber) return false
      return (from === undefined || day >= from) && (to === undefined || day <= to)
    })
    .sort((a, b) => {
      const x = String(a[sort.property])
      const y = String(b[sort.property])
      return (x < y ? -1 : x > y ? 1 : 0) * direction
    })
  return ok(toPage(structuredClone(items), paging, [sort]))
}

/** The cash-box routes. @internal */
export const cashBoxRoutes: ApiRouteDef[] = [
  {
    method: 'GET',
    pattern: '/v1/cash-boxes',
    style: 'regular',
    handler: (_req, call) => ok({ content: structuredClone([...call.org.cashBoxes.values()]) }),
  },
  { method: 'GET', pattern: '/v1/cash-boxes/:id', style: 'regular', handler: (req, call) => ok(structuredClone(find(req, call))) },
  { method: 'GET', pattern: '/v1/cash-boxes/:id/balances', style: 'regular', handler: balances },
]

import type { SandboxRequest } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import { booleanParam, decodeSearchString, fail, isDay, isNumber, isUuid, ok, singleParam, type JsonObject } from './http'
import { parsePaging, parseSort, sortEntry, toPage } from './paging'
import { openAmountOf } from './payments'
import { contactName } from './salesModel'
import type { SalesDocument } from './store'

/**
 * `GET /v1/voucherlist`: the listing of sales and bookkeeping vouchers. `voucherType` and
 * `voucherStatus` are required (comma-separated lists, or `any`); `overdue` must stand alone;
 * `voucherType=dunning` is refused (400), as at lexoffice.
 * Optional filters: `archived`, `contactId`, `voucherNumber`, `voucherDateFrom`/`To`,
 * `createdDateFrom`/`To`, `updatedDateFrom`/`To` (`yyyy-MM-dd`). Paged (max 250), sortable by
 * `voucherDate` (default, descending), `voucherNumber`, `createdDate`, `updatedDate`. Regular
 * error shape.
 *
 * @internal
 * @packageDocumentation
 */

/**
 * Every `voucherType` value the voucherlist accepts (the docs' property table; `dunning` is not
 * among them, and a live measurement found it refused with 400). @internal
 */
export const VOUCHER_TYPES = [
  'salesinvoice',
  'salescreditnote',
  'purchaseinvoice',
  'purchasecreditnote',
  'invoice',
  'downpaymentinvoice',
  'creditnote',
  'orderconfirmation',
  'quotation',
  'deliverynote',
]

/** Every `voucherStatus` value lexoffice knows. @internal */
export const VOUCHER_STATUSES = [
  'draft',
  'open',
  'overdue',
  'paid',
  'paidoff',
  'voided',
  'transferred',
  'sepadebit',
  'accepted',
  'rejected',
  'unchecked',
]

interface ListEntry extends JsonObject {
  id: string
  voucherType: string
  voucherStatus: string
  voucherDate: string
  createdDate: string
  updatedDate: string
}

function listParam(req: SandboxRequest, call: ApiCall, name: string, allowed: readonly string[]): string[] | 'any' {
  const raw = singleParam(req, name, call.errors)
  if (raw === undefined || raw.trim() === '')
    return fail(call.errors.badRequest(`Required request parameter '${name}' is not present`, name))
  const values = raw.split(',').map((s) => s.trim())
  if (values.length === 1 && values[0] === 'any') return 'any'
  const unknown = values.filter((v) => !allowed.includes(v))
  if (unknown.length > 0) return fail(call.errors.badRequest(`Invalid ${name} '${unknown.join(',')}'`, name))
  return values
}

function dayParam(req: SandboxRequest, call: ApiCall, name: string): string | undefined {
  const raw = singleParam(req, name, call.errors)
  if (raw !== undefined && !isDay(raw)) fail(call.errors.badRequest(`Invalid date '${raw}', expected yyyy-MM-dd`, name))
  return raw
}

/** The local (CET/CEST as written) day of a timestamp. */
function dayOf(timestamp: string): string {
  return timestamp.slice(0, 10)
}

function entries(call: ApiCall, today: string): ListEntry[] {
  const out: ListEntry[] = []
  const nameOf = (contactId: unknown): string | undefined => {
    const contact = typeof contactId === 'string' ? call.org.contacts.get(contactId) : undefined
    return contact === undefined ? undefined : contactName(contact)
  }
  // Sales vouchers and down-payment invoices (lexoffice lists both; dunnings it keeps out).
  const sales: Array<[SalesDocument, string]> = [
    ...[...call.org.salesVouchers.values()].map((v): [SalesDocument, string] => [v, v.voucherType]),
    ...[...call.org.downPaymentInvoices.values()].map((v): [SalesDocument, string] => [v, 'downpaymentinvoice']),
  ]
  for (const [v, voucherType] of sales) {
    const address = (v['address'] ?? {}) as JsonObject
    const total = ((v['totalPrice'] ?? {}) as JsonObject)['totalGrossAmount']
    const dueDate = typeof v['dueDate'] === 'string' ? v['dueDate'] : undefined
    out.push({
      id: v.id,
      voucherType,
      voucherStatus: v.voucherStatus === 'open' && dueDate !== undefined && dayOf(dueDate) < today ? 'overdue' : v.voucherStatus,
      ...(v.voucherNumber !== undefined ? { voucherNumber: v.voucherNumber } : {}),
      voucherDate: v.voucherDate,
      createdDate: v.createdDate,
      updatedDate: v.updatedDate,
      ...(dueDate !== undefined ? { dueDate } : {}),
      ...(typeof address['contactId'] === 'string' ? { contactId: address['contactId'] } : {}),
      contactName: typeof address['name'] === 'string' ? address['name'] : '',
      totalAmount: total,
      openAmount: openAmountOf(call.org, v.id, v.voucherStatus, isNumber(total) ? total : 0),
      currency: 'EUR',
      archived: v['archived'] === true,
    })
  }
  for (const v of call.org.vouchers.values()) {
    const dueDate = typeof v['dueDate'] === 'string' ? v['dueDate'] : undefined
    out.push({
      id: v.id,
      voucherType: v.type,
      voucherStatus: v.voucherStatus === 'open' && dueDate !== undefined && dayOf(dueDate) < today ? 'overdue' : v.voucherStatus,
      voucherNumber: v['voucherNumber'],
      voucherDate: v.voucherDate,
      createdDate: v.createdDate,
      updatedDate: v.updatedDate,
      ...(dueDate !== undefined ? { dueDate } : {}),
      ...(v['useCollectiveContact'] === true
        ? { contactName: 'Sammellieferant' }
        : { contactId: v['contactId'], contactName: nameOf(v['contactId']) ?? '' }),
      totalAmount: v['totalGrossAmount'],
      openAmount: openAmountOf(call.org, v.id, v.voucherStatus, isNumber(v['totalGrossAmount']) ? v['totalGrossAmount'] : 0),
      currency: 'EUR',
      archived: false,
    })
  }
  return out
}

function list(req: SandboxRequest, call: ApiCall) {
  const types = listParam(req, call, 'voucherType', VOUCHER_TYPES)
  const statuses = listParam(req, call, 'voucherStatus', VOUCHER_STATUSES)
  if (statuses !== 'any' && statuses.includes('overdue') && statuses.length > 1) {
    fail(call.errors.badRequest('voucherStatus overdue cannot be combined with other status values', 'voucherStatus'))
  }
  const paging = parsePaging(req, call.errors, 250)
  const sort = parseSort(req, call.errors, ['voucherDate', 'voucherNumber', 'createdDate', 'updatedDate'], sortEntry('voucherDate', 'DESC'))
  const archived = booleanParam(req, 'archived', call.errors)
  const contactId = singleParam(req, 'contactId', call.errors)
  // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- isUuid() narrows the refused string to never
  if (contactId !== undefined && !isUuid(contactId)) fail(call.errors.badRequest(`Invalid contactId '${contactId}'`, 'contactId'))
  const rawNumber = singleParam(req, 'voucherNumber', call.errors)
  const voucherNumber = rawNumber === undefined ? undefined : decodeSearchString(rawNumber)
  const ranges = (['voucherDate', 'createdDate', 'updatedDate'] as const).map((field) => ({
    field,
    from: dayParam(req, call, `${field}From`),
    to: dayParam(req, call, `${field}To`),
  }))

  const today = call.store.now().toISOString().slice(0, 10)
  const items = entries(call, today).filter((e) => {
    if (types !== 'any' && !types.includes(e.voucherType)) return false
    if (statuses !== 'any') {
      // An overdue voucher is also open; `open` finds both (as at lexoffice).
      const matches = statuses.includes(e.voucherStatus) || (e.voucherStatus === 'overdue' && statuses.includes('open'))
      if (!matches) return false
    }
    if (archived !== undefined && e['archived'] !== archived) return false
    if (contactId !== undefined && e['contactId'] !== contactId) return false
    if (voucherNumber !== undefined && e['voucherNumber'] !== voucherNumber) return false
    for (const r of ranges) {
      const value = dayOf(e[r.field])
      if (r.from !== undefined && value < r.from) return false
      if (r.to !== undefined && value > r.to) return false
    }
    return true
  })
  const key = sort.property
  const direction = sort.direction === 'ASC' ? 1 : -1
  items.sort((a, b) => {
    const x = sortText(a[key])
    const y = sortText(b[key])
    return (x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1) * direction
  })
  return ok(toPage(items, paging, [sort]))
}

/** The voucherlist route. @internal */
export const voucherlistRoutes: ApiRouteDef[] = [{ method: 'GET', pattern: '/v1/voucherlist', style: 'regular', handler: list }]

/** Sort keys compare as text, as the sandbox always did; absent values sort first. */
function sortText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''
}

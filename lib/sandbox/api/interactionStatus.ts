import type { SandboxRequest, SandboxResponse } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import type { Violation } from './errors'
import { baseUrl, fail, isNumber, ok, readJsonObject } from './http'
import type { InvoiceInteractionStatus } from './store'

/**
 * `/v1/invoices/{id}/interaction-status` (partner API; scope `invoices.read` for GET and PUT, as
 * the docs say; regular error shape): the progress of an invoice in an external system (a payment
 * service, a factoring service).
 *
 * - GET: `{ resourceId, organizationId, createdDate, updatedDate, status, version }`. lexoffice
 *   sets `TRANSMITTED` when the user hands the invoice to the external system; the sandbox keeps
 *   the statuses in `organization(id).interactionStatuses` (the demo data gives the first two open
 *   invoices one). An invoice without one → 404 (the sandbox's choice; the docs are silent).
 * - PUT `{ status: 'accepted' | 'rejected', version }` (either case; never back to `transmitted`)
 *   → 200 action result whose `resourceUri` is the interaction status; a stale `version` → 409.
 *
 * @internal
 * @packageDocumentation
 */

const WRITABLE = ['ACCEPTED', 'REJECTED'] as const

function find(req: SandboxRequest, call: ApiCall): InvoiceInteractionStatus {
  const id = req.params['id'] ?? ''
  const invoice = call.org.salesVouchers.get(id)
  if (invoice === undefined || invoice.voucherType !== 'invoice') return fail(call.errors.notFound('invoice'))
  return call.org.interactionStatuses.get(id) ?? fail(call.errors.notFound('interaction status'))
}

function update(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const current = find(req, call)
  const body = readJsonObject(req, call.errors)
  const v: Violation[] = []
  const status = typeof body['status'] === 'string' ? body['status'].toUpperCase() : undefined
  if (status === undefined) v.push({ field: 'status', violation: 'NOTNULL', message: 'darf nicht leer sein' })
  else if (!(WRITABLE as readonly string[]).includes(status))
    v.push({ field: 'status', violation: 'NOTALLOWED', message: 'accepted or rejected' })
  if (!isNumber(body['version'])) v.push({ field: 'version', violation: 'NOTNULL', message: 'the current version is required' })
  if (v.length > 0) return fail(call.errors.validation(v))
  if (body['version'] !== current.version) {
    return fail(call.errors.conflict(`stale version ${String(body['version'])}, current is ${current.version}`, 'version'))
  }
  const updated: InvoiceInteractionStatus = {
    ...current,
    status: status as (typeof WRITABLE)[number],
    version: current.version + 1,
    updatedDate: call.store.timestamp(),
  }
  call.org.interactionStatuses.set(updated.resourceId, updated)
  const resourceUri = `${baseUrl(req)}/v1/invoices/${updated.resourceId}/interaction-status`
  return {
    status: 200,
    headers: { 'content-type': 'application/json', location: resourceUri },
    body: {
      id: updated.resourceId,
      resourceUri,
      createdDate: updated.createdDate,
      updatedDate: updated.updatedDate,
      version: updated.version,
    },
  }
}

/** The interaction-status routes. @internal */
export const interactionStatusRoutes: ApiRouteDef[] = [
  { method: 'GET', pattern: '/v1/invoices/:id/interaction-status', style: 'regular', handler: (req, call) => ok({ ...find(req, call) }) },
  { method: 'PUT', pattern: '/v1/invoices/:id/interaction-status', style: 'regular', handler: update },
]

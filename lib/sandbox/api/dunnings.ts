import type { SandboxRequest, SandboxResponse } from '../types'
import { computeTotals } from './calc'
import type { ApiCall, ApiRouteDef } from './context'
import { createdEntityFields } from './entityFields'
import { fail, isUuid, ok, readJsonObject, singleParam, type JsonObject } from './http'
import { PRINT_LAYOUTS } from './referenceData'
import { salesKind } from './salesModel'
import { validateSalesVoucherBody } from './salesVouchers'
import { saveEntity } from './saveEntity'
import type { SalesDocument } from './store'
import { requirePdfAccept, voucherPdfResponse } from './voucherPdf'

/**
 * `/v1/dunnings`: create a dunning (Mahnung) for an invoice or a down-payment invoice, read it,
 * download its PDF. Regular error shape; scopes `dunnings.read` / `dunnings.write`.
 *
 * - `precedingSalesVoucherId` is required (docs/lexoffice.md §7). Missing or not a UUID → 400, the
 *   way Spring answers a missing or unconvertible required parameter (lexoffice's exact answer is
 *   not documented; UNVERIFIED).
 * - An invalid pursue → 406 (documented): unknown id, not an invoice or down-payment invoice, a
 *   draft or voided one (the status rule is the sandbox's, UNVERIFIED), another contact than the
 *   invoice's (both absent is fine), another tax type than the invoice's.
 * - The body needs what an invoice needs: `voucherDate`, `address`, `lineItems`, `totalPrice`,
 *   `taxConditions`, `shippingConditions`. `address.name` is taken from the invoice.
 * - Dunnings are always `draft` and get no voucher number; a `finalize` parameter is ignored.
 *   `GET /{id}/file` renders the draft (a dunning has no other state).
 * - Dunnings are not listed in the sandbox's voucherlist (lexoffice keeps them out of its main list).
 *
 * @internal
 * @packageDocumentation
 */

const INVOICE = salesKind('invoice')
const DUNNABLE_STATUSES = ['open', 'paid']

/** The invoice or down-payment invoice a dunning refers to, with its voucher type. */
function dunnable(call: ApiCall, id: string): { voucher: SalesDocument; voucherType: string } | undefined {
  const invoice = call.org.salesVouchers.get(id)
  if (invoice !== undefined) return { voucher: invoice, voucherType: invoice.voucherType }
  const downPayment = call.org.downPaymentInvoices.get(id)
  return downPayment === undefined ? undefined : { voucher: downPayment, voucherType: 'downpaymentinvoice' }
}

function create(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const preceding = singleParam(req, 'precedingSalesVoucherId', call.errors)
  if (preceding === undefined || preceding === '') {
    return fail(
      call.errors.badRequest(
        "Required request parameter 'precedingSalesVoucherId' for method parameter type UUID is not present",
        'precedingSalesVoucherId',
      ),
    )
  }
  const shown = preceding.slice(0, 60)
  if (!isUuid(preceding))
    return fail(call.errors.badRequest(`Invalid precedingSalesVoucherId '${shown}', expected a UUID`, 'precedingSalesVoucherId'))
  const body = readJsonObject(req, call.errors)
  const { violations, input } = validateSalesVoucherBody(INVOICE, body, call)

  const target = dunnable(call, preceding)
  const field = 'precedingSalesVoucherId'
  if (target === undefined) violations.push({ field, violation: 'NOTFOUND', message: 'unknown sales voucher' })
  else if (target.voucherType !== 'invoice' && target.voucherType !== 'downpaymentinvoice') {
    violations.push({
      field,
      violation: 'NOTALLOWED',
      message: `a ${target.voucherType} cannot be dunned; only invoices and down payment invoices`,
    })
  } else if (!DUNNABLE_STATUSES.includes(target.voucher.voucherStatus)) {
    violations.push({ field, violation: 'NOTALLOWED', message: `a ${target.voucher.voucherStatus} invoice cannot be dunned` })
  } else {
    const invoiceAddress = (target.voucher['address'] ?? {}) as JsonObject
    if ((invoiceAddress['contactId'] ?? undefined) !== (input.address['contactId'] ?? undefined)) {
      violations.push({ field: 'address.contactId', violation: 'NOTALLOWED', message: 'must be the contact of the dunned invoice' })
    }
    const invoiceTaxType = ((target.voucher['taxConditions'] ?? {}) as JsonObject)['taxType']
    if (!violations.some((v) => v.field.startsWith('taxConditions')) && invoiceTaxType !== input.taxType) {
      violations.push({
        field: 'taxConditions.taxType',
        violation: 'NOTALLOWED',
        message: 'must match the tax conditions of the dunned invoice',
      })
    }
  }
  if (violations.length > 0 || target === undefined) return fail(call.errors.validation(violations))

  const totals = computeTotals(input.lineItems, input.taxType)
  const invoiceAddress = (target.voucher['address'] ?? {}) as JsonObject
  const dunning: SalesDocument = {
    ...createdEntityFields(call, 1),
    language: input.language ?? 'de',
    archived: false,
    voucherStatus: 'draft',
    voucherDate: input.voucherDate,
    address: { ...input.address, ...(typeof invoiceAddress['name'] === 'string' ? { name: invoiceAddress['name'] } : {}) },
    electronicDocumentProfile: 'NONE',
    lineItems: input.lineItems,
    totalPrice: totals.totalPrice,
    taxAmounts: totals.taxAmounts,
    taxConditions: { taxType: input.taxType },
    shippingConditions: input.extra?.['shippingConditions'],
    relatedVouchers: [{ id: target.voucher.id, voucherNumber: target.voucher.voucherNumber ?? '', voucherType: target.voucherType }],
    printLayoutId: PRINT_LAYOUTS[0]?.id,
    title: input.title ?? 'Mahnung',
    ...(input.introduction !== undefined ? { introduction: input.introduction } : {}),
    ...(input.remark !== undefined ? { remark: input.remark } : {}),
  }
  return saveEntity(req, call, call.org.dunnings, dunning, 'dunnings', 'dunning.created')
}

function find(req: SandboxRequest, call: ApiCall): SalesDocument {
  return call.org.dunnings.get(req.params['id'] ?? '') ?? fail(call.errors.notFound('dunning'))
}

function file(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const dunning = find(req, call)
  requirePdfAccept(req, call, false)
  const related = ((dunning['relatedVouchers'] ?? []) as Array<{ voucherNumber?: string }>)[0]
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  return voucherPdfResponse(dunning, related?.voucherNumber ? `Mahnung zu ${related.voucherNumber}` : 'Mahnung')
}

/** The dunning routes. @internal */
export const dunningRoutes: ApiRouteDef[] = [
  { method: 'POST', pattern: '/v1/dunnings', style: 'regular', handler: create },
  { method: 'GET', pattern: '/v1/dunnings/:id', style: 'regular', handler: (req, call) => ok(structuredClone(find(req, call))) },
  { method: 'GET', pattern: '/v1/dunnings/:id/file', style: 'regular', handler: file },
]

import type { SandboxRequest } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import { fail, ok } from './http'
import type { SalesDocument } from './store'
import { draftHasNoDocument, requirePdfAccept, voucherPdfResponse } from './voucherPdf'

/**
 * `/v1/down-payment-invoices` (read-only, as at lexoffice: they are created in the app): GET
 * `/{id}` and GET `/{id}/file` (PDF; a draft answers 409 like the other sales vouchers). Scope
 * `invoices.read`, which lexoffice's partner docs say this endpoint shares with invoices. Regular
 * error shape. The demo data holds a few (`DEMO_BILLING_COUNTS`); they are not listed in the
 * sandbox's voucherlist.
 *
 * @internal
 * @packageDocumentation
 */

function find(req: SandboxRequest, call: ApiCall): SalesDocument {
  return call.org.downPaymentInvoices.get(req.params['id'] ?? '') ?? fail(call.errors.notFound('down payment invoice'))
}

/** The down-payment-invoice routes. @internal */
export const downPaymentInvoiceRoutes: ApiRouteDef[] = [
  {
    method: 'GET',
    pattern: '/v1/down-payment-invoices/:id',
    style: 'regular',
    handler: (req, call) => ok(structuredClone(find(req, call))),
  },
  {
    method: 'GET',
    pattern: '/v1/down-payment-invoices/:id/file',
    style: 'regular',
    handler: (req, call) => {
      const invoice = find(req, call)
      requirePdfAccept(req, call, true)
      if (invoice.voucherStatus === 'draft') return fail(draftHasNoDocument(call, `Abschlagsrechnung ${invoice.id}`))
      return voucherPdfResponse(invoice, `Abschlagsrechnung ${invoice.voucherNumber ?? ''}`.trim())
    },
  },
]

import type { SandboxRequest, SandboxResponse } from '../types'
import { round } from './calc'
import type { ApiCall, ApiRouteDef } from './context'
import { fail, isNumber, ok, type JsonObject } from './http'
import type { OrganizationData } from './store'

/**
 * `GET /v1/payments/{voucherId}`: the payment status of an invoice, down-payment invoice, credit
 * note or bookkeeping voucher, derived from `org.paymentItems` (the demo data books payments for
 * the paid vouchers and a part payment for one open invoice). Regular error shape.
 *
 * - `openAmount` = gross total minus the booked items for open vouchers; 0 for `paid`, `paidoff`
 *   and `voided` (voided vouchers are `balanced`, as lexoffice documents).
 * - `paymentStatus`: `balanced` when nothing is open, else `openExpense` for purchase vouchers
 *   and `openRevenue` for every sales voucher (credit notes included, as documented).
 * - Drafts (and `unchecked` bookkeeping vouchers, UNVERIFIED) → 406, as lexoffice documents for drafts.
 * - Ids of quotations, order confirmations, delivery notes, dunnings or nothing → 404 (lexoffice's
 *   answer for voucher types without payments is not documented; UNVERIFIED).
 *
 * @internal
 * @packageDocumentation
 */

/** Statuses whose open amount is 0 (as the voucherlist shows them). */
const CLOSED = ['paid', 'paidoff', 'voided']
/** Statuses without payment information. */
const NO_PAYMENTS = ['draft', 'unchecked']
const EXPENSE_TYPES = ['purchaseinvoice', 'purchasecreditnote']

/** A voucher as the payments endpoint sees it. */
interface Payable {
  voucherType: string
  voucherStatus: string
  gross: number
}

function grossOf(totalPrice: unknown): number {
  const gross = (totalPrice as JsonObject | undefined)?.['totalGrossAmount']
  return isNumber(gross) ? gross : 0
}

/** The payable voucher with this id, if any: invoices, credit notes, down-payment invoices, bookkeeping vouchers. */
function payableOf(org: OrganizationData, id: string): Payable | undefined {
  const sales = org.salesVouchers.get(id)
  if (sales !== undefined) {
    if (sales.voucherType !== 'invoice' && sales.voucherType !== 'creditnote') return undefined
    return { voucherType: sales.voucherType, voucherStatus: sales.voucherStatus, gross: grossOf(sales['totalPrice']) }
  }
  const downPayment = org.downPaymentInvoices.get(id)
  if (downPayment !== undefined)
    return { voucherType: 'downpaymentinvoice', voucherStatus: downPayment.voucherStatus, gross: grossOf(downPayment['totalPrice']) }
  const voucher = org.vouchers.get(id)
  if (voucher !== undefined) {
    const gross = voucher['totalGrossAmount']
    return { voucherType: voucher.type, voucherStatus: voucher.voucherStatus, gross: isNumber(gross) ? gross : 0 }
  }
  return undefined
}

/**
 * The open amount of a voucher: 0 when paid, paid off or voided, else its gross total minus the
 * payments booked against it (never below 0). Shared with the voucherlist.
 *
 * @internal
 */
export function openAmountOf(org: OrganizationData, voucherId: string, voucherStatus: string, gross: number): number {
  if (CLOSED.includes(voucherStatus)) return 0
  const paid = (org.paymentItems.get(voucherId) ?? []).reduce((sum, item) => sum + item.amount, 0)
  return Math.max(0, round(gross - paid))
}

function get(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const id = req.params['id'] ?? ''
  const payable = payableOf(call.org, id)
  if (payable === undefined) return fail(call.errors.notFound('voucher'))
  if (NO_PAYMENTS.includes(payable.voucherStatus)) {
    return fail(
      call.errors.validation([
        {
          field: 'voucherStatus',
          violation: 'NOTALLOWED',
          message: `no payment information for vouchers in status ${payable.voucherStatus}`,
        },
      ]),
    )
  }
  const items = (call.org.paymentItems.get(id) ?? []).map((item) => ({ ...item }))
  const openAmount = openAmountOf(call.org, id, payable.voucherStatus, payable.gross)
  const paymentStatus = openAmount === 0 ? 'balanced' : EXPENSE_TYPES.includes(payable.voucherType) ? 'openExpense' : 'openRevenue'
  const last = items[items.length - 1]
  const paidDate =
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
    (payable.voucherStatus === 'paid' || payable.voucherStatus === 'paidoff') && last !== undefined ? last.postingDate : undefined
  return ok({
    openAmount,
    currency: 'EUR',
    paymentStatus,
    voucherType: payable.voucherType,
    voucherStatus: payable.voucherStatus,
    ...(paidDate !== undefined ? { paidDate } : {}),
    paymentItems: items,
  })
}

/** The payments route. @internal */
export const paymentRoutes: ApiRouteDef[] = [{ method: 'GET', pattern: '/v1/payments/:id', style: 'regular', handler: get }]

import type { PaymentConditionRef, SalesVoucher } from './salesVouchers'

/**
 * The electronic document profile of a sales voucher: `NONE` (also drafts and non-invoices),
 * `EN16931` (ZUGFeRD) or `XRechnung`.
 *
 * @example
 * ```ts
 * const isEInvoice = (p: ElectronicDocumentProfile | undefined) => p !== undefined && p !== 'NONE'
 * ```
 */
export type ElectronicDocumentProfile = 'NONE' | 'EN16931' | 'XRechnung'

/**
 * A down-payment invoice (Abschlagsrechnung), `GET /v1/down-payment-invoices/{id}`. Read-only:
 * lexoffice offers no create or update. Most fields are those of an invoice; `lineItems` holds
 * exactly one item. Fields lexoffice adds later pass through as `unknown`.
 *
 * @example
 * ```ts
 * const dpi: DownPaymentInvoice = await client.downPaymentInvoices.get(id)
 * console.log(dpi.voucherNumber, dpi.totalPrice.totalGrossAmount, dpi.closingInvoiceId ?? 'not yet closed')
 * ```
 */
export interface DownPaymentInvoice extends SalesVoucher {
  /** `draft`, `open`, `paid` or `voided`. */
  voucherStatus?: string
  dueDate?: string
  paymentConditions?: PaymentConditionRef
  /** The closing invoice that settles this down payment, once there is one (`null` otherwise). */
  closingInvoiceId?: string | null
  electronicDocumentProfile?: ElectronicDocumentProfile
  [field: string]: unknown
}

/**
 * How a voucher's payments stand (`GET /v1/payments/{voucherId}`): `balanced` (nothing open; also
 * voided vouchers), `openRevenue` (open sales amount, including unbalanced sales credit notes)
 * or `openExpense` (open purchase amount, including unbalanced purchase credit notes).
 *
 * @example
 * ```ts
 * const status: PaymentStatus = 'openRevenue'
 * ```
 */
export type PaymentStatus = 'balanced' | 'openRevenue' | 'openExpense'

/**
 * Voucher types the payments endpoint reports (sales and bookkeeping vouchers that can be paid).
 *
 * @example
 * ```ts
 * const type: PaymentVoucherType = 'downpaymentinvoice'
 * ```
 */
export type PaymentVoucherType =
  'salesinvoice' | 'salescreditnote' | 'purchaseinvoice' | 'purchasecreditnote' | 'invoice' | 'downpaymentinvoice' | 'creditnote'

/**
 * Voucher states the payments endpoint reports. Drafts have no payment information: lexoffice
 * answers 406 (`API_VALIDATION`) for them.
 *
 * @example
 * ```ts
 * const status: PaymentVoucherStatus = 'paidoff'
 * ```
 */
export type PaymentVoucherStatus = 'open' | 'paid' | 'paidoff' | 'voided' | 'transferred' | 'sepadebit'

/**
 * Kinds of payment item: `partPaymentFinancialTransaction` (linked to a bank account),
 * `partPaymentCreditNote`, `partPaymentCashBox`, `manualPayment` (private deposit),
 * `cashDiscount` (Skonto), `dunningCosts`, `currencyConversion`, `irrecoverableReceivable`.
 *
 * @example
 * ```ts
 * const type: PaymentItemType = 'cashDiscount'
 * ```
 */
export type PaymentItemType =
  | 'partPaymentFinancialTransaction'
  | 'partPaymentCreditNote'
  | 'partPaymentCashBox'
  | 'manualPayment'
  | 'cashDiscount'
  | 'dunningCosts'
  | 'currencyConversion'
  | 'irrecoverableReceivable'

/**
 * One payment booked against a voucher. Fields lexoffice adds later pass through as `unknown`.
 *
 * @example
 * ```ts
 * const total = (payment.paymentItems ?? []).reduce((sum, item) => sum + item.amount, 0)
 * ```
 */
export interface PaymentItem {
  paymentItemType: PaymentItemType
  /** `yyyy-MM-ddTHH:mm:ss.SSSXXX` */
  postingDate: string
  /** Positive for revenues and expenses alike. */
  amount: number
  currency: 'EUR'
  [field: string]: unknown
}

/**
 * The payment information of a (sales or bookkeeping) voucher, `GET /v1/payments/{voucherId}`
 * (scope `payments.read`; regular error format). Totals and other voucher data live in the
 * voucher's own endpoint. Fields lexoffice adds later pass through as `unknown`.
 *
 * @example
 * ```ts
 * const payment: Payment = await client.payments.get(invoiceId)
 * if (payment.paymentStatus === 'balanced') console.log('paid on', payment.paidDate)
 * ```
 */
export interface Payment {
  /**
   * The open amount, positive for revenues and expenses. lexoffice's property table says
   * "number", but one of its own samples shows a string (`"1337.00"`): the client turns a
   * numeric string into a number.
   */
  openAmount: number
  currency: 'EUR'
  paymentStatus: PaymentStatus
  voucherType: PaymentVoucherType
  voucherStatus: PaymentVoucherStatus
  /** The date of the last payment; only for `paid` and `paidoff` vouchers. */
  paidDate?: string
  /** The payments booked so far (absent in older answers). */
  paymentItems?: PaymentItem[]
  [field: string]: unknown
}

/**
 * Address block of a sales voucher: either `contactId` or a one-time address.
 *
 * @example
 * ```ts
 * const address: VoucherAddress = { contactId: '66196c43-baf3-4335-bfee-d610367059db' }
 * ```
 */
export interface VoucherAddress {
  contactId?: string
  name?: string
  supplement?: string
  street?: string
  city?: string
  zip?: string
  countryCode?: string
  contactPerson?: string
}

/**
 * A line item of a sales voucher.
 *
 * @example
 * ```ts
 * const item: LineItem = { type: 'text', name: 'Thank you for your order' }
 * ```
 */
export interface LineItem {
  id?: string
  type: 'service' | 'material' | 'custom' | 'text'
  name: string
  description?: string
  quantity?: number
  unitName?: string
  unitPrice?: {
    currency: 'EUR'
    netAmount?: number
    grossAmount?: number
    taxRatePercentage: number
  }
  discountPercentage?: number
  lineItemAmount?: number
  optional?: boolean
}

/**
 * Totals of a sales voucher.
 *
 * @example
 * ```ts
 * const total: TotalPrice = { currency: 'EUR' } // lexoffice computes the amounts
 * ```
 */
export interface TotalPrice {
  currency: 'EUR'
  totalNetAmount?: number
  totalGrossAmount?: number
  totalTaxAmount?: number
  totalDiscountAbsolute?: number
  totalDiscountPercentage?: number
}

/**
 * Fields shared by invoices, quotations, credit notes, order confirmations and delivery notes
 * (docs/lexoffice.md §7). Resource-specific fields are in the subtypes.
 *
 * @example
 * ```ts
 * const draft: SalesVoucher = {
 *   voucherDate: '2026-11-23T10:00:00.000+01:00',
 *   address: { name: 'Doe GmbH', countryCode: 'DE' },
 *   lineItems: [{ type: 'custom', name: 'Work', quantity: 1, unitName: 'h',
 *     unitPrice: { currency: 'EUR', netAmount: 100, taxRatePercentage: 19 } }],
 *   totalPrice: { currency: 'EUR' },
 *   taxConditions: { taxType: 'net' },
 * }
 * ```
 */
export interface SalesVoucher {
  id?: string
  organizationId?: string
  createdDate?: string
  updatedDate?: string
  version?: number
  language?: string
  archived?: boolean
  voucherStatus?: string
  voucherNumber?: string
  /** `yyyy-MM-ddTHH:mm:ss.SSSXXX` */
  voucherDate: string
  address: VoucherAddress
  lineItems: LineItem[]
  totalPrice: TotalPrice
  taxAmounts?: Array<{ taxRatePercentage: number; taxAmount: number; netAmount: number }>
  taxConditions: { taxType: string; taxTypeNote?: string }
  shippingConditions?: { shippingDate?: string; shippingEndDate?: string; shippingType: string }
  relatedVouchers?: Array<{ id: string; voucherNumber: string; voucherType: string }>
  printLayoutId?: string
  title?: string
  introduction?: string
  remark?: string
  files?: { documentFileId: string }
}

/**
 * An invoice (`/v1/invoices`).
 *
 * @example
 * ```ts
 * const invoice: Invoice = { ...draft, paymentConditions: { paymentTermLabel: '10 days', paymentTermDuration: 10 } }
 * ```
 */
export interface Invoice extends SalesVoucher {
  dueDate?: string
  paymentConditions?: PaymentConditionRef
  closingInvoice?: boolean
  xRechnung?: { buyerReference?: string; vendorNumberAtCustomer?: string }
}

/**
 * A quotation (`/v1/quotations`).
 *
 * @example
 * ```ts
 * const quotation: Quotation = { ...draft, expirationDate: '2026-12-31T00:00:00.000+01:00' }
 * ```
 */
export interface Quotation extends SalesVoucher {
  expirationDate: string
  paymentConditions?: PaymentConditionRef
}

/**
 * A credit note (`/v1/credit-notes`).
 *
 * @example
 * ```ts
 * await client.creditNotes.create(creditNote, { precedingSalesVoucherId: invoiceId })
 * ```
 */
export type CreditNote = SalesVoucher

/**
 * An order confirmation (`/v1/order-confirmations`).
 *
 * @example
 * ```ts
 * const oc: OrderConfirmation = { ...draft, deliveryTerms: 'ex works' }
 * ```
 */
export interface OrderConfirmation extends SalesVoucher {
  paymentConditions?: PaymentConditionRef
  deliveryTerms?: string
}

/**
 * A delivery note (`/v1/delivery-notes`).
 *
 * @example
 * ```ts
 * const note: DeliveryNote = { ...draft, deliveryTerms: 'DAP' }
 * ```
 */
export interface DeliveryNote extends SalesVoucher {
  deliveryTerms?: string
}

/**
 * Payment terms embedded in a sales voucher.
 *
 * @example
 * ```ts
 * const terms: PaymentConditionRef = { paymentTermLabel: 'Net 30', paymentTermDuration: 30 }
 * ```
 */
export interface PaymentConditionRef {
  paymentTermLabel?: string
  paymentTermLabelTemplate?: string
  paymentTermDuration?: number
  paymentDiscountConditions?: { discountPercentage: number; discountRange: number }
}

/**
 * Query options of creating a sales voucher.
 *
 * @example
 * ```ts
 * await client.invoices.create(invoice, { finalize: true })
 * await client.creditNotes.create(creditNote, { precedingSalesVoucherId: invoiceId })
 * ```
 */
export interface CreateSalesVoucherOptions {
  /** `true` creates the voucher `open` instead of `draft` (cannot be changed later via the API). */
  finalize?: boolean
  /** Pursue (follow up) an existing sales voucher. */
  precedingSalesVoucherId?: string
}

/**
 * An additional attachment of `sendMail`: a file uploaded before with `type: 'attachment'`.
 *
 * @example
 * ```ts
 * const { id } = await client.files.upload(agb, { filename: 'agb.pdf', type: 'attachment' })
 * const attachment: MailAttachment = { id, fileName: 'AGB', fileExtension: 'pdf' }
 * ```
 */
export interface MailAttachment {
  id: string
  /** The name in the mail, without extension (need not be the uploaded file's name). */
  fileName: string
  /** The uploaded file's own extension. */
  fileExtension: 'pdf' | 'png' | 'jpg' | 'jpeg'
}

/**
 * Body of `sendMail` (`POST /v1/{sales-voucher}/{id}/sendmail`, partner API, scope
 * `vouchers.sendmail`). The voucher's document is always attached. Without `subject` and
 * `message`, lexoffice uses the voucher type's e-mail template.
 *
 * @example
 * ```ts
 * await client.invoices.sendMail(id, { recipients: ['billing@customer.example'], subject: 'Ihre Rechnung' })
 * ```
 */
export interface SendMailRequest {
  recipients: string[]
  subject?: string
  message?: string
  signature?: string
  attachments?: MailAttachment[]
}

/**
 * The interaction status of an invoice (partner API): its progress in an external system, e.g. a
 * payment or factoring service. lexoffice sets `TRANSMITTED`; the external system answers
 * `accepted` or `rejected`. lexoffice's samples write the status in capitals, its request sample
 * in lower case: compare case-insensitively.
 *
 * @example
 * ```ts
 * const { status, version } = await client.invoices.getInteractionStatus(invoiceId)
 * if (status.toUpperCase() === 'TRANSMITTED') await client.invoices.updateInteractionStatus(invoiceId, { status: 'accepted', version })
 * ```
 */
export interface InvoiceInteractionStatus {
  /** The invoice's id. */
  resourceId: string
  organizationId: string
  createdDate: string
  updatedDate: string
  status: 'TRANSMITTED' | 'ACCEPTED' | 'REJECTED' | (string & {})
  version: number
}

/**
 * Body of `updateInteractionStatus`: the external system's answer and the current `version`.
 *
 * @example
 * ```ts
 * const update: InvoiceInteractionStatusUpdate = { status: 'rejected', version: 1 }
 * ```
 */
export interface InvoiceInteractionStatusUpdate {
  status: 'accepted' | 'rejected'
  version: number
}

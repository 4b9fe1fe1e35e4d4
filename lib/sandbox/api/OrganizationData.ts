import type { Versioned } from './http'

/**
 * The resources of one sandbox organisation and the types of what they hold. Kept apart from
 * `ApiStore` so that the demo-data seed (which fills an `OrganizationData`) and the store
 * (which seeds every new organisation) do not import each other.
 *
 * @packageDocumentation
 */

/** A stored resource: lexoffice's JSON fields plus the versioning fields every resource has. */
export interface Entity extends Versioned {
  organizationId: string
  [field: string]: unknown
}

/** The kinds of sales voucher the sandbox serves, named as `voucherlist` names them. */
export type SalesVoucherType = 'invoice' | 'quotation' | 'creditnote' | 'orderconfirmation' | 'deliverynote'

/**
 * A sales document: a sales voucher, a down-payment invoice or a dunning.
 *
 * @example
 * ```ts
 * const dunnings: SalesDocument[] = [...sandbox.api.organization(orgId).dunnings.values()]
 * expect(dunnings.every((d) => d.voucherStatus === 'draft')).toBe(true)
 * ```
 */
export interface SalesDocument extends Entity {
  voucherStatus: string
  voucherNumber?: string
  voucherDate: string
}

/** A sales voucher (invoice, quotation, credit note, order confirmation, delivery note). */
export interface SalesVoucher extends SalesDocument {
  voucherType: SalesVoucherType
}

/**
 * One payment booked against a voucher (`paymentItems` of `GET /v1/payments/{id}`).
 *
 * @example
 * ```ts
 * // Pay half of an open invoice in the sandbox, then read it back through the API:
 * const item: PaymentItem = { paymentItemType: 'manualPayment', postingDate: '2026-03-01T00:00:00.000+01:00', amount: 50, currency: 'EUR' }
 * sandbox.api.organization(orgId).paymentItems.set(invoiceId, [item])
 * ```
 */
export interface PaymentItem {
  paymentItemType: string
  postingDate: string
  amount: number
  currency: 'EUR'
}

/** A bookkeeping voucher (`/v1/vouchers`). */
export interface BookkeepingVoucher extends Entity {
  type: string
  voucherStatus: string
  voucherDate: string
}

/** An uploaded file (`/v1/files`). */
export interface StoredFile {
  id: string
  organizationId: string
  fileName: string
  contentType: string
  content: Buffer
  /** The bookkeeping voucher created for the upload. */
  voucherId: string
  createdDate: string
}

/** The resources of one organisation. */
export class OrganizationData {
  /** Contacts by id. */
  readonly contacts = new Map<string, Entity>()
  /** Sales vouchers of every kind by id. */
  readonly salesVouchers = new Map<string, SalesVoucher>()
  /** Bookkeeping vouchers by id. */
  readonly vouchers = new Map<string, BookkeepingVoucher>()
  /** Articles by id. */
  readonly articles = new Map<string, Entity>()
  /** Uploaded files by id. */
  readonly files = new Map<string, StoredFile>()
  /** Down-payment invoices by id (read-only at lexoffice; seeded). Kept out of the voucherlist. */
  readonly downPaymentInvoices = new Map<string, SalesDocument>()
  /** Dunnings by id (always drafts). Kept out of the voucherlist, as lexoffice keeps them out of its main list. */
  readonly dunnings = new Map<string, SalesDocument>()
  /** Recurring invoice templates by id (read-only at lexoffice; seeded). */
  readonly recurringTemplates = new Map<string, Entity>()
  /**
   * Payments booked against a voucher (invoice, down-payment invoice, credit note or bookkeeping
   * voucher), by voucher id. `GET /v1/payments/{id}` and the voucherlist's `openAmount` derive from
   * them; a test may add items here (the voucher's status is its own).
   */
  readonly paymentItems = new Map<string, PaymentItem[]>()
  /** Rendered documents of finalized sales vouchers and down-payment invoices: `files.documentFileId` → voucher id. */
  readonly documentFiles = new Map<string, string>()
  private readonly counters = new Map<string, number>()

  constructor(readonly organizationId: string) {}

  /** The next value of a named counter (customer and vendor numbers, voucher numbers). */
  next(counter: string, start: number): number {
    const value = this.counters.get(counter) ?? start
    this.counters.set(counter, value + 1)
    return value
  }
}

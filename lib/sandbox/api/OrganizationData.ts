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

/**
 * The fields of an {@link Entity} that the sandbox sets itself on create and update (the public
 * `Entity` keeps its own declaration, this is what the handlers stamp). @internal
 */
export interface EntityFields extends Versioned {
  organizationId: string
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

/** An uploaded file (`/v1/files`, `/v1/vouchers/{id}/files`). */
export interface StoredFile {
  id: string
  organizationId: string
  /** The upload type: a voucher document, or an e-mail attachment (partner API). */
  type: 'voucher' | 'attachment'
  fileName: string
  contentType: string
  content: Buffer
  /** The bookkeeping voucher the file belongs to (none for attachments). */
  voucherId?: string
  createdDate: string
  /** What `GET /v1/files/{id}/status` answers; a test may change it. */
  status: 'upload_processing' | 'upload_success' | 'upload_failed'
}

/** A bank account of a contact (`/v1/contacts/{id}/bankaccounts`, partner API). Its version is the contact's. */
export interface ContactBankAccount {
  id: string
  accountHolder: string
  bankName: string
  iban: string
  bic: string
}

/**
 * The interaction status of an invoice (`/v1/invoices/{id}/interaction-status`, partner API):
 * lexoffice sets `TRANSMITTED` when the user asks an external system to act; the system answers
 * `ACCEPTED` or `REJECTED`.
 *
 * @example
 * ```ts
 * // Let an invoice wait for the external system's answer:
 * const now = new Date().toISOString()
 * sandbox.api.organization(orgId).interactionStatuses.set(invoiceId, {
 *   resourceId: invoiceId, organizationId: orgId, createdDate: now, updatedDate: now, status: 'TRANSMITTED', version: 1,
 * })
 * ```
 */
export interface InvoiceInteractionStatus {
  resourceId: string
  organizationId: string
  createdDate: string
  updatedDate: string
  status: 'TRANSMITTED' | 'ACCEPTED' | 'REJECTED'
  version: number
}

/** A mail lexoffice would have sent (`POST /v1/{sales-voucher}/{id}/sendmail`); the sandbox only records it. */
export interface SentMail {
  /** e.g. `invoices`, `dunnings`. */
  resource: string
  voucherId: string
  recipients: string[]
  subject?: string
  message?: string
  signature?: string
  /** Ids of uploaded files of type `attachment`. */
  attachmentIds: string[]
  /** The connection that asked for it. */
  connectionId: string
  sentDate: string
}

/** The partner-integration record of one connection (`/v1/partner-integrations`). */
export interface PartnerIntegration {
  organizationId: string
  createdDate: string
  updatedDate: string
  version: number
  status: string
}

/** The company master data `GET /v1/organization` shows (partner API). */
export interface OrganizationDetails {
  companyName?: string
  branchOfIndustryName: string
  branchOfIndustryWzCode: string
  address: { street: string; zip: string; city: string; countryCode: string }
  organizationType: string
  organizationTypeKey: string
  vatIdentificationNumber: string
  taxNumber: string
  website: string
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
  /** Bank accounts by contact id (partner API). */
  readonly bankAccounts = new Map<string, ContactBankAccount[]>()
  /** Interaction statuses by invoice id (partner API); an invoice without one answers 404. */
  readonly interactionStatuses = new Map<string, InvoiceInteractionStatus>()
  /** Mails sent through `sendmail`, oldest first (the sandbox sends none). */
  readonly sentMails: SentMail[] = []
  /** Partner-integration records by connection id. */
  readonly partnerIntegrations = new Map<string, PartnerIntegration>()
  /** Cash boxes by `cashBoxId` (partner API). */
  readonly cashBoxes = new Map<string, Record<string, unknown>>()
  /** The balances (Z-Bons) of each cash box, by `cashBoxId`. */
  readonly cashBoxBalances = new Map<string, Array<Record<string, unknown>>>()
  /** Financial accounts by `financialAccountId` (partner API). */
  readonly financialAccounts = new Map<string, Record<string, unknown>>()
  /** Financial transactions by `financialTransactionId`. */
  readonly financialTransactions = new Map<string, Record<string, unknown>>()
  /** The vouchers assigned to a financial transaction: `{ id, type: 'invoice' | 'voucher' }`. */
  readonly transactionAssignments = new Map<string, Array<{ id: string; type: string }>>()
  /** What `GET /v1/organization` answers besides the company name (which comes from the sandbox's organisation). */
  readonly details: OrganizationDetails = {
    branchOfIndustryName: 'Sonstige Softwareentwicklung',
    branchOfIndustryWzCode: '62.01.9',
    address: { street: 'Musterstraße 1', zip: '10115', city: 'Berlin', countryCode: 'DE' },
    organizationType: 'GmbH',
    organizationTypeKey: 'LIMITED_LIABILITY_COMPANY',
    vatIdentificationNumber: 'DE123456789',
    taxNumber: '30/123/45678',
    website: 'https://sandbox.example/',
  }
  private readonly counters = new Map<string, number>()

  constructor(readonly organizationId: string) {}

  /** The next value of a named counter (customer and vendor numbers, voucher numbers). */
  next(counter: string, start: number): number {
    const value = this.counters.get(counter) ?? start
    this.counters.set(counter, value + 1)
    return value
  }
}

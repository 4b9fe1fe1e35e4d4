import { computeTotals, type LineItem } from './calc'
import type { JsonObject } from './http'
import type { OrganizationData, SalesVoucher, SalesVoucherType } from './OrganizationData'

/**
 * The five sales-voucher resources (invoices, quotations, credit notes, order confirmations,
 * delivery notes): their names, event types and number prefixes, and how a stored voucher is
 * built from validated input. Shared by the endpoints and the demo seed.
 *
 * @internal
 * @packageDocumentation
 */

/** Static facts about one sales-voucher kind. @internal */
export interface SalesKind {
  type: SalesVoucherType
  /** URL segment under `/v1`. */
  resource: string
  /** Event type prefix (`invoice` → `invoice.created`). */
  eventPrefix: string
  /** Voucher number prefix. */
  numberPrefix: string
  /** Default title (German, as lexoffice's defaults). */
  title: string
  /** The label for the PDF header. */
  documentName: string
}

/** Every sales-voucher kind. @internal */
export const SALES_KINDS: readonly SalesKind[] = [
  { type: 'invoice', resource: 'invoices', eventPrefix: 'invoice', numberPrefix: 'RE', title: 'Rechnung', documentName: 'Rechnung' },
  { type: 'quotation', resource: 'quotations', eventPrefix: 'quotation', numberPrefix: 'AG', title: 'Angebot', documentName: 'Angebot' },
  {
    type: 'creditnote',
    resource: 'credit-notes',
    eventPrefix: 'credit-note',
    numberPrefix: 'GS',
    title: 'Rechnungskorrektur',
    documentName: 'Gutschrift',
  },
  {
    type: 'orderconfirmation',
    resource: 'order-confirmations',
    eventPrefix: 'order-confirmation',
    numberPrefix: 'AB',
    title: 'Auftragsbestätigung',
    documentName: 'Auftragsbestätigung',
  },
  {
    type: 'deliverynote',
    resource: 'delivery-notes',
    eventPrefix: 'delivery-note',
    numberPrefix: 'LS',
    title: 'Lieferschein',
    documentName: 'Lieferschein',
  },
]

/** The kind facts of a voucher type. @internal */
export function salesKind(type: SalesVoucherType): SalesKind {
  const kind = SALES_KINDS.find((k) => k.type === type)
  if (kind === undefined) throw new Error(`unknown sales voucher type ${type}`)
  return kind
}

/** Validated input for a new sales voucher. @internal */
export interface SalesVoucherInput {
  voucherDate: string
  address: JsonObject
  lineItems: LineItem[]
  taxType: string
  language?: string
  title?: string
  introduction?: string
  remark?: string
  /** Further writable fields copied as given (paymentConditions, shippingConditions, expirationDate...). */
  extra?: JsonObject
}

/**
 * Builds (and stores) a sales voucher: computes totals, assigns a voucher number unless it is a
 * draft, and registers its rendered document id when finalized.
 *
 * @internal
 */
export function createSalesVoucher(
  org: OrganizationData,
  type: SalesVoucherType,
  input: SalesVoucherInput,
  status: string,
  timestamp: string,
  newId: () => string,
): SalesVoucher {
  const kind = salesKind(type)
  const totals = computeTotals(input.lineItems, input.taxType)
  const id = newId()
  const voucher: SalesVoucher = {
    id,
    organizationId: org.organizationId,
    createdDate: timestamp,
    updatedDate: timestamp,
    version: 1,
    language: input.language ?? 'de',
    archived: false,
    voucherType: type,
    voucherStatus: status,
    voucherDate: input.voucherDate,
    address: input.address,
    lineItems: input.lineItems,
    totalPrice: totals.totalPrice,
    taxAmounts: totals.taxAmounts,
    taxConditions: { taxType: input.taxType },
    relatedVouchers: [],
    printLayoutId: '28c212c4-b6dd-11ee-b80a-dbc65f4ceccf',
    title: input.title ?? kind.title,
    ...(input.introduction !== undefined ? { introduction: input.introduction } : {}),
    ...(input.remark !== undefined ? { remark: input.remark } : {}),
    ...(input.extra ?? {}),
  }
  if (status !== 'draft') finalizeNumbering(org, voucher, newId)
  org.salesVouchers.set(id, voucher)
  return voucher
}

/** Gives a finalized voucher its number and document file id. @internal */
export function finalizeNumbering(org: OrganizationData, voucher: SalesVoucher, newId: () => string): void {
  const kind = salesKind(voucher.voucherType)
  voucher.voucherNumber = `${kind.numberPrefix}${String(org.next(`number:${voucher.voucherType}`, 1)).padStart(4, '0')}`
  const documentFileId = newId()
  voucher['files'] = { documentFileId }
  org.documentFiles.set(documentFileId, voucher.id)
}

/** The JSON lexoffice shows for a sales voucher (`voucherType` is the sandbox's bookkeeping, not a field of these resources). @internal */
export function salesVoucherJson(voucher: SalesVoucher): JsonObject {
  const { voucherType: _type, ...json } = structuredClone(voucher)
  return json
}

/** The name shown for a contact: company name, or "first last" for a person. @internal */
export function contactName(contact: JsonObject): string {
  const company = contact['company'] as { name?: string } | undefined
  if (company?.name !== undefined) return company.name
  const person = (contact['person'] ?? {}) as { firstName?: string; lastName?: string }
  return [person.firstName, person.lastName].filter((s) => typeof s === 'string' && s !== '').join(' ')
}

import { completeUnitPrice, computeTotals, round, type LineItem } from './calc'
import { isNumber, type JsonObject } from './http'
import { PRINT_LAYOUTS } from './referenceData'
import type { Entity, OrganizationData, PaymentItem, SalesDocument } from './OrganizationData'

/**
 * The demo data's billing records, seeded after the contacts, articles and vouchers of
 * `seed.ts` (so the ids those get never change): down-payment invoices, recurring invoice
 * templates, and the payments booked against paid vouchers plus a part payment on the first open
 * invoice. {@link DEMO_BILLING_COUNTS} states how many there are.
 *
 * @packageDocumentation
 */

/**
 * How many billing records the demo data holds (tests may rely on these).
 *
 * @example
 * ```ts
 * import { DEMO_BILLING_COUNTS } from 'passport-lexoffice/sandbox'
 * const templates = await client.recurringTemplates.listAll()
 * expect(templates).toHaveLength(DEMO_BILLING_COUNTS.recurringTemplates)
 * ```
 */
export const DEMO_BILLING_COUNTS = Object.freeze({
  /** 1 draft, 1 open, 1 paid. */
  downPaymentInvoices: 3,
  /** 2 `ACTIVE` (monthly, next 2026-02-01; quarterly, next 2026-04-01), 1 `PAUSED`. */
  recurringTemplates: 3,
  /** Open invoices with a part payment (half of the first open invoice's total, `manualPayment`). */
  partPaidInvoices: 1,
})

/** What `seed.ts` hands over: its id generator, date helpers and the records made so far. @internal */
export interface BillingSeedContext {
  newId: () => string
  customers: readonly Entity[]
  articles: readonly Entity[]
  /** A day as a lexoffice timestamp (`2026-01-05T00:00:00.000+01:00` + offset days). */
  day: (offsetDays: number) => string
  /** An instant on that day, for created/updated dates. */
  instant: (offsetDays: number) => string
  /** A contact's address block for a voucher. */
  addressOf: (contact: Entity) => JsonObject
}

/** `timestamp` moved by `days` whole days, keeping time and offset. */
function addDays(timestamp: string, days: number): string {
  const next = new Date(Date.parse(`${timestamp.slice(0, 10)}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
  return `${next}${timestamp.slice(10)}`
}

function grossOf(entity: Entity): number {
  const total = (entity['totalPrice'] as JsonObject | undefined)?.['totalGrossAmount'] ?? entity['totalGrossAmount']
  return isNumber(total) ? total : 0
}

function book(org: OrganizationData, voucherId: string, item: Omit<PaymentItem, 'currency'>): void {
  org.paymentItems.set(voucherId, [...(org.paymentItems.get(voucherId) ?? []), { ...item, currency: 'EUR' }])
}

function articleItem(article: Entity, quantity: number): LineItem {
  const price = article['price'] as { netPrice: number; taxRate: number }
  return {
    id: article.id,
    type: article['type'] === 'SERVICE' ? 'service' : 'material',
    name: article['title'] as string,
    quantity,
    unitName: article['unitName'] as string,
    unitPrice: completeUnitPrice(price.netPrice, undefined, price.taxRate),
    discountPercentage: 0,
  }
}

function seedDownPaymentInvoices(org: OrganizationData, ctx: BillingSeedContext): void {
  const rows: Array<[status: string, offset: number, gross: number, customer: number]> = [
    ['draft', 40, 500, 2],
    ['open', 30, 1190, 4],
    ['paid', 12, 2380, 6],
  ]
  rows.forEach(([status, offset, gross, customerIndex], i) => {
    const lineItems: LineItem[] = [
      {
        type: 'custom',
        name: 'Pauschaler Abschlag',
        quantity: 1,
        unitPrice: completeUnitPrice(undefined, gross, 19),
        discountPercentage: 0,
      },
    ]
    const totals = computeTotals(lineItems, 'gross')
    const finalized = status !== 'draft'
    const invoice: SalesDocument = {
      id: ctx.newId(),
      organizationId: org.organizationId,
      createdDate: ctx.instant(offset),
      updatedDate: ctx.instant(offset + (status === 'paid' ? 10 : 0)),
      version: 1,
      language: 'de',
      archived: false,
      voucherStatus: status,
      ...(finalized ? { voucherNumber: `RE${String(org.next('number:invoice', 1)).padStart(4, '0')}` } : {}),
      voucherDate: ctx.day(offset),
      ...(finalized ? { dueDate: ctx.day(offset + 14) } : {}),
      address: ctx.addressOf(ctx.customers[customerIndex % ctx.customers.length]),
      electronicDocumentProfile: 'NONE',
      lineItems,
      totalPrice: totals.totalPrice,
      taxAmounts: totals.taxAmounts,
      taxConditions: { taxType: 'gross' },
      paymentConditions: { paymentTermLabel: 'Zahlbar innerhalb von 14 Tagen ohne Abzug', paymentTermDuration: 14 },
      shippingConditions: { shippingType: 'none' },
      closingInvoiceId: null,
      relatedVouchers: [],
      printLayoutId: PRINT_LAYOUTS[0]?.id,
      title: `${i + 1}. Abschlagsrechnung`,
      introduction: 'Wie vereinbart, erlauben wir uns folgenden pauschalen Abschlag in Rechnung zu stellen.',
      remark: 'Vielen Dank für die gute Zusammenarbeit.',
    }
    if (finalized) {
      const documentFileId = ctx.newId()
      invoice['files'] = { documentFileId }
      org.documentFiles.set(documentFileId, invoice.id)
    }
    org.downPaymentInvoices.set(invoice.id, invoice)
  })
}

function seedRecurringTemplates(org: OrganizationData, ctx: BillingSeedContext): void {
  const article = (title: string): Entity => ctx.articles.find((a) => a['title'] === title) ?? ctx.articles[0]
  const rows: Array<{ customer: number; offset: number; items: LineItem[]; settings: JsonObject }> = [
    {
      customer: 1,
      offset: -20,
      items: [articleItem(article('Wartungsvertrag (monatlich)'), 1)],
      settings: {
        startDate: '2025-12-01',
        endDate: null,
        finalize: true,
        shippingType: 'service',
        retroactiveInvoice: false,
        executionInterval: 'MONTHLY',
        nextExecutionDate: '2026-02-01',
        lastExecutionDate: '2026-01-01',
        lastExecutionFailed: false,
        lastExecutionErrorMessage: null,
        executionStatus: 'ACTIVE',
      },
    },
    {
      customer: 5,
      offset: -15,
      items: [
        articleItem(article('Beratungsstunde'), 4),
        { type: 'text', name: 'Leistungszeitraum', description: 'Quartalsweise Beratung laut Rahmenvertrag.' },
      ],
      settings: {
        startDate: '2026-04-01',
        endDate: '2027-03-31',
        finalize: false,
        shippingType: 'serviceperiod',
        retroactiveInvoice: false,
        executionInterval: 'QUARTERLY',
        nextExecutionDate: '2026-04-01',
        lastExecutionDate: null,
        lastExecutionFailed: false,
        lastExecutionErrorMessage: null,
        executionStatus: 'ACTIVE',
      },
    },
    {
      customer: 9,
      offset: -10,
      items: [articleItem(article('Schulung vor Ort'), 1)],
      settings: {
        startDate: null,
        endDate: null,
        finalize: true,
        shippingType: 'service',
        retroactiveInvoice: false,
        executionInterval: 'ANNUALLY',
        nextExecutionDate: null,
        lastExecutionDate: '2025-01-15',
        lastExecutionFailed: true,
        lastExecutionErrorMessage: 'Die Rechnung konnte nicht per E-Mail versendet werden.',
        executionStatus: 'PAUSED',
      },
    },
  ]
  for (const row of rows) {
    const totals = computeTotals(row.items, 'net')
    const template: Entity = {
      id: ctx.newId(),
      organizationId: org.organizationId,
      createdDate: ctx.instant(row.offset),
      updatedDate: ctx.instant(row.offset + 1),
      version: 0,
      language: 'de',
      archived: false,
      address: ctx.addressOf(ctx.customers[row.customer % ctx.customers.length]),
      lineItems: row.items,
      totalPrice: totals.totalPrice,
      taxAmounts: totals.taxAmounts,
      taxConditions: { taxType: 'net', taxTypeNote: null },
      paymentConditions: { paymentTermLabel: 'Zahlbar innerhalb von 14 Tagen ohne Abzug', paymentTermDuration: 14 },
      title: 'Rechnung',
      introduction: 'Ihre vereinbarten Leistungen stellen wir Ihnen hiermit in Rechnung.',
      remark: 'Vielen Dank für Ihren Auftrag.',
      recurringTemplateSettings: { id: ctx.newId(), ...row.settings },
    }
    org.recurringTemplates.set(template.id, template)
  }
}

function seedPayments(org: OrganizationData): void {
  let partPaid = 0
  for (const v of org.salesVouchers.values()) {
    if (v.voucherType !== 'invoice' && v.voucherType !== 'creditnote') continue
    if (v.voucherStatus === 'paid' || v.voucherStatus === 'paidoff') {
      book(org, v.id, { paymentItemType: 'partPaymentFinancialTransaction', postingDate: addDays(v.voucherDate, 10), amount: grossOf(v) })
    } else if (v.voucherType === 'invoice' && v.voucherStatus === 'open' && partPaid < DEMO_BILLING_COUNTS.partPaidInvoices) {
      book(org, v.id, { paymentItemType: 'manualPayment', postingDate: addDays(v.voucherDate, 7), amount: round(grossOf(v) / 2) })
      partPaid++
    }
  }
  for (const v of org.downPaymentInvoices.values()) {
    if (v.voucherStatus === 'paid')
      book(org, v.id, { paymentItemType: 'partPaymentFinancialTransaction', postingDate: addDays(v.voucherDate, 10), amount: grossOf(v) })
  }
  for (const v of org.vouchers.values()) {
    if (v.voucherStatus === 'paid' || v.voucherStatus === 'paidoff') {
      book(org, v.id, { paymentItemType: 'partPaymentFinancialTransaction', postingDate: addDays(v.voucherDate, 7), amount: grossOf(v) })
    }
  }
}

/** Seeds down-payment invoices, recurring templates and payments. Called once, at the end of the demo seed. @internal */
export function seedBilling(org: OrganizationData, ctx: BillingSeedContext): void {
  seedDownPaymentInvoices(org, ctx)
  seedRecurringTemplates(org, ctx)
  seedPayments(org)
}

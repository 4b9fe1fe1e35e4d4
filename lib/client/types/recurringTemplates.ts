import type { PageParams } from './common'
import type { LineItem, PaymentConditionRef, TotalPrice, VoucherAddress } from './salesVouchers'

/**
 * How lexoffice creates invoices from a recurring template (`recurringTemplateSettings`, all
 * read-only). Dates without time are `yyyy-MM-dd`. Fields lexoffice adds later pass through as
 * `unknown`.
 *
 * @example
 * ```ts
 * const { executionStatus, nextExecutionDate } = template.recurringTemplateSettings
 * if (executionStatus === 'ACTIVE') console.log('next invoice on', nextExecutionDate)
 * ```
 */
export interface RecurringTemplateSettings {
  id?: string
  /** First execution; `null` means the template is paused. */
  startDate?: string | null
  endDate?: string | null
  /** `true`: invoices are created `open` and e-mailed to the customer at once; `false`: drafts. */
  finalize?: boolean
  shippingType?: 'service' | 'serviceperiod' | 'delivery' | 'deliveryperiod' | 'none'
  /** The first invoice is dated one interval before `startDate`. */
  retroactiveInvoice?: boolean
  executionInterval?: 'WEEKLY' | 'BIWEEKLY' | 'MONTHLY' | 'QUARTERLY' | 'BIANNUALLY' | 'ANNUALLY'
  /** `null` while paused. */
  nextExecutionDate?: string | null
  /** `null` before the first execution. */
  lastExecutionDate?: string | null
  lastExecutionFailed?: boolean
  lastExecutionErrorMessage?: string | null
  /** There is no error state: see `lastExecutionFailed`. */
  executionStatus?: 'ACTIVE' | 'PAUSED' | 'ENDED'
  [field: string]: unknown
}

/**
 * One entry of `GET /v1/recurring-templates`: lexoffice lists only the contact (id and name),
 * title, total price, payment conditions and the settings; {@link RecurringTemplatesResource.get}
 * returns the whole template. Fields lexoffice adds later pass through as `unknown`.
 *
 * @example
 * ```ts
 * const { content } = await client.recurringTemplates.list({ size: 1, sort: 'nextExecutionDate,ASC' })
 * const next: RecurringTemplateSummary | undefined = content[0]
 * ```
 */
export interface RecurringTemplateSummary {
  id: string
  organizationId: string
  createdDate: string
  updatedDate: string
  /** Recurring templates always reference an existing contact. */
  address: VoucherAddress
  title?: string
  totalPrice: TotalPrice
  paymentConditions?: PaymentConditionRef
  recurringTemplateSettings: RecurringTemplateSettings
  [field: string]: unknown
}

/**
 * A recurring invoice template (Serienrechnung), `GET /v1/recurring-templates/{id}` (scope
 * `recurring-templates.read`). Read-only. Like an invoice, but without dates, which are set on
 * each generated invoice.
 *
 * @example
 * ```ts
 * const template: RecurringTemplate = await client.recurringTemplates.get(id)
 * console.log(template.lineItems?.length, template.recurringTemplateSettings.executionInterval)
 * ```
 */
export interface RecurringTemplate extends RecurringTemplateSummary {
  version?: number
  language?: string
  archived?: boolean
  lineItems?: LineItem[]
  taxAmounts?: Array<{ taxRatePercentage: number; taxAmount: number; netAmount: number }>
  taxConditions?: { taxType: string; taxSubType?: string | null; taxTypeNote?: string | null }
  introduction?: string
  remark?: string
}

/**
 * Sort properties of the recurring-templates list. lexoffice's text names `nextExecutionDate`;
 * the other three come from a third-party catalogue of the docs (UNVERIFIED). The client passes
 * any `sort` string through.
 *
 * @example
 * ```ts
 * const by: RecurringTemplateSortProperty = 'nextExecutionDate'
 * await client.recurringTemplates.list({ sort: `${by},ASC` })
 * ```
 */
export type RecurringTemplateSortProperty = 'createdDate' | 'updatedDate' | 'lastExecutionDate' | 'nextExecutionDate'

/**
 * What the recurring-templates list can be ordered by (`property,ASC|DESC`); there are no filters.
 *
 * @example
 * ```ts
 * for await (const t of client.recurringTemplates.iterate({ sort: 'nextExecutionDate,ASC' })) console.log(t.id)
 * ```
 */
export interface RecurringTemplateFilter {
  /** e.g. `nextExecutionDate,ASC`; see {@link RecurringTemplateSortProperty}. */
  sort?: string
}

/**
 * Paging and sorting of `GET /v1/recurring-templates` (page size at most 100; see `iterate()`).
 *
 * @example
 * ```ts
 * await client.recurringTemplates.list({ page: 0, size: 100, sort: 'createdDate,DESC' })
 * ```
 */
export type RecurringTemplateListParams = PageParams

import type { ApiTransport } from '../ApiTransport'
import { buildQuery } from '../encodeSearchString'
import { collect, iteratePages, pathId } from '../paging'
import type { IterateOptions, Page } from '../types/common'
import type {
  RecurringTemplate,
  RecurringTemplateFilter,
  RecurringTemplateListParams,
  RecurringTemplateSummary,
} from '../types/recurringTemplates'

/** Largest page `iterate()` asks for (docs/lexoffice-api-sources.md: 100 or 250; 100 is safe with either). */
const RECURRING_TEMPLATES_MAX_PAGE = 100

/**
 * `/v1/recurring-templates` (scope `recurring-templates.read`; regular error format): the
 * templates lexoffice creates recurring invoices from (nightly, from 3 am). Read-only. The list
 * is paged and sortable, e.g. by `nextExecutionDate`; its entries are summaries,
 * {@link RecurringTemplatesResource.get} returns a whole template. `iterate()` asks for pages of
 * at most 100: the public copies of lexoffice's docs give 100 or 250 as this endpoint's largest
 * page, and 100 works under both.
 *
 * @example
 * ```ts
 * const { content: [next] } = await client.recurringTemplates.list({ page: 0, size: 1, sort: 'nextExecutionDate,ASC' })
 * const all = await client.recurringTemplates.listAll()
 * ```
 */
export class RecurringTemplatesResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/recurring-templates`: one page. */
  async list(params: RecurringTemplateListParams = {}): Promise<Page<RecurringTemplateSummary>> {
    const query = buildQuery({ page: params.page, size: params.size, sort: params.sort })
    return this.#t.json<Page<RecurringTemplateSummary>>({ method: 'GET', path: '/v1/recurring-templates', query })
  }
  /** Every template (summaries), page after page, in the given order (see {@link IterateOptions} for the 10,000-entry window). */
  iterate(filter: RecurringTemplateFilter = {}, options: IterateOptions = {}): AsyncGenerator<RecurringTemplateSummary, void, undefined> {
    return iteratePages(
      '/v1/recurring-templates',
      (page, size) => this.list({ ...filter, page, size }),
      options,
      RECURRING_TEMPLATES_MAX_PAGE,
    )
  }
  /** {@link RecurringTemplatesResource.iterate} collected into an array. */
  async listAll(filter: RecurringTemplateFilter = {}, options: IterateOptions = {}): Promise<RecurringTemplateSummary[]> {
    return collect(this.iterate(filter, options))
  }
  /** `GET /v1/recurring-templates/{id}`: the whole template. */
  async get(id: string): Promise<RecurringTemplate> {
    return this.#t.json<RecurringTemplate>({ method: 'GET', path: `/v1/recurring-templates/${pathId(id)}` })
  }
}

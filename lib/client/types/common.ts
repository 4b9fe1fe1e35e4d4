/**
 * One page of a lexoffice list (Spring's page object). `number` is the 0-based page index.
 *
 * @example
 * ```ts
 * const page: Page<Contact> = await client.contacts.list({ page: 0, size: 100 })
 * if (!page.last) await client.contacts.list({ page: page.number + 1, size: 100 })
 * ```
 */
export interface Page<T> {
  content: T[]
  first: boolean
  last: boolean
  totalPages: number
  totalElements: number
  numberOfElements: number
  size: number
  number: number
  sort?: PageSort[]
}

/**
 * A sort order of a {@link Page}.
 *
 * @example
 * ```ts
 * const firstSort: PageSort | undefined = page.sort?.[0]
 * ```
 */
export interface PageSort {
  property: string
  direction: 'ASC' | 'DESC'
  ignoreCase?: boolean
  nullHandling?: string
  ascending?: boolean
}

/**
 * Paging parameters of list calls. `page` is 0-based; `size` defaults to 25 (max 250 or 100 by endpoint).
 *
 * @example
 * ```ts
 * await client.articles.list({ page: 0, size: 250, sort: 'title,ASC' })
 * ```
 */
export interface PageParams {
  page?: number
  size?: number
  /** e.g. `updatedDate,DESC` where the endpoint supports sorting. */
  sort?: string
}

/**
 * The "action result" lexoffice answers to POST/PUT: the id and version of what was written.
 *
 * @example
 * ```ts
 * const { id, version } = await client.contacts.create(contact)
 * ```
 */
export interface ActionResult {
  id: string
  resourceUri: string
  createdDate: string
  updatedDate: string
  version: number
}

/**
 * A downloaded document (`GET /{id}/file`, `GET /files/{id}`).
 *
 * @example
 * ```ts
 * const { data, contentType, filename } = await client.invoices.downloadFile(id)
 * res.type(contentType).attachment(filename ?? 'invoice.pdf').send(data)
 * ```
 */
export interface DownloadedFile {
  data: Buffer
  contentType: string
  filename?: string
}

/**
 * Options of paged iteration (`iterate`, `listAll`).
 *
 * @example
 * ```ts
 * await client.contacts.listAll({ customer: true }, { pageSize: 100, searchWindow: 'stop' })
 * ```
 */
export interface IterateOptions {
  /**
   * Page size. Default and maximum: the endpoint's largest page (250 for contacts, articles,
   * vouchers and the voucherlist; 100 for recurring templates and cash-box balances).
   */
  pageSize?: number
  /**
   * What to do when more entries exist beyond lexoffice's 10,000-entry search window:
   * `'error'` (default) throws a {@link LexofficeSearchWindowError} after yielding the entries
   * inside the window; `'stop'` ends the iteration quietly (results are then incomplete).
   */
  searchWindow?: 'error' | 'stop'
}

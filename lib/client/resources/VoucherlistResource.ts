import type { ApiTransport } from '../ApiTransport'
import { buildQuery } from '../encodeSearchString'
import { collect, iteratePages } from '../paging'
import type { IterateOptions, Page } from '../types/common'
import type { VoucherlistEntry, VoucherlistFilter, VoucherlistParams } from '../types/vouchers'

/**
 * `/v1/voucherlist`: the listing of sales and bookkeeping vouchers.
 *
 * @example
 * ```ts
 * const open = await client.voucherlist.listAll({ voucherType: 'invoice', voucherStatus: ['open', 'overdue'] })
 * ```
 */
export class VoucherlistResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/voucherlist?voucherType=...&voucherStatus=...`: one page. */
  async list(params: VoucherlistParams): Promise<Page<VoucherlistEntry>> {
    const { page, size, sort, ...filter } = params
    const query = buildQuery({ ...filter, page, size, sort }, ['voucherNumber', 'contactName'])
    return this.#t.json<Page<VoucherlistEntry>>({ method: 'GET', path: '/v1/voucherlist', query })
  }
  /** Every matching entry, page after page (see {@link IterateOptions}). */
  iterate(filter: VoucherlistFilter, options: IterateOptions = {}): AsyncGenerator<VoucherlistEntry, void, undefined> {
    return iteratePages('/v1/voucherlist', (page, size) => this.list({ ...filter, page, size }), options)
  }
  /** {@link VoucherlistResource.iterate} collected into an array. */
  async listAll(filter: VoucherlistFilter, options: IterateOptions = {}): Promise<VoucherlistEntry[]> {
    return collect(this.iterate(filter, options))
  }
}

import type { ApiTransport } from '../ApiTransport'
import { buildQuery } from '../encodeSearchString'
import { collect, iteratePages, pathId } from '../paging'
import type { CashBox, CashBoxBalance, CashBoxBalanceFilter, CashBoxBalanceListParams } from '../types/cashBoxes'
import type { IterateOptions, Page } from '../types/common'

/** Largest page of the balances (a third-party catalogue of the partner docs; docs/lexoffice-api-sources.md). */
const BALANCES_MAX_PAGE = 100

/**
 * `/v1/cash-boxes` (partner API, scope `cashbox.read`): read cash boxes and their balances
 * (Z-Bons). The writes lexoffice offers (create, rename, delete, add a balance) are not part of
 * this client.
 *
 * @example
 * ```ts
 * const [box] = await client.cashBoxes.list()
 * const { content: [latest] } = await client.cashBoxes.listBalances(box!.cashBoxId, { page: 0, size: 1, sort: 'voucherDate,DESC' })
 * ```
 */
export class CashBoxesResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/cash-boxes`: all cash boxes (the `content` of lexoffice's answer). */
  async list(): Promise<CashBox[]> {
    // An empty answer parses as undefined.
    const res = await this.#t.json<{ content?: CashBox[] } | undefined>({ method: 'GET', path: '/v1/cash-boxes' })
    return res?.content ?? []
  }
  /** `GET /v1/cash-boxes/{id}`. */
  async get(id: string): Promise<CashBox> {
    return this.#t.json<CashBox>({ method: 'GET', path: `/v1/cash-boxes/${pathId(id)}` })
  }
  /** `GET /v1/cash-boxes/{id}/balances`: one page (size at most 100). */
  async listBalances(cashBoxId: string, params: CashBoxBalanceListParams = {}): Promise<Page<CashBoxBalance>> {
    const query = buildQuery({
      voucherNumber: params.voucherNumber,
      dateFrom: params.dateFrom,
      dateTo: params.dateTo,
      page: params.page,
      size: params.size,
      sort: params.sort,
    })
    return this.#t.json<Page<CashBoxBalance>>({ method: 'GET', path: `/v1/cash-boxes/${pathId(cashBoxId, 'cashBoxId')}/balances`, query })
  }
  /** Every matching balance, page after page (pages of at most 100). */
  iterateBalances(
    cashBoxId: string,
    filter: CashBoxBalanceFilter = {},
    options: IterateOptions = {},
  ): AsyncGenerator<CashBoxBalance, void, undefined> {
    const path = `/v1/cash-boxes/${pathId(cashBoxId, 'cashBoxId')}/balances`
    return iteratePages(path, (page, size) => this.listBalances(cashBoxId, { ...filter, page, size }), options, BALANCES_MAX_PAGE)
  }
  /** {@link CashBoxesResource.iterateBalances} collected into an array. */
  async listAllBalances(cashBoxId: string, filter: CashBoxBalanceFilter = {}, options: IterateOptions = {}): Promise<CashBoxBalance[]> {
    return collect(this.iterateBalances(cashBoxId, filter, options))
  }
}

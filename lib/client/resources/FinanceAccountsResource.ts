import type { ApiTransport } from '../ApiTransport'
import { buildQuery } from '../encodeSearchString'
import { pathId } from '../paging'
import type { FinancialAccount, FinancialAccountFilter } from '../types/finance'

/**
 * `/v1/finance/accounts` (partner API, scope `finance.read`): read the financial accounts linked
 * to lexoffice. The writes lexoffice offers are not part of this client.
 *
 * @example
 * ```ts
 * const all = await client.financeAccounts.list()
 * const [psp] = await client.financeAccounts.list({ externalReference: 'psp-1' })
 * ```
 */
export class FinanceAccountsResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/finance/accounts[?iban=...|?externalReference=...]`: the matching accounts (possibly none). */
  async list(filter: FinancialAccountFilter = {}): Promise<FinancialAccount[]> {
    const query = buildQuery({ iban: filter.iban, externalReference: filter.externalReference })
    const res = await this.#t.json<FinancialAccount[]>({ method: 'GET', path: '/v1/finance/accounts', query })
    return Array.isArray(res) ? res : []
  }
  /** `GET /v1/finance/accounts/{id}`. */
  async get(id: string): Promise<FinancialAccount> {
    return this.#t.json<FinancialAccount>({ method: 'GET', path: `/v1/finance/accounts/${pathId(id)}` })
  }
}

import type { ApiTransport } from '../ApiTransport'
import { buildQuery } from '../encodeSearchString'
import { pathId } from '../paging'
import type { FinancialTransaction, TransactionAssignment } from '../types/finance'

/**
 * `/v1/finance/transactions` (partner API, scope `finance.read`): read financial transactions,
 * the latest of an account, and the vouchers assigned to one. The writes lexoffice offers are not
 * part of this client.
 *
 * @example
 * ```ts
 * const latest = await client.financeTransactions.latest(accountId)
 * const assigned = await client.financeTransactions.assignments(latest.financialTransactionId)
 * ```
 */
export class FinanceTransactionsResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/finance/transactions/{id}`. */
  async get(id: string): Promise<FinancialTransaction> {
    return this.#t.json<FinancialTransaction>({ method: 'GET', path: `/v1/finance/transactions/${pathId(id)}` })
  }
  /** `GET /v1/finance/transactions/latest-transaction?financialAccountId=...`: the account's newest transaction. */
  async latest(financialAccountId: string): Promise<FinancialTransaction> {
    pathId(financialAccountId, 'financialAccountId')
    const query = buildQuery({ financialAccountId })
    return this.#t.json<FinancialTransaction>({ method: 'GET', path: '/v1/finance/transactions/latest-transaction', query })
  }
  /** `GET /v1/finance/transactions/{id}/assignments`: the invoices and vouchers assigned to it. */
  async assignments(id: string): Promise<TransactionAssignment[]> {
    const res = await this.#t.json<TransactionAssignment[]>({ method: 'GET', path: `/v1/finance/transactions/${pathId(id)}/assignments` })
    return Array.isArray(res) ? res : []
  }
}

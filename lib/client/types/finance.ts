/**
 * A financial account linked to lexoffice (`/v1/finance/accounts`, partner API, scope
 * `finance.read`). Optimistic locking uses `lockVersion`. Fields lexoffice adds later pass through.
 *
 * @example
 * ```ts
 * const [giro] = await client.financeAccounts.list({ iban: 'DE61700009971000735224' })
 * ```
 */
export interface FinancialAccount {
  financialAccountId: string
  createdDate: string
  lastModifiedDate: string
  type: 'GIRO' | 'PAYMENT_PROVIDER' | 'CREDITCARD' | (string & {})
  accountSystem: string
  name: string
  bankName?: string
  accountHolder?: string
  balance: number
  externalReference?: string | null
  lockVersion: number
  deactivated?: boolean
  iban?: string
  bic?: string
  provider?: string
  creditCardNumber?: string
  [field: string]: unknown
}

/**
 * The filter of `financeAccounts.list`: by IBAN or by external reference (lexoffice does not
 * combine them).
 *
 * @example
 * ```ts
 * const filter: FinancialAccountFilter = { externalReference: 'psp-1' }
 * ```
 */
export type FinancialAccountFilter = { iban?: string; externalReference?: never } | { externalReference?: string; iban?: never }

/**
 * A financial transaction (`/v1/finance/transactions`, partner API, scope `finance.read`).
 *
 * @example
 * ```ts
 * const latest: FinancialTransaction = await client.financeTransactions.latest(accountId)
 * ```
 */
export interface FinancialTransaction {
  financialTransactionId: string
  financialAccountId: string
  valueDate?: string | null
  bookingDate?: string | null
  transactionDate: string
  purpose: string
  /** Positive: incoming; negative: outgoing. */
  amount: number
  feeAmount?: number | null
  openAmount?: number | null
  additionalInfo?: string | null
  state?: 'completely_assigned' | 'partly_assigned' | 'invisible' | null | (string & {})
  recipientOrSenderName?: string | null
  recipientOrSenderIban?: string | null
  externalReference?: string | null
  endToEndId?: string | null
  lockVersion: number
  [field: string]: unknown
}

/**
 * A voucher assigned to a financial transaction: `invoice` (read it with `client.invoices`) or
 * `voucher` (with `client.vouchers`).
 *
 * @example
 * ```ts
 * for (const { id, type } of await client.financeTransactions.assignments(txId)) console.log(type, id)
 * ```
 */
export interface TransactionAssignment {
  id: string
  type: 'invoice' | 'voucher' | (string & {})
}

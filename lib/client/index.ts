/**
 * The typed lexoffice API client: `LexofficeClient`, its factory, rate limiters, types.
 *
 * @packageDocumentation
 */
export type { AccessTokenProvider } from './AccessTokenProvider'
export { LexofficeClient } from './LexofficeClient'
export { createLexofficeClient } from './createLexofficeClient'
export type {
  LexofficeClientOptions,
  LexofficeClientCommonOptions,
  LexofficeClientHooks,
  LexofficeRequestInfo,
  LexofficeResponseInfo,
  RateLimitOptions,
  RateLimitScope,
  RetryOptions,
} from './LexofficeClientOptions'
export { LexofficeSearchWindowError, SEARCH_WINDOW } from './LexofficeSearchWindowError'
export { encodeSearchString } from './encodeSearchString'
export type { QueryValue } from './encodeSearchString'
export { parseApiError } from './parseApiError'
export type { RateLimiter, RateLimitSettings } from './rateLimit/RateLimiter'
export { DEFAULT_RATE_PER_SECOND } from './rateLimit/RateLimiter'
export { MemoryRateLimiter } from './rateLimit/MemoryRateLimiter'
export { RedisRateLimiter } from '../redis/RedisRateLimiter'
export type { RedisRateLimiterOptions } from '../redis/RedisRateLimiter'
export { ProfileResource } from './resources/ProfileResource'
export { ContactsResource } from './resources/ContactsResource'
export { SalesVoucherResource } from './resources/SalesVoucherResource'
export { VouchersResource } from './resources/VouchersResource'
export { VoucherlistResource } from './resources/VoucherlistResource'
export { ArticlesResource } from './resources/ArticlesResource'
export { EventSubscriptionsResource } from './resources/EventSubscriptionsResource'
export { ListOnlyResource } from './resources/ListOnlyResource'
export { FilesResource } from './resources/FilesResource'
export { DownPaymentInvoicesResource } from './resources/DownPaymentInvoicesResource'
export { DunningsResource } from './resources/DunningsResource'
export { RecurringTemplatesResource } from './resources/RecurringTemplatesResource'
export { PaymentsResource } from './resources/PaymentsResource'
export { InvoicesResource } from './resources/InvoicesResource'
export { ContactBankAccountsResource } from './resources/ContactBankAccountsResource'
export { OrganizationResource } from './resources/OrganizationResource'
export { PartnerIntegrationsResource } from './resources/PartnerIntegrationsResource'
export { CashBoxesResource } from './resources/CashBoxesResource'
export { FinanceAccountsResource } from './resources/FinanceAccountsResource'
export { FinanceTransactionsResource } from './resources/FinanceTransactionsResource'
export type * from './types/common'
export type * from './types/profile'
export type * from './types/contacts'
export type * from './types/salesVouchers'
export type * from './types/vouchers'
export type * from './types/articles'
export type * from './types/eventSubscriptions'
export type * from './types/reference'
export type * from './types/payments'
export type * from './types/dunnings'
export type * from './types/downPaymentInvoices'
export type * from './types/recurringTemplates'
export type * from './types/contactBankAccounts'
export type * from './types/organization'
export type * from './types/cashBoxes'
export type * from './types/finance'

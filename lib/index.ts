/**
 * passport-lexoffice: sign users in with lexoffice (Lexware Office) and call its API on their
 * behalf with tokens that never go stale.
 *
 * The main entry holds what the README's Quick start and its Advanced, API client, Webhooks,
 * refresher and Errors sections use. Subpaths: `passport-lexoffice/redis` (Redis token store,
 * lock, rate limiter and webhook dedupe store), `passport-lexoffice/postgres` (the same on
 * PostgreSQL), `passport-lexoffice/sandbox` (the in-process lexoffice sandbox and its webhook
 * signing helper, for tests and demos). The API report of each entry is in `api/`.
 *
 * @packageDocumentation
 */
import './express/augment'

// The one configuration
export { Lexoffice, createLexoffice } from './config/Lexoffice'
export type { LexofficeRefresherOptions } from './config/Lexoffice'
export type {
  LexofficeCustomEnvironment,
  LexofficeEncryptionOption,
  LexofficeOptions,
  LexofficeRedisClient,
} from './config/LexofficeOptions'
export type { LexofficeEndpoints, LexofficeEnvironment } from './endpoints'
export type { FetchLike } from './http/httpRequest'

// Strategy
export { LexofficeStrategy } from './strategy/LexofficeStrategy'
export type { LexofficeAuthInfo, LexofficeAuthenticateOptions } from './strategy/LexofficeStrategy'
export type { LexofficeConnection, LexofficeUser, LexofficeVerify } from './strategy/LexofficeConnection'
export type { LexofficeProfile, LexofficeProfileJson } from './strategy/profile'

// Express: what the configuration's routes, guard and error handler take and give
export type { LexofficeRoutesOptions } from './express/signInRoutes'
export type { LexofficeConnectRoutesOptions } from './express/connectRoutes'
export type { PassportLike } from './express/routeKit'
export type { LexofficeGuard } from './express/lexofficeGuard'
export type { LexofficeErrorHandler } from './express/lexofficeErrorHandler'
export type { LexofficeRender, LexofficeView } from './express/answers'
export type { LexofficeRequestContext } from './express/LexofficeRequestContext'

// Errors
export {
  ErrorCodes,
  LexofficeApiError,
  LexofficeAuthLostError,
  LexofficeAuthorizationError,
  LexofficeError,
  LexofficeOAuthError,
  isLexofficeError,
} from './errors'
export type { LexofficeErrorCode, LexofficeErrorDetail, LexofficeErrorOptions } from './errors'
export { LexofficeSearchWindowError } from './client/LexofficeSearchWindowError'

// Tokens (Advanced): the one refresh path, the stores without a database, the store contract
export { TokenManager } from './tokens/TokenManager'
export type { ConnectionBookkeeping, ConnectionStatus, DisconnectResult, GetAccessTokenOptions } from './tokens/ConnectionStatus'
export type { TokenManagerOAuthOptions, TokenManagerOptions, TokenManagerRetryOptions } from './tokens/resolveTokenManagerOptions'
export type * from './tokens/events'
export type { ConnectionTokenProvider } from './tokens/ConnectionTokenProvider'
export type { ConnectionIds } from './tokens/records'
export type { ConnectionDetails, TokenInfo, TokenRecord, TokenSet } from './tokens/TokenSet'
export type { LockHandle, RefreshLock, TokenStore } from './tokens/TokenStore'
export { MemoryTokenStore } from './tokens/stores/MemoryTokenStore'
export type { MemoryTokenStoreOptions } from './tokens/stores/MemoryTokenStore'
export { ExpressSessionTokenStore } from './tokens/stores/ExpressSessionTokenStore'
export type { ExpressSessionTokenStoreOptions, SessionStoreLike } from './tokens/stores/ExpressSessionTokenStore'
export { MemoryLock } from './tokens/locks/MemoryLock'
export type { MemoryLockOptions } from './tokens/locks/MemoryLock'
export { encryptionKeysFromEnv } from './tokens/crypto/encryptionKeysFromEnv'
export type { DecryptErrorEvent, DecryptErrorReason, TokenCipher, TokenCipherOptions } from './tokens/crypto/TokenCipher'
export type { EncryptionOption } from './tokens/stores/recordCodec'
export type { SharedStoreEncryption } from './tokens/stores/sharedStoreEncryption'

// The low-level OAuth client (token and revoke endpoints), for an advanced user
export { LexofficeOAuthClient } from './oauth/LexofficeOAuthClient'
export type { LexofficeOAuthClientOptions, LexofficeTokenResponse } from './oauth/LexofficeOAuthClient'

// API client
export { LexofficeClient } from './client/LexofficeClient'
export { createLexofficeClient } from './client/createLexofficeClient'
export type { AccessTokenProvider } from './client/AccessTokenProvider'
export type {
  LexofficeClientCommonOptions,
  LexofficeClientHooks,
  LexofficeClientOptions,
  LexofficeRequestInfo,
  LexofficeResponseInfo,
  RateLimitOptions,
  RateLimitScope,
  RetryOptions,
} from './client/LexofficeClientOptions'
export type { QueryValue } from './client/encodeSearchString'
export type { RateLimitSettings, RateLimiter } from './client/rateLimit/RateLimiter'
export { MemoryRateLimiter } from './client/rateLimit/MemoryRateLimiter'
// The resource classes, as types: `client.contacts` and the others are their instances.
export type { ArticlesResource } from './client/resources/ArticlesResource'
export type { CashBoxesResource } from './client/resources/CashBoxesResource'
export type { ContactBankAccountsResource } from './client/resources/ContactBankAccountsResource'
export type { ContactsResource } from './client/resources/ContactsResource'
export type { DownPaymentInvoicesResource } from './client/resources/DownPaymentInvoicesResource'
export type { DunningsResource } from './client/resources/DunningsResource'
export type { EventSubscriptionsResource } from './client/resources/EventSubscriptionsResource'
export type { FilesResource } from './client/resources/FilesResource'
export type { FinanceAccountsResource } from './client/resources/FinanceAccountsResource'
export type { FinanceTransactionsResource } from './client/resources/FinanceTransactionsResource'
export type { InvoicesResource } from './client/resources/InvoicesResource'
export type { ListOnlyResource } from './client/resources/ListOnlyResource'
export type { OrganizationResource } from './client/resources/OrganizationResource'
export type { PartnerIntegrationsResource } from './client/resources/PartnerIntegrationsResource'
export type { PaymentsResource } from './client/resources/PaymentsResource'
export type { ProfileResource } from './client/resources/ProfileResource'
export type { RecurringTemplatesResource } from './client/resources/RecurringTemplatesResource'
export type { SalesVoucherResource } from './client/resources/SalesVoucherResource'
export type { VoucherlistResource } from './client/resources/VoucherlistResource'
export type { VouchersResource } from './client/resources/VouchersResource'
export type * from './client/types/common'
export type * from './client/types/profile'
export type * from './client/types/contacts'
export type * from './client/types/salesVouchers'
export type * from './client/types/vouchers'
export type * from './client/types/articles'
export type * from './client/types/eventSubscriptions'
export type * from './client/types/reference'
export type * from './client/types/payments'
export type * from './client/types/dunnings'
export type * from './client/types/downPaymentInvoices'
export type * from './client/types/recurringTemplates'
export type * from './client/types/contactBankAccounts'
export type * from './client/types/organization'
export type * from './client/types/cashBoxes'
export type * from './client/types/finance'

// Webhooks
export { lexofficeWebhooks } from './webhooks/lexofficeWebhooks'
export type {
  LexofficeEventContext,
  LexofficeTokenRevocation,
  LexofficeWebhookErrorInfo,
  LexofficeWebhookHandler,
  LexofficeWebhookRejection,
  LexofficeWebhookStage,
  LexofficeWebhooksOptions,
} from './webhooks/lexofficeWebhooks'
export { lexofficeRawBody } from './webhooks/lexofficeRawBody'
export type { LexofficeRawBodyHook } from './webhooks/lexofficeRawBody'
export { verifyLexofficeSignature } from './webhooks/verifyLexofficeSignature'
export { parseLexofficeEvent } from './webhooks/parseLexofficeEvent'
export { LEXOFFICE_WEBHOOK_PUBLIC_KEY_URL } from './webhooks/lexofficePublicKey'
export type {
  LexofficeEvent,
  LexofficeEventFields,
  LexofficeEventType,
  LexofficeKnownEvent,
  LexofficeUnknownEvent,
} from './webhooks/events'
export { MemoryWebhookDedupeStore } from './webhooks/dedupe/MemoryWebhookDedupeStore'
export type { MemoryWebhookDedupeStoreOptions } from './webhooks/dedupe/MemoryWebhookDedupeStore'
export type { WebhookDedupeClaim, WebhookDedupeStore } from './webhooks/dedupe/WebhookDedupeStore'
export { autoSubscribe } from './webhooks/autoSubscribe'
export { ensureSubscriptions } from './webhooks/ensureSubscriptions'
export type {
  AutoSubscribeErrorInfo,
  AutoSubscribeInfo,
  AutoSubscribeManager,
  AutoSubscribeOptions,
  AutoSubscribeStage,
  AutoSubscription,
} from './webhooks/autoSubscribe'
export type {
  EnsureSubscriptionsClient,
  EnsureSubscriptionsResult,
  EnsuredSubscription,
  FailedSubscription,
  WantedSubscription,
} from './webhooks/ensureSubscriptions'

// Keeping idle connections alive, health
export { BackgroundRefresher } from './refresher/BackgroundRefresher'
export type { BackgroundRefresherEvents, BackgroundRefresherOptions } from './refresher/BackgroundRefresher'
export { runRefreshOnce } from './refresher/runRefreshOnce'
export type {
  RefreshConnectionResult,
  RefreshOutcome,
  RefreshRunSummary,
  RefresherManager,
  RunRefreshOnceOptions,
} from './refresher/runRefreshOnce'
export { lexofficeHealth, lexofficeHealthRoute } from './refresher/health'
export type { LexofficeHealthOptions, LexofficeHealthReport } from './refresher/health'
export { listConnectionStatus } from './refresher/listConnectionStatus'
export type { StoredConnectionStatus } from './refresher/listConnectionStatus'

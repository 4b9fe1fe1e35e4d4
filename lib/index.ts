/**
 * passport-lexoffice: sign users in with lexoffice (Lexware Office) and call its API on their
 * behalf with tokens that never go stale.
 *
 * Subpaths: `passport-lexoffice/redis` (Redis token store and lock; load it only with Redis),
 * `passport-lexoffice/sandbox` (the in-process lexoffice sandbox for tests and demos).
 *
 * @packageDocumentation
 */
import './express/augment'

// Errors and endpoints
export * from './errors'
export { LEXOFFICE_ENDPOINTS, resolveEndpoints } from './endpoints'
export type { EndpointOptions, LexofficeEndpoints, LexofficeEnvironment } from './endpoints'
export type { FetchLike } from './http/httpRequest'

// OAuth client (token and revoke endpoints)
export { LexofficeOAuthClient, MAX_TOKEN_LIFETIME_SECONDS } from './oauth/LexofficeOAuthClient'
export type { LexofficeOAuthClientOptions, LexofficeTokenResponse } from './oauth/LexofficeOAuthClient'

// The one configuration
export { Lexoffice, createLexoffice } from './config/Lexoffice'
export type { LexofficeRefresherOptions } from './config/Lexoffice'
export type {
  LexofficeCustomEnvironment,
  LexofficeEncryptionOption,
  LexofficeOptions,
  LexofficeRedisClient,
} from './config/LexofficeOptions'

// Strategy
export { LexofficeStrategy } from './strategy/LexofficeStrategy'
export type { LexofficeAuthInfo, LexofficeAuthenticateOptions } from './strategy/LexofficeStrategy'
export type { LexofficeConnection, LexofficeUser, LexofficeVerify } from './strategy/LexofficeConnection'
export { computeCodeChallenge, generateCodeVerifier, generateState } from './strategy/pkce'
export { mapLexofficeProfile } from './strategy/profile'
export type { LexofficeProfile, LexofficeProfileJson } from './strategy/profile'
export { sanitizeReturnTo } from './strategy/returnTo'

// Express
export type { LexofficeRoutesOptions } from './express/signInRoutes'
export type { LexofficeConnectRoutesOptions } from './express/connectRoutes'
export type { PassportLike } from './express/routeKit'
export type { LexofficeGuard } from './express/lexofficeGuard'
export type { LexofficeErrorHandler } from './express/lexofficeErrorHandler'
export type { LexofficeRender, LexofficeView } from './express/answers'

// Tokens
export { describeTokenSet } from './tokens/TokenSet'
export type { TokenInfo, TokenRecord, TokenSet } from './tokens/TokenSet'
export type { LockHandle, RefreshLock, TokenStore } from './tokens/TokenStore'
export { TokenManager } from './tokens/TokenManager'
export type { ConnectionBookkeeping, ConnectionStatus, DisconnectResult, GetAccessTokenOptions } from './tokens/TokenManager'
export type { TokenManagerOAuthOptions, TokenManagerOptions, TokenManagerRetryOptions } from './tokens/resolveTokenManagerOptions'
export type * from './tokens/events'
export type { ConnectionTokenProvider } from './tokens/ConnectionTokenProvider'
export type { ConnectionIds } from './tokens/records'
export type { ConnectionDetails } from './tokens/TokenSet'
export { LOST_AFTER_INTERRUPTED, LOST_INVALID_GRANT } from './tokens/lostReasons'
export { MemoryTokenStore } from './tokens/stores/MemoryTokenStore'
export type { MemoryTokenStoreOptions } from './tokens/stores/MemoryTokenStore'
export { ExpressSessionTokenStore } from './tokens/stores/ExpressSessionTokenStore'
export type { ExpressSessionTokenStoreOptions, SessionStoreLike } from './tokens/stores/ExpressSessionTokenStore'
export { MemoryLock } from './tokens/locks/MemoryLock'
export type { MemoryLockOptions } from './tokens/locks/MemoryLock'
export { TokenCipher } from './tokens/crypto/TokenCipher'
export { ENCRYPTION_KEYS_ENV, encryptionKeysFromEnv } from './tokens/crypto/encryptionKeysFromEnv'
export type { DecryptErrorEvent, DecryptErrorReason, TokenCipherOptions } from './tokens/crypto/TokenCipher'
export type { EncryptionOption } from './tokens/stores/recordCodec'
export type { SharedStoreEncryption } from './tokens/stores/sharedStoreEncryption'

// Express
export { lexoffice } from './express/lexofficeMiddleware'
export type { LexofficeHandler, LexofficeMiddlewareOptions } from './express/lexofficeMiddleware'
export { LexofficeRequestContext } from './express/LexofficeRequestContext'
export type { LexofficeClientFactory, LexofficeKeyResolver } from './express/LexofficeRequestContext'
export { lexofficeAuthErrorHandler, requireLexoffice } from './express/requireLexoffice'
export type { LexofficeAuthProblem, RequireLexofficeHandler, RequireLexofficeOptions } from './express/requireLexoffice'

// API client
export * from './client'

// Webhooks
export { verifyLexofficeSignature } from './webhooks/verifyLexofficeSignature'
export { assertLexofficeSignature } from './webhooks/assertLexofficeSignature'
export { signLexofficePayload } from './webhooks/signLexofficePayload'
export { parseLexofficeEvent } from './webhooks/parseLexofficeEvent'
export { LEXOFFICE_EVENT_TYPES, isLexofficeEventType } from './webhooks/events'
export type {
  LexofficeEvent,
  LexofficeEventFields,
  LexofficeEventType,
  LexofficeKnownEvent,
  LexofficeUnknownEvent,
} from './webhooks/events'
export { LEXOFFICE_WEBHOOK_PUBLIC_KEY, LEXOFFICE_WEBHOOK_PUBLIC_KEY_URL } from './webhooks/lexofficePublicKey'
export { lexofficeRawBody } from './webhooks/lexofficeRawBody'
export type { LexofficeRawBodyHook } from './webhooks/lexofficeRawBody'
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
export { MemoryWebhookDedupeStore } from './webhooks/dedupe/MemoryWebhookDedupeStore'
export type { MemoryWebhookDedupeStoreOptions } from './webhooks/dedupe/MemoryWebhookDedupeStore'
export type { WebhookDedupeClaim, WebhookDedupeStore } from './webhooks/dedupe/WebhookDedupeStore'

export { ensureSubscriptions } from './webhooks/ensureSubscriptions'
export type {
  EnsureSubscriptionsClient,
  EnsureSubscriptionsResult,
  EnsuredSubscription,
  FailedSubscription,
  WantedSubscription,
} from './webhooks/ensureSubscriptions'
export { autoSubscribe } from './webhooks/autoSubscribe'
export type {
  AutoSubscribeErrorInfo,
  AutoSubscribeInfo,
  AutoSubscribeManager,
  AutoSubscribeOptions,
  AutoSubscribeStage,
  AutoSubscription,
} from './webhooks/autoSubscribe'

// Background refresher, health
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
export { listConnectionStatus } from './refresher/listConnectionStatus'
export type { StoredConnectionStatus } from './refresher/listConnectionStatus'
export type { LexofficeHealthOptions, LexofficeHealthReport } from './refresher/health'

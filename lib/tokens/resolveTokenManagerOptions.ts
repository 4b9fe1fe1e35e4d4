import { type LexofficeEnvironment, resolveEndpoints } from '../endpoints'
import type { FetchLike } from '../http/httpRequest'
import { LexofficeOAuthClient } from '../oauth/LexofficeOAuthClient'
import { assertFunction, assertInteger, assertKnownKeys, assertObject, assertString, assertUrl, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import type { RefreshLock, TokenStore } from './TokenStore'

/**
 * Client credentials and endpoints, for when {@link TokenManagerOptions.oauth} is not a ready
 * {@link LexofficeOAuthClient}. `apiURL` and `authorizationURL` are accepted (and `apiURL` used)
 * so that `{ ...sb.client, ...sb.endpoints }` works.
 *
 * @example
 * ```ts
 * const oauth: TokenManagerOAuthOptions = { clientID: 'id', clientSecret: process.env.SECRET!, environment: 'sandbox', timeoutMs: 5_000 }
 * ```
 */
export interface TokenManagerOAuthOptions {
  clientID: string
  clientSecret: string
  /** `production` (default) or `sandbox` (lexoffice's partner sandbox). */
  environment?: LexofficeEnvironment
  tokenURL?: string
  revokeURL?: string
  apiURL?: string
  authorizationURL?: string
  /** Timeout of each token or revoke call, ms. Default 10 000. */
  timeoutMs?: number
  fetch?: FetchLike
}

/**
 * Retries of a refresh after a transient failure (token endpoint 5xx, timeout, network). While
 * the access token is still valid, no retry happens inside the call: the valid token is served
 * and a later call (after a short cooldown) tries again. 429 is never retried at once.
 *
 * @example
 * ```ts
 * const retry: TokenManagerRetryOptions = { attempts: 4, minDelayMs: 200, maxDelayMs: 2_000 }
 * ```
 */
export interface TokenManagerRetryOptions {
  /** Token endpoint calls per refresh while the access token is already expired. Default 3. */
  attempts?: number
  /** First backoff, ms; doubles per attempt, with jitter. Default 250. */
  minDelayMs?: number
  /** Backoff cap, ms. Default 5 000. */
  maxDelayMs?: number
}

/**
 * Options of {@link TokenManager}. Resolved once, at construction; bad values throw a
 * `TypeError` with `code` `ERR_INVALID_ARG_TYPE` or `ERR_INVALID_ARG_VALUE`.
 *
 * @example
 * ```ts
 * const options: TokenManagerOptions = {
 *   store: new RedisTokenStore({ client: redis, encryption: encryptionKeysFromEnv()! }),
 *   oauth: { clientID: process.env.LEXOFFICE_CLIENT_ID!, clientSecret: process.env.LEXOFFICE_CLIENT_SECRET! },
 *   refreshAheadMs: 15 * 60_000,
 * }
 * ```
 */
export interface TokenManagerOptions {
  /** Where token records live (Memory, Redis, express-session). */
  store: TokenStore
  /** A {@link LexofficeOAuthClient}, or the credentials to build one. */
  oauth: LexofficeOAuthClient | TokenManagerOAuthOptions
  /** API base (without `/v1`) for request contexts. Default: from `oauth.apiURL`/`environment`, else production. */
  apiURL?: string
  /** Refresh this long before expiry at the latest. Default 15 min. */
  refreshAheadMs?: number
  /** Up to this much earlier still, a random amount fixed per manager, so instances do not align. Default 2 min. */
  refreshJitterMs?: number
  /**
   * The cross-process refresh lock. Default `store.createLock?.()`. `false` states single-process
   * mode explicitly (only in-process coalescing): never use it with several processes.
   */
  lock?: RefreshLock | false
  /** Lock time to live, ms. Default 30 000; must be at least twice the OAuth timeout. */
  lockTtlMs?: number
  /** How long a caller waits for another process's refresh, ms. Default `lockTtlMs` + OAuth timeout. */
  lockWaitMs?: number
  /** Store calls slower than this fail with `STORE_UNAVAILABLE`, ms. Default 5 000. */
  storeTimeoutMs?: number
  retry?: TokenManagerRetryOptions
  /** Lifetime assumed when lexoffice sends no `expires_in`. Default 4 h. */
  assumedLifetimeMs?: number
  /** Clock for expiry decisions (ms since epoch). Default `Date.now`. Test seam, not an option. @internal */
  now?: () => number
}

/** @internal */
export interface ResolvedTokenManagerOptions {
  store: TokenStore
  oauth: LexofficeOAuthClient
  apiURL: string
  refreshAheadMs: number
  refreshJitterMs: number
  lock: RefreshLock | undefined
  lockTtlMs: number
  lockWaitMs: number
  storeTimeoutMs: number
  retry: { attempts: number; minDelayMs: number; maxDelayMs: number }
  assumedLifetimeMs: number
  now: () => number
}

const KNOWN = optionKeys<TokenManagerOptions>()([
  'store',
  'oauth',
  'apiURL',
  'refreshAheadMs',
  'refreshJitterMs',
  'lock',
  'lockTtlMs',
  'lockWaitMs',
  'storeTimeoutMs',
  'retry',
  'assumedLifetimeMs',
  'now',
])
const OAUTH_KNOWN = optionKeys<TokenManagerOAuthOptions>()([
  'clientID',
  'clientSecret',
  'environment',
  'tokenURL',
  'revokeURL',
  'apiURL',
  'authorizationURL',
  'timeoutMs',
  'fetch',
])
const RETRY_KNOWN = optionKeys<TokenManagerRetryOptions>()(['attempts', 'minDelayMs', 'maxDelayMs'])
const HOUR = 3_600_000

/** Defaults of `refreshAheadMs` and `refreshJitterMs` (the token cache serves nothing later than both allow). @internal */
export const DEFAULT_REFRESH_AHEAD_MS = 15 * 60_000
/** @internal */
export const DEFAULT_REFRESH_JITTER_MS = 2 * 60_000

/**
 * Applies defaults and checks every {@link TokenManagerOptions} value once.
 *
 * @internal
 */
export function resolveTokenManagerOptions(options: TokenManagerOptions): ResolvedTokenManagerOptions {
  assertObject(options, 'options')
  assertKnownKeys(options, KNOWN, 'TokenManager')
  const store = options.store
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  if (store === null || typeof store !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', '"store" must be a TokenStore')
  // eslint-disable-next-line @typescript-eslint/unbound-method -- only checked for being a function here, never called unbound
  for (const m of ['get', 'set', 'destroy'] as const) assertFunction(store[m], `store.${m}`)

  let oauth: LexofficeOAuthClient
  let apiURL: string | undefined = options.apiURL
  if (options.oauth instanceof LexofficeOAuthClient) {
    oauth = options.oauth
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  } else if (options.oauth !== null && typeof options.oauth === 'object') {
    const o = options.oauth
    assertKnownKeys(o, OAUTH_KNOWN, 'oauth')
    const endpoints = resolveEndpoints({
      ...(o.environment !== undefined && { environment: o.environment }),
      ...(o.tokenURL !== undefined && { tokenURL: o.tokenURL }),
      ...(o.revokeURL !== undefined && { revokeURL: o.revokeURL }),
      ...(o.apiURL !== undefined && { apiURL: o.apiURL }),
    })
    oauth = new LexofficeOAuthClient({
      clientID: o.clientID,
      clientSecret: o.clientSecret,
      tokenURL: endpoints.tokenURL,
      revokeURL: endpoints.revokeURL,
      ...(o.timeoutMs !== undefined && { timeoutMs: o.timeoutMs }),
      ...(o.fetch !== undefined && { fetch: o.fetch }),
    })
    apiURL ??= endpoints.apiURL
  } else {
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"oauth" must be a LexofficeOAuthClient or { clientID, clientSecret }')
  }
  apiURL ??= resolveEndpoints({}).apiURL
  assertUrl(apiURL, 'apiURL')
  apiURL = apiURL.replace(/\/+$/, '').replace(/\/v1$/, '')

  const refreshAheadMs = options.refreshAheadMs ?? DEFAULT_REFRESH_AHEAD_MS
  assertInteger(refreshAheadMs, 'refreshAheadMs', 0, 2 * HOUR)
  const refreshJitterMs = options.refreshJitterMs ?? DEFAULT_REFRESH_JITTER_MS
  assertInteger(refreshJitterMs, 'refreshJitterMs', 0, HOUR)

  let lock: RefreshLock | undefined
  if (options.lock === false) lock = undefined
  else if (options.lock !== undefined) lock = options.lock
  else if (typeof store.createLock === 'function') lock = store.createLock()
  if (lock !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
    if (lock === null || typeof lock !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', '"lock" must be a RefreshLock or false')
    // eslint-disable-next-line @typescript-eslint/unbound-method -- only checked for being a function here, never called unbound
    assertFunction(lock.tryAcquire, 'lock.tryAcquire')
  }

  const lockTtlMs = options.lockTtlMs ?? 30_000
  assertInteger(lockTtlMs, 'lockTtlMs', 100, 10 * 60_000)
  if (lockTtlMs < 2 * oauth.timeoutMs) {
    // docs/security.md §6 rule 3: a token call (plus the persist) must finish well within the lock's lifetime.
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `"lockTtlMs" (${lockTtlMs}) must be at least twice the OAuth timeout (${oauth.timeoutMs} ms), so a refresh finishes while the lock is held`,
    )
  }
  const lockWaitMs = options.lockWaitMs ?? lockTtlMs + oauth.timeoutMs
  assertInteger(lockWaitMs, 'lockWaitMs', 0, 10 * 60_000)
  const storeTimeoutMs = options.storeTimeoutMs ?? 5_000
  assertInteger(storeTimeoutMs, 'storeTimeoutMs', 1, 60_000)

  const r = options.retry ?? {}
  assertObject(r, 'retry')
  assertKnownKeys(r, RETRY_KNOWN, 'retry')
  const retry = { attempts: r.attempts ?? 3, minDelayMs: r.minDelayMs ?? 250, maxDelayMs: r.maxDelayMs ?? 5_000 }
  assertInteger(retry.attempts, 'retry.attempts', 1, 10)
  assertInteger(retry.minDelayMs, 'retry.minDelayMs', 0, 60_000)
  assertInteger(retry.maxDelayMs, 'retry.maxDelayMs', retry.minDelayMs, 5 * 60_000)

  const assumedLifetimeMs = options.assumedLifetimeMs ?? 4 * HOUR
  assertInteger(assumedLifetimeMs, 'assumedLifetimeMs', 1_000, 48 * HOUR)
  const now = options.now ?? Date.now
  assertFunction(now, 'now')

  return {
    store,
    oauth,
    apiURL,
    refreshAheadMs,
    refreshJitterMs,
    lock,
    lockTtlMs,
    lockWaitMs,
    storeTimeoutMs,
    retry,
    assumedLifetimeMs,
    now,
  }
}

/** Checks a connection key: a non-empty string of at most 512 characters. @internal */
export function assertKey(key: unknown): asserts key is string {
  // The common case without a call (this runs on every token read); assertString gives the errors.
  if (typeof key === 'string' && key.length > 0 && key.length <= 512) return
  assertString(key, 'key', { max: 512 })
}

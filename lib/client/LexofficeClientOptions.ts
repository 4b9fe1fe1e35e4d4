import { createHash, randomUUID } from 'node:crypto'
import type { LexofficeEnvironment } from '../endpoints'
import { resolveEndpoints } from '../endpoints'
import type { FetchLike } from '../http/httpRequest'
import { assertFunction, assertInteger, assertKnownKeys, assertObject, assertString, invalidArg, isObject } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import type { AccessTokenProvider } from './AccessTokenProvider'
import { MemoryRateLimiter } from './rateLimit/MemoryRateLimiter'
import { DEFAULT_RATE_PER_SECOND, type RateLimiter, type RateLimitSettings } from './rateLimit/RateLimiter'
import type { RedisClientLike } from '../redis/redisAdapter'
import type { RedisRateLimiter, RedisRateLimiterOptions } from '../redis/RedisRateLimiter'

/**
 * What {@link LexofficeClientHooks.onRequest} receives. Never contains a token, a query string or a body.
 *
 * @example
 * ```ts
 * const hooks: LexofficeClientHooks = { onRequest: ({ method, path, attempt }) => log.debug({ method, path, attempt }, 'lexoffice request') }
 * ```
 */
export interface LexofficeRequestInfo {
  /** HTTP method. */
  method: string
  /** Path without query, e.g. `/v1/contacts/4f1c...`. */
  path: string
  /** 1 for the first try, 2 for the first retry... */
  attempt: number
  /** Milliseconds this attempt waited for the rate limiter. */
  rateLimitWaitMs: number
}

/**
 * What {@link LexofficeClientHooks.onResponse} receives, once per attempt.
 *
 * @example
 * ```ts
 * const hooks: LexofficeClientHooks = { onResponse: (i) => metrics.histogram('lexoffice.ms', i.durationMs, { status: String(i.status) }) }
 * ```
 */
export interface LexofficeResponseInfo extends LexofficeRequestInfo {
  /** HTTP status, or `undefined` when no answer came (timeout, network error). */
  status: number | undefined
  /** Milliseconds from sending to the full answer (or the failure). */
  durationMs: number
  /** The error code this attempt ended in (e.g. `TIMEOUT`, `API_RATE_LIMITED`), if any. */
  errorCode: string | undefined
  /** Whether the client will try again. */
  willRetry: boolean
}

/**
 * Per-request callbacks for logging and metrics. They run synchronously; what they throw is
 * ignored. They never receive secrets.
 *
 * @example
 * ```ts
 * const hooks: LexofficeClientHooks = {
 *   onResponse: ({ method, path, status, durationMs }) => log.info({ method, path, status, durationMs }, 'lexoffice'),
 * }
 * ```
 */
export interface LexofficeClientHooks {
  /** Before each attempt is sent (after the rate-limit wait). */
  onRequest?(info: LexofficeRequestInfo): void
  /** After each attempt. */
  onResponse?(info: LexofficeResponseInfo): void
}

/**
 * Who shares one pacing budget (see {@link RateLimitOptions.scope}).
 *
 * @example
 * ```ts
 * const scope: RateLimitScope = 'connection' // one budget per connection key
 * ```
 */
export type RateLimitScope = 'client' | 'connection'

/**
 * Client-side pacing. Default: 1.9 requests per second, burst 1, one budget for the whole app
 * (scope `client`), in this process. Give `redis` (or a `limiter`) to share the budget across
 * processes.
 *
 * @example
 * ```ts
 * const rateLimit: RateLimitOptions = { redis: ioredisClient, keyPrefix: 'myapp:lexoffice:rl:', clientId: process.env.LEXOFFICE_CLIENT_ID! }
 * ```
 */
export interface RateLimitOptions extends RateLimitSettings {
  /**
   * Who shares one budget. lexoffice allows "a client" 2 requests per second and does not say
   * whether that client is a connection (an access token or API key), the partner app (its OAuth
   * client id) or the company: the limit's scope is undocumented.
   *
   * - `'client'` (default): every connection of this app shares one budget, keyed by `clientId`
   *   (in this process, or across processes with `redis`). Safe whichever way lexoffice counts:
   *   the app as a whole never exceeds the limit, so no connection is refused because another
   *   one was busy. The cost: all connections together get ~1.9 requests per second.
   * - `'connection'`: each connection (its `connectionKey`) has its own budget. N busy
   *   connections send up to N x 1.9 requests per second, which is right only if lexoffice
   *   counts per connection; choose it only when you know that and need the throughput.
   *
   * With an API key both scopes mean the key: a key is its own client and connection.
   */
  scope?: RateLimitScope
  /**
   * The OAuth client id the shared budget of scope `client` is keyed by (so that apps sharing a
   * Redis keep apart). Default: one budget for every token-provider client of this process (and,
   * with `redis`, of every process using the same `keyPrefix`).
   */
  clientId?: string
  /** Your own limiter (overrides `redis`, `ratePerSecond`, `burst`). */
  limiter?: RateLimiter
  /** A node-redis or ioredis client: use a `RedisRateLimiter` (`passport-lexoffice/redis`) shared by all processes. */
  redis?: RedisClientLike
  /** Redis key prefix for `redis`. Default `lexoffice:ratelimit:`. */
  keyPrefix?: string
}

/**
 * Bounded retries with exponential backoff and jitter (delay `min(maxDelayMs, baseDelayMs * 2^n)`,
 * randomised to between half and all of it).
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { retries: 3, baseDelayMs: 250 }
 * ```
 */
export interface RetryOptions {
  /**
   * Retries of GET/PUT/DELETE after 500/502/503/504, timeouts and network errors. A POST is
   * retried only when the connection was refused before anything was sent (ECONNREFUSED, DNS
   * failure, connect timeout): after a timeout, a reset or a 5xx lexoffice may have performed it.
   * Default 2.
   */
  retries?: number
  /** Retries after 429 (any method: lexoffice did not perform the call). Default 4. */
  rateLimitRetries?: number
  /** First backoff in ms. Default 500. */
  baseDelayMs?: number
  /** Largest backoff in ms. Default 30 000. */
  maxDelayMs?: number
}

/**
 * Options shared by every way of building a client.
 *
 * @example
 * ```ts
 * const common: LexofficeClientCommonOptions = { environment: 'sandbox', timeoutMs: 10_000, retry: { retries: 3 } }
 * ```
 */
export interface LexofficeClientCommonOptions {
  /** `production` (default, `https://api.lexware.io`) or lexoffice's partner `sandbox`. */
  environment?: LexofficeEnvironment
  /** API base URL (with or without `/v1`); overrides `environment` (e.g. our sandbox's `endpoints.apiURL`). */
  apiURL?: string
  /**
   * Timeout of every HTTP attempt (sending through reading the whole answer) in ms. Default
   * 30 000 (lexoffice's gateway gives up at 30 s too). Waiting for a rate-limit slot is not
   * part of it: a long queue of calls for one connection waits its turn.
   */
  timeoutMs?: number
  /** Largest accepted answer in bytes. Default 25 MiB (PDF documents). */
  maxResponseBytes?: number
  /**
   * The connection this client acts for, as the rate limiter's key when `rateLimit.scope` is
   * `connection`: requests with the same key share one budget. Default: derived from a hash of
   * the API key, or a random per-client id for a token provider. Required with a shared (Redis)
   * limiter, a token provider and scope `connection`. A function is called once per request (the
   * `lexoffice()` middleware passes the request's connection key). Unused in scope `client`.
   */
  connectionKey?: string | (() => string | Promise<string>)
  /** Client-side pacing; `false` turns it off. */
  rateLimit?: RateLimitOptions | false
  /** Retry policy; `false` turns retries off (401-refresh still happens). */
  retry?: RetryOptions | false
  /** Logging/metrics callbacks. */
  hooks?: LexofficeClientHooks
  /** A fetch to use instead of the built-in transport (node:http(s) with keep-alive agents; Node's fetch for file uploads), e.g. for a proxy. */
  fetch?: FetchLike
}

/**
 * Options of `new LexofficeClient(...)`: a token provider (OAuth) or a static API key, plus
 * the common options.
 *
 * @example
 * ```ts
 * const options: LexofficeClientOptions = { apiKey: process.env.LEXOFFICE_API_KEY!, timeoutMs: 10_000 }
 * ```
 */
export type LexofficeClientOptions = LexofficeClientCommonOptions &
  ({ tokenProvider: AccessTokenProvider; apiKey?: never } | { apiKey: string; tokenProvider?: never })

/**
 * What every request of one client (or of one `lexoffice()` middleware) shares: resolved once,
 * so that all transports built from it share one limiter. @internal
 */
export interface TransportSettings {
  apiURL: string
  timeoutMs: number
  maxResponseBytes: number
  limiter: RateLimiter | undefined
  /** `true` when the limiter is shared beyond this client (Redis or a given one): it needs a real connection key. */
  sharedLimiter: boolean
  /**
   * The one rate-limit key of every connection (scope `client`: `client:<clientId>`), or
   * `undefined` when each connection paces under its own key (scope `connection`).
   */
  rateLimitKey: string | undefined
  retries: number
  rateLimitRetries: number
  baseDelayMs: number
  maxDelayMs: number
  hooks: LexofficeClientHooks
  fetch: FetchLike | undefined
  /** The clock (ms) that times a token read against its slot; `performance.now` unless a test injects one. */
  now?: () => number
}

/** The connection one transport sends for: where its tokens come from, and its rate-limit key. @internal */
export interface TransportConnection {
  provider: AccessTokenProvider
  /** Resolves the rate limiter's key for one request. */
  connectionKey: () => Promise<string>
}

/** @internal */
export type ResolvedClientOptions = TransportSettings & TransportConnection

const CLIENT_OPTION_KEYS = optionKeys<LexofficeClientOptions>()([
  'tokenProvider',
  'apiKey',
  'environment',
  'apiURL',
  'timeoutMs',
  'maxResponseBytes',
  'connectionKey',
  'rateLimit',
  'retry',
  'hooks',
  'fetch',
])
const RATE_LIMIT_KEYS = optionKeys<RateLimitOptions>()(['limiter', 'redis', 'keyPrefix', 'ratePerSecond', 'burst', 'scope', 'clientId'])
const RETRY_KEYS = optionKeys<RetryOptions>()(['retries', 'rateLimitRetries', 'baseDelayMs', 'maxDelayMs'])
const HOOK_KEYS = optionKeys<LexofficeClientHooks>()(['onRequest', 'onResponse'])

/** One shared in-memory limiter per rate setting, so per-request clients of one connection share a budget. */
const sharedMemoryLimiters = new Map<string, MemoryRateLimiter>()

/** @internal Checks options and applies defaults. Throws `TypeError`s naming the option. */
export function resolveClientOptions(options: LexofficeClientOptions): ResolvedClientOptions {
  assertObject(options, 'options')
  assertKnownKeys(options, CLIENT_OPTION_KEYS, 'LexofficeClient')
  const hasKey = options.apiKey !== undefined
  const hasProvider = options.tokenProvider !== undefined
  if (hasKey === hasProvider) throw invalidArg('ERR_INVALID_ARG_VALUE', 'give exactly one of "apiKey" and "tokenProvider"')

  let provider: AccessTokenProvider
  let defaultKey: string
  if (hasKey) {
    const apiKey: unknown = options.apiKey
    assertString(apiKey, 'apiKey', { max: 8192 })
    provider = { getAccessToken: () => Promise.resolve(apiKey) }
    defaultKey = `apikey:${createHash('sha256').update(apiKey).digest('hex').slice(0, 32)}`
  } else {
    const tp: unknown = options.tokenProvider
    assertObject(tp, 'tokenProvider')
    assertFunction(tp['getAccessToken'], 'tokenProvider.getAccessToken')
    if (tp['refreshAfterUnauthorized'] !== undefined)
      assertFunction(tp['refreshAfterUnauthorized'], 'tokenProvider.refreshAfterUnauthorized')
    provider = tp as unknown as AccessTokenProvider
    defaultKey = `client:${randomUUID()}`
  }
  const { connectionKey } = options
  const settings = resolveTransportSettings(options)
  if (connectionKey !== undefined && typeof connectionKey !== 'function') assertString(connectionKey, 'connectionKey', { max: 512 })
  if (hasKey && settings.rateLimitKey !== undefined) {
    // An API key is its own client: its budget is the key's, in either scope.
    return { ...settings, rateLimitKey: undefined, provider, connectionKey: resolveConnectionKey(defaultKey) }
  }
  if (settings.rateLimitKey === undefined && settings.sharedLimiter && hasProvider && connectionKey === undefined) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      '"connectionKey" is required with a shared rate limiter, a token provider and rateLimit.scope "connection"',
    )
  }
  return { ...settings, provider, connectionKey: resolveConnectionKey(connectionKey ?? defaultKey) }
}

/**
 * @internal Checks the options every request of a client shares and applies defaults (the
 * `lexoffice()` middleware calls it once for all requests). Throws `TypeError`s naming the option.
 */
export function resolveTransportSettings(options: Omit<LexofficeClientCommonOptions, 'connectionKey'>): TransportSettings {
  const endpointInput: { environment?: LexofficeEnvironment; apiURL?: string } = {}
  if (options.environment !== undefined) endpointInput.environment = options.environment
  if (options.apiURL !== undefined) endpointInput.apiURL = options.apiURL
  const { apiURL } = resolveEndpoints(endpointInput)

  const timeoutMs = options.timeoutMs ?? 30_000
  assertInteger(timeoutMs, 'timeoutMs', 1, 300_000)
  const maxResponseBytes = options.maxResponseBytes ?? 25 * 1024 * 1024
  assertInteger(maxResponseBytes, 'maxResponseBytes', 1024)
  if (options.fetch !== undefined) assertFunction(options.fetch, 'fetch')
  const hooks = options.hooks ?? {}
  const hookFns: unknown = hooks
  assertObject(hookFns, 'hooks')
  assertKnownKeys(hookFns, HOOK_KEYS, 'hooks')
  if (hookFns['onRequest'] !== undefined) assertFunction(hookFns['onRequest'], 'hooks.onRequest')
  if (hookFns['onResponse'] !== undefined) assertFunction(hookFns['onResponse'], 'hooks.onResponse')

  let limiter: RateLimiter | undefined
  let sharedLimiter = false
  let rateLimitKey: string | undefined
  const rl = options.rateLimit ?? {}
  if (rl !== false) {
    const givenRateLimit: unknown = rl
    if (!isObject(givenRateLimit)) throw invalidArg('ERR_INVALID_ARG_TYPE', '"rateLimit" must be an object or false')
    assertKnownKeys(rl, RATE_LIMIT_KEYS, 'rateLimit')
    const scope: unknown = rl.scope ?? 'client'
    if (scope !== 'client' && scope !== 'connection') {
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"rateLimit.scope" must be "client" or "connection"')
    }
    if (rl.clientId !== undefined) assertString(rl.clientId, 'rateLimit.clientId', { max: 200 })
    if (scope === 'client') rateLimitKey = `client:${rl.clientId ?? 'default'}`
    if (rl.limiter !== undefined) {
      const given: unknown = rl.limiter
      assertObject(given, 'rateLimit.limiter')
      assertFunction(given['acquire'], 'rateLimit.limiter.acquire')
      limiter = rl.limiter
      sharedLimiter = true
    } else if (rl.redis !== undefined) {
      const settings: RedisRateLimiterOptions = { client: rl.redis }
      if (rl.ratePerSecond !== undefined) settings.ratePerSecond = rl.ratePerSecond
      if (rl.burst !== undefined) settings.burst = rl.burst
      if (rl.keyPrefix !== undefined) settings.keyPrefix = rl.keyPrefix
      // Loaded on first use, so that apps without Redis never load the Redis code.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { RedisRateLimiter: Limiter } = require('../redis/RedisRateLimiter') as { RedisRateLimiter: typeof RedisRateLimiter }
      limiter = new Limiter(settings)
      sharedLimiter = true
    } else {
      const rate = rl.ratePerSecond ?? DEFAULT_RATE_PER_SECOND
      const burst = rl.burst ?? 1
      const id = `${rate}/${burst}`
      limiter = sharedMemoryLimiters.get(id)
      if (!limiter) {
        const created = new MemoryRateLimiter({ ratePerSecond: rate, burst })
        sharedMemoryLimiters.set(id, created)
        limiter = created
      }
    }
  }

  const retry = options.retry === false ? { retries: 0, rateLimitRetries: 0 } : (options.retry ?? {})
  const givenRetry: unknown = retry
  if (!isObject(givenRetry)) throw invalidArg('ERR_INVALID_ARG_TYPE', '"retry" must be an object or false')
  assertKnownKeys(retry, RETRY_KEYS, 'retry')
  const retries = retry.retries ?? 2
  const rateLimitRetries = retry.rateLimitRetries ?? 4
  const baseDelayMs = retry.baseDelayMs ?? 500
  const maxDelayMs = retry.maxDelayMs ?? 30_000
  assertInteger(retries, 'retry.retries', 0, 10)
  assertInteger(rateLimitRetries, 'retry.rateLimitRetries', 0, 20)
  assertInteger(baseDelayMs, 'retry.baseDelayMs', 0, 60_000)
  assertInteger(maxDelayMs, 'retry.maxDelayMs', 0, 300_000)

  return {
    apiURL,
    timeoutMs,
    maxResponseBytes,
    limiter,
    sharedLimiter,
    rateLimitKey,
    retries,
    rateLimitRetries,
    baseDelayMs,
    maxDelayMs,
    hooks,
    fetch: options.fetch,
  }
}

/** Turns the `connectionKey` option into a per-request resolver that checks what it gets. */
function resolveConnectionKey(key: string | (() => string | Promise<string>)): () => Promise<string> {
  if (typeof key === 'string') return () => Promise.resolve(key)
  return async () => {
    const value = await key()
    assertString(value, 'connectionKey()', { max: 512 })
    return value
  }
}

/**
 * Pure helpers of the token lifecycle: building token sets and records, and the store guard that
 * turns store failures into typed, secret-free errors.
 *
 * @internal
 */
import { ErrorCodes, LexofficeAuthLostError, LexofficeError, isLexofficeError } from '../errors'
import { storeUnavailable } from '../failures/storeUnavailable'
import { type LexofficeTokenResponse, MAX_TOKEN_LIFETIME_SECONDS } from '../oauth/LexofficeOAuthClient'
import { invalidArg, isObject } from '../options/assert'
import { DeadlineTicker } from '../timing/DeadlineTicker'
import type { TokenRecord, TokenSet } from './TokenSet'
import type { TokenStore } from './TokenStore'
import { forgetCached } from './TokenCache'
import { isPeekable, PEEK_RECORD, type PeekableStore } from './peekRecord'

/**
 * Organisation and connection ids to store beside the tokens (a passport profile fits).
 *
 * @example
 * ```ts
 * await manager.connect(key, params, { organizationId: profile.organizationId, connectionId: profile.connectionId })
 * ```
 */
export interface ConnectionIds {
  organizationId?: string | undefined
  connectionId?: string | undefined
}

/**
 * Builds the stored token set from a token endpoint answer. A missing `refresh_token` keeps the
 * previous one (RFC 6749 §6); a missing `expires_in` gives an estimated expiry; an expiry more
 * than {@link MAX_TOKEN_LIFETIME_SECONDS} away is clamped (the answer may come from the app's own
 * `connect()` call, not only from the validating OAuth client).
 * @internal
 */
export function toTokenSet(
  res: LexofficeTokenResponse,
  previous: TokenSet | undefined,
  now: number,
  assumedLifetimeMs: number,
  ids: ConnectionIds = {},
): TokenSet {
  const given: unknown = res
  if (!isObject(given) || typeof given['access_token'] !== 'string' || given['access_token'].length === 0) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', 'the token response has no access_token')
  }
  const refreshToken = typeof res.refresh_token === 'string' && res.refresh_token.length > 0 ? res.refresh_token : previous?.refreshToken
  if (refreshToken === undefined) throw invalidArg('ERR_INVALID_ARG_VALUE', 'the token response has no refresh_token')
  const latest = now + MAX_TOKEN_LIFETIME_SECONDS * 1000
  let expiresAt: number
  let estimated = false
  if (typeof res.expiresAt === 'number' && Number.isFinite(res.expiresAt)) expiresAt = Math.min(res.expiresAt, latest)
  else if (typeof res.expires_in === 'number' && Number.isFinite(res.expires_in) && res.expires_in > 0)
    expiresAt = Math.min(now + Math.round(res.expires_in * 1000), latest)
  else {
    expiresAt = now + assumedLifetimeMs
    estimated = true
  }
  const tokens: TokenSet = { accessToken: res.access_token, refreshToken, expiresAt, obtainedAt: now }
  if (estimated) tokens.expiresAtEstimated = true
  const scope = typeof res.scope === 'string' ? res.scope : previous?.scope
  if (scope !== undefined) tokens.scope = scope
  const organizationId = ids.organizationId ?? previous?.organizationId
  if (typeof organizationId === 'string') tokens.organizationId = organizationId
  const connectionId = ids.connectionId ?? previous?.connectionId
  if (typeof connectionId === 'string') tokens.connectionId = connectionId
  return tokens
}

/** The tombstone that replaces `record` (keeps bookkeeping, drops the tokens). @internal */
export function tombstone(record: TokenRecord, reason: string, now: number): TokenRecord {
  const lost: TokenRecord = {
    version: record.version + 1,
    state: 'lost',
    lost: { reason, at: now },
    refreshCount: record.refreshCount,
    connectedAt: record.connectedAt,
  }
  if (record.lastRefreshAt !== undefined) lost.lastRefreshAt = record.lastRefreshAt
  if (record.lastError !== undefined) lost.lastError = record.lastError
  if (record.details !== undefined) lost.details = record.details
  return lost
}

/** `NOT_CONNECTED` (401): nothing is stored for the key. @internal */
export function notConnected(message = 'No lexoffice connection is stored for this user.'): LexofficeError {
  return new LexofficeError(ErrorCodes.NOT_CONNECTED, message)
}

/** The record's token set, or the typed error for a missing or lost connection. @internal */
export function activeTokens(record: TokenRecord | undefined): TokenSet {
  if (record === undefined) throw notConnected()
  if (record.state === 'lost' || record.tokens === undefined) throw new LexofficeAuthLostError(record.lost?.reason ?? 'unknown')
  return record.tokens
}

/**
 * The token store behind a timeout, with failures mapped to `STORE_UNAVAILABLE` (503). A store
 * that declares itself `inProcess` (it answers from this process's memory and cannot hang) is
 * read without the guard: its read is on the path of every API request. @internal
 */
export class GuardedStore {
  readonly #store: TokenStore
  readonly #timeoutMs: number
  readonly #deadlines: DeadlineTicker
  readonly #inProcess: boolean
  /**
   * The store has a synchronous read of records it holds in memory (MemoryTokenStore, the token
   * cache): the fresh-token path answers through {@link GuardedStore.peek} without an await or a timeout guard.
   */
  readonly canPeek: boolean

  constructor(store: TokenStore, timeoutMs: number) {
    this.#store = store
    this.#timeoutMs = timeoutMs
    this.#deadlines = new DeadlineTicker(timeoutMs)
    this.#inProcess = store.inProcess === true
    this.canPeek = isPeekable(store)
  }

  /** The record if the store holds it in memory, else `undefined` (ask {@link GuardedStore.get}); only when `canPeek`. */
  peek(key: string): TokenRecord | undefined {
    return (this.#store as PeekableStore)[PEEK_RECORD](key)
  }

  get(key: string): Promise<TokenRecord | undefined> {
    if (this.#inProcess) return this.#store.get(key)
    return this.guard(() => this.#store.get(key), 'read')
  }

  set(key: string, record: TokenRecord, expectedVersion: number): Promise<boolean> {
    return this.guard(() => this.#store.set(key, record, expectedVersion), 'write')
  }

  /** Drops a cached copy of `key` (a token cache in front of the store), so the next read goes to the store. */
  forget(key: string): void {
    forgetCached(this.#store, key)
  }

  destroy(key: string): Promise<void> {
    return this.guard(() => this.#store.destroy(key), 'delete')
  }

  /**
   * Runs one store or lock call under the timeout (one shared ticker, no timer per call); a
   * TypeError (programming error, e.g. a malformed record) and the package's own errors pass through.
   */
  async guard<T>(call: () => Promise<T>, what: string): Promise<T> {
    try {
      return await this.#deadlines.run(call, () => new Error(`timed out after ${this.#timeoutMs} ms`))
    } catch (err) {
      if (err instanceof TypeError || isLexofficeError(err)) throw err
      throw storeUnavailable(`The lexoffice token store (${what})`, err)
    }
  }
}

/**
 * Pure helpers of the token lifecycle: building token sets and records, and the store guard that
 * turns store failures into typed, secret-free errors.
 *
 * @internal
 */
import { ErrorCodes, LexofficeAuthLostError, LexofficeError, LexofficeNotConnectedError, LexofficeStoreError } from '../errors'
import { type LexofficeTokenResponse, MAX_TOKEN_LIFETIME_SECONDS } from '../oauth/LexofficeOAuthClient'
import { invalidArg } from '../options/assert'
import type { TokenRecord, TokenSet } from './TokenSet'
import type { TokenStore } from './TokenStore'
import { DeadlineTicker } from './DeadlineTicker'
import { MemoryTokenStore } from './stores/MemoryTokenStore'

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
  if (res === null || typeof res !== 'object' || typeof res.access_token !== 'string' || res.access_token.length === 0) {
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
  return lost
}

/** The record's token set, or the typed error for a missing or lost connection. @internal */
export function activeTokens(record: TokenRecord | undefined): TokenSet {
  if (record === undefined) throw new LexofficeNotConnectedError()
  if (record.state === 'lost' || record.tokens === undefined) throw new LexofficeAuthLostError(record.lost?.reason ?? 'unknown')
  return record.tokens
}

/** A copy of an error with name, message and code only (store client errors may reference commands and their arguments). @internal */
export function safeCause(err: unknown): Error | undefined {
  if (err instanceof LexofficeError) return err
  if (!(err instanceof Error)) return undefined
  const copy = new Error(err.message.slice(0, 200))
  copy.name = err.name
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') (copy as Error & { code: string }).code = code
  return copy
}

/**
 * The token store behind a timeout, with failures mapped to `STORE_UNAVAILABLE` (503). A
 * {@link MemoryTokenStore} is read without the guard: it answers from this process's memory and
 * cannot hang, and its read is on the path of every API request. @internal
 */
export class GuardedStore {
  readonly #store: TokenStore
  readonly #timeoutMs: number
  readonly #deadlines: DeadlineTicker
  readonly #inProcess: boolean

  constructor(store: TokenStore, timeoutMs: number) {
    this.#store = store
    this.#timeoutMs = timeoutMs
    this.#deadlines = new DeadlineTicker(timeoutMs)
    this.#inProcess = store instanceof MemoryTokenStore
  }

  get(key: string): Promise<TokenRecord | undefined> {
    if (this.#inProcess) return this.#store.get(key)
    return this.guard(() => this.#store.get(key), 'read')
  }

  set(key: string, record: TokenRecord, expectedVersion: number): Promise<boolean> {
    return this.guard(() => this.#store.set(key, record, expectedVersion), 'write')
  }

  destroy(key: string): Promise<void> {
    return this.guard(() => this.#store.destroy(key), 'delete')
  }

  /**
   * Runs one store or lock call under the timeout (one shared ticker, no timer per call); a
   * TypeError (programming error, e.g. a malformed record) passes through.
   */
  guard<T>(call: () => Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false
      const fail = (err: unknown): void => {
        if (settled) return
        settled = true
        this.#deadlines.done(deadline)
        reject(err instanceof TypeError || err instanceof LexofficeError ? err : storeUnavailable(what, err))
      }
      const deadline = this.#deadlines.track(() => fail(new Error(`timed out after ${this.#timeoutMs} ms`)))
      let result: Promise<T>
      try {
        result = Promise.resolve(call())
      } catch (err) {
        fail(err)
        return
      }
      result.then((value) => {
        if (settled) return
        settled = true
        this.#deadlines.done(deadline)
        resolve(value)
      }, fail)
    })
  }
}

/** `STORE_UNAVAILABLE` (503) for a failed store or lock call. @internal */
export function storeUnavailable(what: string, cause: unknown): LexofficeStoreError {
  return new LexofficeStoreError(
    ErrorCodes.STORE_UNAVAILABLE,
    `The lexoffice token store is unavailable (${what} failed); try again shortly.`,
    {
      status: 503,
      cause: safeCause(cause),
    },
  )
}

/** Resolves after `ms` (a backoff inside the library, never a test synchronisation). @internal */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Exponential backoff with full jitter in [base/2, base]. @internal */
export function backoff(attempt: number, minMs: number, maxMs: number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(base / 2 + Math.random() * (base / 2))
}

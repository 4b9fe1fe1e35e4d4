import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { isLexofficeError } from '../errors'
import { storeUnavailable } from '../failures/storeUnavailable'
import type { LexofficeTokenResponse } from '../oauth/LexofficeOAuthClient'
import { assertInteger, assertString, invalidArg } from '../options/assert'
import type { ConnectionTokenProvider } from './ConnectionTokenProvider'
import type { TokenManagerEvents } from './events'
import { type ConnectionIds, GuardedStore, activeTokens, tombstone, toTokenSet } from './records'
import { RefreshPath, type RefreshWant } from './RefreshPath'
import {
  type ResolvedTokenManagerOptions,
  type TokenManagerOptions,
  assertKey,
  resolveTokenManagerOptions,
} from './resolveTokenManagerOptions'
import { SingleFlight } from './singleFlight'
import { TokenMemory } from './tokenMemory'
import type { ConnectionBookkeeping, ConnectionStatus, DisconnectResult, GetAccessTokenOptions } from './ConnectionStatus'
import { type ConnectionDetails, type TokenInfo, type TokenRecord, type TokenSet, describeTokenSet } from './TokenSet'
import type { TokenStore } from './TokenStore'
import { updateRecord } from './updateRecord'

/** The defaults of getAccessToken, shared (never mutated) so the hot path allocates nothing for them. */
const NO_OPTIONS: GetAccessTokenOptions = Object.freeze({})
const NO_WANT: RefreshWant = Object.freeze({ minValidUntil: undefined })

export type { ConnectionBookkeeping, ConnectionStatus, DisconnectResult, GetAccessTokenOptions } from './ConnectionStatus'

/**
 * Keeps lexoffice tokens fresh: the one component that calls the token endpoint for a refresh.
 *
 * lexoffice rotates the refresh token on every refresh and keeps exactly one per connection, so
 * two refreshes at once, or a rotated token that is not saved, end the connection. The manager
 * therefore refreshes through one path (docs/security.md §6): refresh ahead of expiry (with per-instance
 * jitter) → in-process single-flight per key → cross-process lock (`store.createLock()`, e.g.
 * Redis `SET NX PX`) → re-read the store → refresh only if still due → compare-and-set write of
 * the rotated set before the lock is released → `refreshed`.
 *
 * Failures: transient ones (5xx, timeout, network, 429) are retried with backoff and never
 * touch the stored set; a still-valid access token keeps being served. `invalid_grant` re-reads
 * the store once, then writes a tombstone, emits `authLost` and throws `AUTH_LOST` (later callers
 * get it at once, without a token call). A store outage throws `STORE_UNAVAILABLE` (503) and
 * never leads to a refresh without the lock. If the write after a refresh fails, the rotated set
 * is served from memory and its write retried (`persistFailed`, `persistRecovered`).
 *
 * Tokens live only in private fields: `JSON.stringify`, `util.inspect`, events and errors show none.
 *
 * @example
 * ```ts
 * import { TokenManager, encryptionKeysFromEnv } from 'passport-lexoffice'
 * import { RedisTokenStore } from 'passport-lexoffice/redis'
 *
 * const manager = new TokenManager({
 *   store: new RedisTokenStore({ client: redis, prefix: 'lexoffice:', encryption: encryptionKeysFromEnv()! }),
 *   oauth: { clientID: process.env.LEXOFFICE_CLIENT_ID!, clientSecret: process.env.LEXOFFICE_CLIENT_SECRET! },
 * })
 *
 * // After a code exchange (createLexoffice's routes and strategy do this for you):
 * await manager.connect(connectionId, tokenResponse, { organizationId, connectionId })
 *
 * // Anywhere later, in any process:
 * const token = await manager.getAccessToken(connectionId)
 * ```
 */
export class TokenManager extends EventEmitter<TokenManagerEvents> {
  /** API base URL (without `/v1`) that request contexts use. */
  readonly apiURL: string
  readonly #o: ResolvedTokenManagerOptions
  readonly #store: GuardedStore
  readonly #memory = new TokenMemory()
  readonly #flights = new SingleFlight<string, TokenSet>()
  readonly #refresher: RefreshPath
  readonly #jitterMs: number

  /** @throws TypeError (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for bad options, e.g. `lockTtlMs` below twice the OAuth timeout. */
  constructor(options: TokenManagerOptions) {
    super()
    this.#o = resolveTokenManagerOptions(options)
    this.apiURL = this.#o.apiURL
    this.#store = new GuardedStore(this.#o.store, this.#o.storeTimeoutMs)
    this.#jitterMs = Math.floor(Math.random() * (this.#o.refreshJitterMs + 1))
    this.#refresher = new RefreshPath({
      options: this.#o,
      store: this.#store,
      memory: this.#memory,
      owner: `${process.pid}-${randomBytes(6).toString('hex')}`,
      emit: (name, ...args) => this.#emit(name, ...args),
      isDue: (tokens) => this.#isDue(tokens),
      isUsable: (tokens) => this.#isUsable(tokens),
    })
  }

  /**
   * `multi-process` when a cross-process lock is configured, else `single-process`.
   *
   * @example
   * ```ts
   * if (manager.mode === 'single-process' && process.env.NODE_ENV === 'production') console.warn('no refresh lock')
   * ```
   */
  get mode(): 'multi-process' | 'single-process' {
    return this.#o.lock ? 'multi-process' : 'single-process'
  }

  /**
   * The token store this manager reads and writes (the background refresher and the health
   * check scan it).
   *
   * @example
   * ```ts
   * const keys = await manager.store.list?.()
   * ```
   */
  get store(): TokenStore {
    return this.#o.store
  }

  /**
   * How long before expiry a token is refreshed (ms), as configured.
   *
   * @example
   * ```ts
   * const refresher = new BackgroundRefresher({ manager, windowMs: manager.refreshAheadMs })
   * ```
   */
  get refreshAheadMs(): number {
    return this.#o.refreshAheadMs
  }

  /**
   * Stores a new connection (after a login): an active record that replaces whatever was stored
   * under `key`, a tombstone included. When it replaces another lexoffice connection (another
   * `connectionId`), that one's refresh token is revoked afterwards (best effort), so that a
   * reconnect never leaves a live connection behind. Emits `connected`. The strategy calls it for
   * you; call it yourself only with tokens obtained outside the strategy.
   *
   * @param key Your connection key.
   * @param tokenResponse The token endpoint's answer; needs a `refresh_token`.
   * @param details Ids and names to keep beside the tokens (a passport profile's ids work as is).
   * @throws LexofficeError `STORE_UNAVAILABLE` (503) or `STORE_CONFLICT`.
   * @example
   * ```ts
   * await manager.connect('user-42', tokenResponse, { organizationId, connectionId })
   * ```
   */
  async connect(key: string, tokenResponse: LexofficeTokenResponse, details: ConnectionDetails = {}): Promise<TokenInfo> {
    assertKey(key)
    const now = this.#o.now()
    const kept = pickDetails(details)
    const ids: ConnectionIds = {}
    if (kept.organizationId !== undefined) ids.organizationId = kept.organizationId
    if (kept.connectionId !== undefined) ids.connectionId = kept.connectionId
    const tokens = toTokenSet(tokenResponse, undefined, now, this.#o.assumedLifetimeMs, ids)
    const replaced = await updateRecord(
      this.#store,
      key,
      (current) => {
        const record: TokenRecord = { version: (current?.version ?? 0) + 1, state: 'active', tokens, refreshCount: 0, connectedAt: now }
        if (Object.keys(kept).length > 0) record.details = kept
        return { write: record, then: current }
      },
      { conflict: 'The token record kept changing; the connection was not stored.' },
    )
    this.#memory.forget(key)
    this.#memory.remember(key, tokens)
    this.#revokeReplaced(replaced, tokens)
    this.#emit('connected', { key, expiresAt: tokens.expiresAt, organizationId: tokens.organizationId, connectionId: tokens.connectionId })
    return describeTokenSet(tokens, now)
  }

  /**
   * A valid access token for `key`. Fresh enough: the stored one (one store read, no other I/O).
   * Due: one coalesced, locked refresh. While a refresh fails for a transient reason, a still-valid
   * token is served and a later call tries again.
   *
   * @throws LexofficeError `NOT_CONNECTED` (401): nothing stored.
   * @throws LexofficeAuthLostError `AUTH_LOST` (401): the connection is gone; the user must connect again.
   * @throws LexofficeError `STORE_UNAVAILABLE` (503); LexofficeError `LOCK_TIMEOUT` (503);
   *   LexofficeError `REFRESH_FAILED` (503) when the token expired and the retries ran out.
   * @example
   * ```ts
   * const token = await manager.getAccessToken(req.user!.connectionId)
   * ```
   */
  getAccessToken(key: string, options: GetAccessTokenOptions = NO_OPTIONS): Promise<string> {
    // The path of every API request: a fresh token the store holds in memory is answered with one
    // settled promise, without an await, a timeout guard or an allocation of our own.
    if (options === NO_OPTIONS) {
      const token = this.#freshInMemory(key)
      if (token !== undefined) return Promise.resolve(token)
    }
    return this.#getAccessToken(key, options)
  }

  /**
   * The access token when the store answers `key` synchronously (MemoryTokenStore, a token-cache
   * hit) with an active, not yet due set and no rotated set waits for its write; else `undefined`
   * (the async path decides, errors included).
   */
  #freshInMemory(key: string): string | undefined {
    if (!this.#store.canPeek || typeof key !== 'string' || key.length === 0 || key.length > 512) return undefined
    if (this.#memory.pending(key) !== undefined) return undefined
    const record = this.#store.peek(key)
    const tokens = record?.state === 'lost' ? undefined : record?.tokens
    if (tokens === undefined || this.#isDue(tokens)) return undefined
    if (this.#memory.known(key) !== tokens) this.#memory.remember(key, tokens)
    return tokens.accessToken
  }

  async #getAccessToken(key: string, options: GetAccessTokenOptions): Promise<string> {
    assertKey(key)
    if (options.minValidityMs !== undefined) assertInteger(options.minValidityMs, 'minValidityMs', 0, 48 * 3_600_000)
    const minValidUntil = options.minValidityMs === undefined ? undefined : this.#o.now() + options.minValidityMs
    const want: RefreshWant = minValidUntil === undefined ? NO_WANT : { minValidUntil }
    const pending = this.#memory.pending(key)
    if (pending) {
      const short = minValidUntil !== undefined && pending.record.tokens.expiresAt <= minValidUntil
      return this.#fromPending(pending.record.tokens, options.forceRefresh === true || short)
    }
    let tokens: TokenSet
    try {
      tokens = activeTokens(await this.#store.get(key))
    } catch (err) {
      const known = this.#memory.known(key)
      if (isLexofficeError(err, 'STORE_UNAVAILABLE') && known && !options.forceRefresh && this.#isUsable(known)) return known.accessToken
      if (isLexofficeError(err, 'AUTH_LOST') || isLexofficeError(err, 'NOT_CONNECTED')) this.#memory.forget(key)
      throw err
    }
    // A store that hands out the same (frozen) record until the next write: remembered already.
    if (this.#memory.known(key) !== tokens) this.#memory.remember(key, tokens)
    if (options.forceRefresh) return this.#forced(key, tokens.accessToken)
    if (!this.#refresher.needsRefresh(tokens, want)) return tokens.accessToken
    const lenient = minValidUntil === undefined
    if (lenient && this.#memory.inCooldown(key, this.#o.now()) && this.#isUsable(tokens)) return tokens.accessToken
    try {
      const joined = this.#flights.has(key)
      let fresh = await this.#flights.run(key, () => this.#refresher.refresh(key, want))
      // A flight that was already running was decided by another caller's needs.
      if (joined && this.#refresher.needsRefresh(fresh, { minValidUntil }))
        fresh = await this.#flights.run(key, () => this.#refresher.refresh(key, want))
      return fresh.accessToken
    } catch (err) {
      if (lenient && !isLexofficeError(err, 'AUTH_LOST') && !isLexofficeError(err, 'NOT_CONNECTED') && this.#isUsable(tokens))
        return tokens.accessToken
      throw err
    }
  }

  /**
   * Call after lexoffice answered 401 to `rejectedAccessToken`: resolves a newer stored token if
   * there is one, else forces one refresh through the same coalesced, locked path. Retry the API
   * call once with the result; a second 401 is an error, not a loop.
   *
   * @throws the errors of {@link TokenManager.getAccessToken}; `REFRESH_FAILED` also while the token is valid.
   * @example
   * ```ts
   * let token = await manager.getAccessToken(key)
   * const answer = await fetch('https://api.lexoffice.io/v1/profile', { headers: { authorization: `Bearer ${token}` } })
   * if (answer.status === 401) token = await manager.refreshAfterUnauthorized(key, token)
   * ```
   */
  async refreshAfterUnauthorized(key: string, rejectedAccessToken: string): Promise<string> {
    assertKey(key)
    assertString(rejectedAccessToken, 'rejectedAccessToken', { max: 16_384 })
    const pending = this.#memory.pending(key)
    if (pending) {
      if (pending.record.tokens.accessToken !== rejectedAccessToken) return pending.record.tokens.accessToken
      return this.#fromPending(pending.record.tokens, true)
    }
    // A cached copy may be the very token lexoffice refused (revoked elsewhere): read the store.
    this.#store.forget(key)
    const tokens = activeTokens(await this.#store.get(key))
    if (tokens.accessToken !== rejectedAccessToken && !this.#isDue(tokens)) return tokens.accessToken
    return this.#forced(key, rejectedAccessToken)
  }

  /**
   * The non-secret status of a connection, or `undefined` when nothing is stored.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` (503).
   * @example
   * ```ts
   * const info = await manager.tokenInfo(key)
   * if (info?.state === 'active') console.log('expires in', info.expiresInMs, 'ms; scope', info.scope)
   * ```
   */
  async tokenInfo(key: string): Promise<ConnectionStatus | undefined> {
    assertKey(key)
    const pending = this.#memory.pending(key)
    const record = pending?.record ?? (await this.#store.get(key))
    if (record === undefined) return undefined
    const base: ConnectionBookkeeping = {
      key,
      refreshCount: record.refreshCount,
      lastRefreshAt: record.lastRefreshAt,
      connectedAt: record.connectedAt,
      lastError: record.lastError,
      details: record.details,
    }
    if (record.state === 'active' && record.tokens) {
      return { ...describeTokenSet(record.tokens, this.#o.now()), ...base, state: 'active', persisted: pending === undefined }
    }
    return { ...base, state: 'lost', reason: record.lost?.reason ?? 'unknown', lostAt: record.lost?.at ?? 0 }
  }

  /**
   * The status of every stored connection whose key starts with `prefix` (all of them without
   * one), e.g. the connections of one owner in connect mode. Needs a store with `list()`.
   *
   * @throws TypeError when the store cannot list; LexofficeStoreError `STORE_UNAVAILABLE` (503).
   * @example
   * ```ts
   * for (const c of await manager.listConnections('owner:42:')) console.log(c.details?.companyName, c.state)
   * ```
   */
  async listConnections(prefix = ''): Promise<ConnectionStatus[]> {
    assertString(prefix, 'prefix', { min: 0, max: 512 })
    const store = this.#o.store
    if (typeof store.list !== 'function')
      throw invalidArg('ERR_INVALID_ARG_VALUE', 'the token store cannot list its connections (it has no list())')
    const keys = await this.#store.guard(() => (store.list as (p: string) => Promise<string[]>).call(store, prefix), 'read')
    const found = await Promise.all(keys.filter((key) => key.startsWith(prefix)).map((key) => this.tokenInfo(key)))
    return found.filter((status): status is ConnectionStatus => status !== undefined)
  }

  /**
   * `true` while an active (not lost) token set is stored for `key`.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` (503).
   * @example
   * ```ts
   * if (!(await manager.isConnected(userId))) res.redirect('/auth/lexoffice')
   * ```
   */
  async isConnected(key: string): Promise<boolean> {
    return (await this.tokenInfo(key))?.state === 'active'
  }

  /**
   * Marks the connection lost (tombstone with `reason`) and emits `authLost`, e.g. from a
   * `token.revoked` webhook. Idempotent: resolves `false`, without an event, when the record is
   * already lost or absent.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` (503).
   * @example
   * ```ts
   * app.use('/hooks/lexoffice', lexofficeWebhooks({ onEvent, onTokenRevoked: ({ connectionId }) => manager.markLost(connectionId, 'token.revoked') }))
   * ```
   */
  async markLost(key: string, reason: string): Promise<boolean> {
    assertKey(key)
    assertString(reason, 'reason', { max: 200 })
    const marked = await updateRecord(
      this.#store,
      key,
      (current) =>
        current === undefined || current.state === 'lost'
          ? { done: false }
          : { write: tombstone(current, reason, this.#o.now()), then: true },
      { conflict: 'The token record kept changing; the connection was not marked lost.' },
    )
    this.#memory.forget(key)
    if (marked) this.#emit('authLost', { key, reason })
    return marked
  }

  /**
   * Ends the connection: revokes the refresh token at `/oauth2/revoke` (RFC 7009), then removes
   * the stored record, even if the revocation failed. Waits for a running refresh first (and for
   * the lock, up to `lockWaitMs`), so the newest refresh token is the one revoked. Emits `disconnected`.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` (503) when the record cannot be read or removed.
   * @example
   * ```ts
   * app.post('/lexoffice/disconnect', async (req, res) => {
   *   await manager.disconnect(req.user!.connectionId)
   *   res.redirect('/')
   * })
   * ```
   */
  async disconnect(key: string): Promise<DisconnectResult> {
    assertKey(key)
    await this.#flights.get(key)?.catch(() => undefined)
    const handle = await this.#refresher.lockFor(key)
    try {
      const pending = this.#memory.pending(key)
      const record = await this.#store.get(key)
      const refreshToken = pending?.record.tokens.refreshToken ?? (record?.state === 'active' ? record.tokens?.refreshToken : undefined)
      this.#memory.forget(key)
      let revoked = false
      if (refreshToken !== undefined) {
        try {
          await this.#o.oauth.revoke(refreshToken, 'refresh_token')
          revoked = true
        } catch {
          revoked = false
        }
      }
      await this.#store.destroy(key)
      if (record !== undefined || pending !== undefined) this.#emit('disconnected', { key, revoked })
      return { revoked }
    } finally {
      if (handle) await this.#store.guard(() => handle.release(), 'lock release').catch(() => undefined)
    }
  }

  /**
   * The {@link ConnectionTokenProvider} for one connection, as the API client consumes it
   * (`createLexofficeClient(manager.providerFor(key))`).
   *
   * @example
   * ```ts
   * const provider = manager.providerFor(userId)
   * const token = await provider.getAccessToken()
   * ```
   */
  providerFor(key: string): ConnectionTokenProvider {
    assertKey(key)
    return Object.freeze({
      getAccessToken: () => this.getAccessToken(key),
      refreshAfterUnauthorized: (rejected: string) => this.refreshAfterUnauthorized(key, rejected),
    })
  }

  /**
   * A secret-free view for logs.
   *
   * @example
   * ```ts
   * console.log(JSON.stringify(manager)) // {"apiURL":"https://api.lexware.io","mode":"multi-process",...}
   * ```
   */
  toJSON(): Record<string, unknown> {
    return {
      apiURL: this.apiURL,
      mode: this.mode,
      refreshAheadMs: this.#o.refreshAheadMs,
      lockTtlMs: this.#o.lockTtlMs,
      pendingPersists: this.#memory.pendingCount,
    }
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `TokenManager ${JSON.stringify(this.toJSON())}`
  }

  /** Forced refresh unless the stored token already differs from `rejected`; joins a running flight first. */
  async #forced(key: string, rejected: string): Promise<string> {
    const want: RefreshWant = { rejected }
    let tokens = await this.#flights.run(key, () => this.#refresher.refresh(key, want))
    // A flight that was already running may have been a plain "due" refresh that kept `rejected`.
    if (tokens.accessToken === rejected) tokens = await this.#flights.run(key, () => this.#refresher.refresh(key, want))
    return tokens.accessToken
  }

  /** A reconnect that replaced another lexoffice connection revokes the old one: it would stay alive at lexoffice, unused. */
  #revokeReplaced(previous: TokenRecord | undefined, next: TokenSet): void {
    const old = previous?.state === 'active' ? previous.tokens : undefined
    if (old === undefined || old.refreshToken === next.refreshToken) return
    if (old.connectionId !== undefined && old.connectionId === next.connectionId) return
    this.#o.oauth.revoke(old.refreshToken, 'refresh_token').catch(() => undefined)
  }

  /** Rule 7c: while a rotated set waits for its write, serve it; never refresh from the stale stored set. */
  #fromPending(tokens: TokenSet, force: boolean): string {
    if (!force && this.#isUsable(tokens)) return tokens.accessToken
    throw storeUnavailable('The lexoffice token store (a refreshed token set is still waiting for its write)', undefined)
  }

  /** Due: inside the refresh-ahead window (at most half the token's lifetime, so short tokens do not refresh on every call). */
  #isDue(tokens: TokenSet): boolean {
    const lifetime = tokens.expiresAt - tokens.obtainedAt
    const ahead = Math.min(this.#o.refreshAheadMs + this.#jitterMs, Math.max(0, lifetime / 2))
    return this.#o.now() >= tokens.expiresAt - ahead
  }

  /** Usable: not expired, with a small margin for the request that will carry it. */
  #isUsable(tokens: TokenSet): boolean {
    const margin = Math.min(10_000, Math.max(0, (tokens.expiresAt - tokens.obtainedAt) / 4))
    return this.#o.now() < tokens.expiresAt - margin
  }

  /**
   * Listener errors must not break the lifecycle (a listener throwing after a persist would fail a
   * good refresh, or skip the persist retry): they become a process warning instead.
   */
  #emit<K extends keyof TokenManagerEvents>(name: K, ...args: TokenManagerEvents[K]): void {
    try {
      ;(this.emit as (n: K, ...a: TokenManagerEvents[K]) => boolean)(name, ...args)
    } catch (err) {
      const what = err instanceof Error ? `${err.name}: ${err.message}` : 'a non-error value'
      process.emitWarning(`A TokenManager "${name}" listener threw (${what}); the token lifecycle went on.`, {
        code: 'LEXOFFICE_LISTENER_ERROR',
      })
    }
  }
}

const DETAIL_KEYS = ['owner', 'organizationId', 'connectionId', 'companyName', 'userId', 'userName', 'userEmail'] as const

/** The string-valued details, at most 512 characters each (a passport profile may carry much more). */
function pickDetails(details: ConnectionDetails): ConnectionDetails {
  const kept: ConnectionDetails = {}
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  if (details === null || typeof details !== 'object') return kept
  for (const name of DETAIL_KEYS) {
    const value = details[name]
    if (typeof value === 'string' && value !== '') kept[name] = value.slice(0, 512)
  }
  return kept
}

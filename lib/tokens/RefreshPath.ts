/**
 * The refresh path behind {@link TokenManager.getAccessToken}: cross-process lock, re-read,
 * "refresh in flight" marker, token endpoint call with bounded retries, compare-and-set write of
 * the rotated set before the lock is released, and the recovery paths of docs/security.md §6
 * (invalid_grant re-read and tombstone, persist retry from memory). In-process coalescing
 * (single-flight) happens one level up, in the manager.
 *
 * @internal
 */
import { ErrorCodes, LexofficeAuthLostError, LexofficeError, isLexofficeError } from '../errors'
import type { LexofficeTokenResponse } from '../oauth/LexofficeOAuthClient'
import { equalJitterBackoff } from '../timing/backoff'
import { delay } from '../timing/delay'
import type { TokenManagerEvents } from './events'
import { LOST_AFTER_INTERRUPTED, LOST_INVALID_GRANT } from './lostReasons'
import { type GuardedStore, activeTokens, notConnected, tombstone, toTokenSet } from './records'
import type { ResolvedTokenManagerOptions } from './resolveTokenManagerOptions'
import type { PendingPersist, TokenMemory } from './tokenMemory'
import type { LockHandle, RefreshLock } from './TokenStore'
import type { TokenRecord, TokenSet } from './TokenSet'
import { updateRecord } from './updateRecord'

/** Lock polls start this far apart (ms) and back off to at most {@link LOCK_POLL_MAX_MS}. */
const LOCK_POLL_MS = 25
const LOCK_POLL_MAX_MS = 250

/** What the manager shares with its refresh path. @internal */
export interface RefreshContext {
  readonly options: ResolvedTokenManagerOptions
  readonly store: GuardedStore
  readonly memory: TokenMemory
  /** Random per-manager id for the in-flight marker. */
  readonly owner: string
  emit<K extends keyof TokenManagerEvents>(name: K, ...args: TokenManagerEvents[K]): void
  isDue(tokens: TokenSet): boolean
  isUsable(tokens: TokenSet): boolean
}

/**
 * Why a caller needs a refresh beyond "due": `rejected`, an access token the API refused (a set
 * holding it is refreshed even if not due); `minValidUntil`, a time the token must outlive.
 * @internal
 */
export interface RefreshWant {
  rejected?: string | undefined
  minValidUntil?: number | undefined
}

type ActiveRecord = TokenRecord & { tokens: TokenSet }

/** @internal */
export class RefreshPath {
  readonly #ctx: RefreshContext

  constructor(ctx: RefreshContext) {
    this.#ctx = ctx
  }

  needsRefresh(tokens: TokenSet, want: RefreshWant): boolean {
    return (
      this.#ctx.isDue(tokens) ||
      (want.rejected !== undefined && tokens.accessToken === want.rejected) ||
      (want.minValidUntil !== undefined && tokens.expiresAt <= want.minValidUntil)
    )
  }

  /** One refresh of `key` (callers coalesce in-process). Resolves the token set to use. */
  async refresh(key: string, want: RefreshWant): Promise<TokenSet> {
    const lock = this.#ctx.options.lock
    let handle: LockHandle | undefined
    if (lock) {
      const got = await this.#acquire(key, lock, want)
      if (got.tokens) return got.tokens
      handle = got.handle
    }
    let handedOver = false
    try {
      const result = await this.#refreshHoldingLock(key, want, handle)
      handedOver = result.handedOver
      return result.tokens
    } finally {
      if (handle && !handedOver) await this.#ctx.store.guard(() => handle.release(), 'lock release').catch(() => undefined)
    }
  }

  /**
   * Waits (up to `lockWaitMs`) for the lock without the freshness shortcut; `undefined` on
   * timeout or when no lock is configured. Used by `disconnect`.
   */
  async lockFor(key: string): Promise<LockHandle | undefined> {
    const { lock } = this.#ctx.options
    if (!lock) return undefined
    const got = await this.#pollLock(key, lock, () => Promise.resolve(undefined))
    return got === 'timeout' ? undefined : got.handle
  }

  /**
   * Rule 2: take the lock, polling with backoff; while waiting, re-read the store and use a set
   * another process refreshed. Store or lock failures: `STORE_UNAVAILABLE`, never an unlocked refresh.
   */
  async #acquire(
    key: string,
    lock: RefreshLock,
    want: RefreshWant,
  ): Promise<{ handle: LockHandle; tokens?: undefined } | { tokens: TokenSet; handle?: undefined }> {
    const got = await this.#pollLock(key, lock, async () => {
      const tokens = activeTokens(await this.#ctx.store.get(key))
      return this.needsRefresh(tokens, want) ? undefined : tokens
    })
    if (got !== 'timeout') return got
    throw new LexofficeError(
      ErrorCodes.LOCK_TIMEOUT,
      `Another process is refreshing this lexoffice connection and did not finish within ${this.#ctx.options.lockWaitMs} ms.`,
    )
  }

  /** Tries the lock until `lockWaitMs` passed; between tries `whileBusy` may end the wait with a token set. */
  async #pollLock(
    key: string,
    lock: RefreshLock,
    whileBusy: () => Promise<TokenSet | undefined>,
  ): Promise<{ handle: LockHandle; tokens?: undefined } | { tokens: TokenSet; handle?: undefined } | 'timeout'> {
    const { lockTtlMs, lockWaitMs } = this.#ctx.options
    const deadline = Date.now() + lockWaitMs
    for (let poll = 0; ; poll++) {
      const handle = await this.#ctx.store.guard(() => lock.tryAcquire(key, lockTtlMs), 'lock')
      if (handle) return { handle }
      const tokens = await whileBusy()
      if (tokens) return { tokens }
      const left = deadline - Date.now()
      if (left <= 0) return 'timeout'
      await delay(Math.min(left, equalJitterBackoff(poll, LOCK_POLL_MS, LOCK_POLL_MAX_MS)))
    }
  }

  async #refreshHoldingLock(
    key: string,
    want: RefreshWant,
    handle: LockHandle | undefined,
  ): Promise<{ tokens: TokenSet; handedOver: boolean }> {
    const { store, options, owner } = this.#ctx
    // Rule 2 (double-checked): re-read under the lock; mark the refresh in flight (rule 7b).
    // Without a lock the marker, written with compare-and-set, doubles as a lease: a fresh marker of
    // another owner (another manager on the same store) means "refreshing now", so wait for it.
    const deadline = Date.now() + options.lockWaitMs
    let polls = 0
    const started = await updateRecord<{ fresh: TokenSet } | { record: ActiveRecord; marked: ActiveRecord }>(
      store,
      key,
      async (current) => {
        const tokens = activeTokens(current)
        if (!this.needsRefresh(tokens, want)) return { done: { fresh: tokens } }
        const lease = current?.refreshing
        if (!handle && lease && lease.owner !== owner && Date.now() - lease.startedAt < options.lockTtlMs) {
          if (Date.now() >= deadline) {
            throw new LexofficeError(
              ErrorCodes.LOCK_TIMEOUT,
              `Another token manager is refreshing this lexoffice connection and did not finish within ${options.lockWaitMs} ms.`,
            )
          }
          await delay(Math.min(equalJitterBackoff(polls++, LOCK_POLL_MS, LOCK_POLL_MAX_MS), Math.max(1, deadline - Date.now())))
          return { again: true }
        }
        const record = current as ActiveRecord
        // Wall-clock time (not the injectable `now`): it is compared across processes as a lease age.
        const marked: ActiveRecord = { ...record, version: record.version + 1, refreshing: { owner, startedAt: Date.now() } }
        return { write: marked, then: { record, marked } }
      },
      { conflict: 'The token record kept changing; refresh not started.' },
    )
    if ('fresh' in started) return { tokens: started.fresh, handedOver: false }
    const { record, marked } = started
    const outcome = await this.#callTokenEndpoint(key, record, marked, handle)
    if ('tokens' in outcome) return { tokens: outcome.tokens, handedOver: false }

    // The rotated set exists only here now: persisting it is the very next step (rule 7b).
    const now = options.now()
    const next = toTokenSet(outcome.response, record.tokens, now, options.assumedLifetimeMs)
    const rotated: ActiveRecord = {
      version: marked.version + 1,
      state: 'active',
      tokens: next,
      refreshCount: record.refreshCount + 1,
      lastRefreshAt: now,
      connectedAt: record.connectedAt,
    }
    if (record.details !== undefined) rotated.details = record.details
    try {
      const written = await this.writeRotated(key, rotated, marked, record.tokens.refreshToken)
      this.#ctx.memory.remember(key, written.tokens)
      this.#ctx.memory.clearCooldown(key)
      if (written.ours) this.#ctx.emit('refreshed', { key, expiresAt: next.expiresAt, refreshCount: written.refreshCount, persisted: true })
      return { tokens: written.tokens, handedOver: false }
    } catch (err) {
      if (!isLexofficeError(err, ErrorCodes.STORE_UNAVAILABLE) && !isLexofficeError(err, ErrorCodes.STORE_CONFLICT)) throw err
      // Rule 7c: keep the set in memory, serve it, retry the write while extending the lock.
      this.#startPersistLoop(key, rotated, marked, record.tokens.refreshToken, handle)
      this.#ctx.emit('persistFailed', { key, code: err.code, attempt: 1 })
      this.#ctx.emit('refreshed', { key, expiresAt: next.expiresAt, refreshCount: rotated.refreshCount, persisted: false })
      return { tokens: next, handedOver: true }
    }
  }

  /** Calls the token endpoint with bounded retries. Resolves the answer, or a set persisted late by another instance. */
  async #callTokenEndpoint(
    key: string,
    record: ActiveRecord,
    marked: ActiveRecord,
    handle: LockHandle | undefined,
  ): Promise<{ response: LexofficeTokenResponse } | { tokens: TokenSet }> {
    const { options, store, memory } = this.#ctx
    let uncertain = record.refreshing !== undefined
    for (let attempt = 1; ; attempt++) {
      if (handle) {
        // Rule 3: the lock must outlive the call; never call the endpoint without holding it.
        const held = await store.guard(() => handle.extend(options.lockTtlMs), 'lock extend')
        if (!held) {
          throw new LexofficeError(
            ErrorCodes.LOCK_TIMEOUT,
            'The refresh lock expired before the token endpoint was called; not refreshing without it.',
          )
        }
      }
      try {
        return { response: await options.oauth.refresh(record.tokens.refreshToken) }
      } catch (err) {
        const code = isLexofficeError(err) ? err.code : 'UNKNOWN'
        if (code === ErrorCodes.INVALID_GRANT) {
          this.#ctx.emit('refreshFailed', { key, code, attempt, willRetry: false })
          return { tokens: await this.#onInvalidGrant(key, record.tokens, uncertain ? LOST_AFTER_INTERRUPTED : LOST_INVALID_GRANT, err) }
        }
        const transient = isTransient(err)
        // Rule 5: after a timeout or a reset lexoffice may have rotated already; the next answer tells.
        if (code === ErrorCodes.TIMEOUT || code === ErrorCodes.NETWORK_ERROR || code === ErrorCodes.TOKEN_RESPONSE_INVALID) uncertain = true
        // 429: no immediate retry (lexoffice may block the client for longer). While the access
        // token is still valid the caller serves it and a later call tries again.
        const willRetry =
          transient && code !== ErrorCodes.TOKEN_RATE_LIMITED && attempt < options.retry.attempts && !this.#ctx.isUsable(record.tokens)
        this.#ctx.emit('refreshFailed', { key, code, attempt, willRetry })
        if (!willRetry) {
          memory.noteFailure(key, options.now(), options.retry.minDelayMs, options.retry.maxDelayMs)
          await this.#recordFailure(key, marked, code, uncertain)
          if (!transient) throw err
          throw new LexofficeError(
            ErrorCodes.REFRESH_FAILED,
            `Refreshing the lexoffice token failed (${code}); the stored tokens are unchanged.`,
            { cause: err },
          )
        }
        // After an unknown outcome, give lexoffice time to finish the request it may still be
        // processing: a retry that overlaps it would be a concurrent refresh (reuse → grant revoked).
        const settle = code === ErrorCodes.TIMEOUT || code === ErrorCodes.NETWORK_ERROR ? options.oauth.timeoutMs : 0
        if (handle) await store.guard(() => handle.extend(options.lockTtlMs), 'lock extend').catch(() => false)
        await delay(Math.max(settle, equalJitterBackoff(attempt - 1, options.retry.minDelayMs, options.retry.maxDelayMs)))
      }
    }
  }

  /** Rule 6: re-read once; a newer set persisted late wins. Otherwise tombstone, `authLost`, throw. */
  async #onInvalidGrant(key: string, used: TokenSet, reason: string, cause: unknown): Promise<TokenSet> {
    const { store, options, memory } = this.#ctx
    const newer = await updateRecord<TokenSet | undefined>(
      store,
      key,
      (current) => {
        if (current === undefined) throw notConnected()
        if (current.state === 'lost' || current.tokens === undefined)
          throw new LexofficeAuthLostError(current.lost?.reason ?? reason, { cause })
        if (current.tokens.refreshToken !== used.refreshToken) return { done: current.tokens }
        return { write: tombstone(current, reason, options.now()), then: undefined }
      },
      { conflict: '', attempts: 2, exhausted: () => new LexofficeAuthLostError(reason, { cause }) },
    )
    if (newer) return newer
    memory.forget(key)
    this.#ctx.emit('authLost', { key, reason })
    throw new LexofficeAuthLostError(reason, { cause })
  }

  /** Best effort: note the failure in the record; drop the marker unless the outcome is unknown. */
  async #recordFailure(key: string, marked: ActiveRecord, code: string, uncertain: boolean): Promise<void> {
    const { refreshing, ...rest } = marked
    const failed: TokenRecord = { ...rest, version: marked.version + 1, lastError: { code, at: this.#ctx.options.now() } }
    if (uncertain && refreshing) failed.refreshing = refreshing
    await this.#ctx.store.set(key, failed, marked.version).catch(() => false)
  }

  /**
   * Rule 4, the conditional write, first against `marked` (the record the refresh started from).
   * On a lost race: our own earlier write landed (done); the pre-rotation set was written back by a
   * stale writer (ours is newer: overwrite); a new login replaced the set (it wins); the record was
   * removed or marked lost (respect it, revoke ours).
   */
  async writeRotated(
    key: string,
    rotated: ActiveRecord,
    marked: ActiveRecord,
    oldRefreshToken: string,
  ): Promise<{ tokens: TokenSet; ours: boolean; refreshCount: number }> {
    return updateRecord<{ tokens: TokenSet; ours: boolean; refreshCount: number }>(
      this.#ctx.store,
      key,
      (current) => {
        if (current?.state === 'active' && current.tokens) {
          // Already written (a retried write): both tokens match. The refresh token alone is not
          // enough: a refresh answer without one keeps the old token (RFC 6749 §6).
          if (current.tokens.refreshToken === rotated.tokens.refreshToken && current.tokens.accessToken === rotated.tokens.accessToken)
            return { done: { tokens: current.tokens, ours: true, refreshCount: current.refreshCount } }
          if (current.tokens.refreshToken !== oldRefreshToken)
            return { done: { tokens: current.tokens, ours: false, refreshCount: current.refreshCount } }
          const refreshCount = Math.max(rotated.refreshCount, current.refreshCount + 1)
          const record: ActiveRecord = { ...rotated, version: current.version + 1, refreshCount }
          return { write: record, then: { tokens: record.tokens, ours: true, refreshCount } }
        }
        void this.#ctx.options.oauth.revoke(rotated.tokens.refreshToken).catch(() => undefined)
        if (current === undefined) throw notConnected()
        throw new LexofficeAuthLostError(current.lost?.reason ?? 'unknown')
      },
      { conflict: 'The token record kept changing while the rotated tokens were written.', known: { record: marked } },
    )
  }

  #startPersistLoop(
    key: string,
    rotated: ActiveRecord,
    marked: ActiveRecord,
    oldRefreshToken: string,
    handle: LockHandle | undefined,
  ): void {
    const { memory, options, store } = this.#ctx
    const entry: PendingPersist = { record: rotated, attempts: 1, handle, stopped: false, timer: undefined }
    memory.setPending(key, entry)
    const schedule = (): void => {
      if (entry.stopped) return
      entry.timer = setTimeout(() => void tick(), equalJitterBackoff(entry.attempts - 1, 100, 2_000))
      entry.timer.unref()
    }
    const tick = async (): Promise<void> => {
      if (entry.stopped) return
      entry.attempts++
      if (entry.handle) {
        const lockHandle = entry.handle
        await store.guard(() => lockHandle.extend(options.lockTtlMs), 'lock extend').catch(() => undefined)
      }
      let written: { tokens: TokenSet; ours: boolean }
      try {
        written = await this.writeRotated(key, rotated, marked, oldRefreshToken)
      } catch (err) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- finishPending may stop it during the await
        if (entry.stopped) return
        if (isLexofficeError(err, ErrorCodes.STORE_UNAVAILABLE) || isLexofficeError(err, ErrorCodes.STORE_CONFLICT)) {
          this.#ctx.emit('persistFailed', { key, code: err.code, attempt: entry.attempts })
          schedule()
          return
        }
        memory.finishPending(key, entry) // removed or lost meanwhile: nothing left to write
        return
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- finishPending may stop it during the await
      if (entry.stopped) return
      memory.finishPending(key, entry)
      memory.remember(key, written.tokens)
      if (written.ours) this.#ctx.emit('persistRecovered', { key, attempts: entry.attempts })
    }
    schedule()
  }
}

/** Token endpoint failures that say nothing about the grant: 5xx, timeouts, network, 429, garbage 2xx. @internal */
export function isTransient(err: unknown): boolean {
  if (!isLexofficeError(err)) return false
  switch (err.code) {
    case ErrorCodes.TIMEOUT:
    case ErrorCodes.NETWORK_ERROR:
    case ErrorCodes.RESPONSE_TOO_LARGE:
    case ErrorCodes.TOKEN_RATE_LIMITED:
    case ErrorCodes.TOKEN_RESPONSE_INVALID:
      return true
    case ErrorCodes.TOKEN_ENDPOINT_ERROR: {
      const status = (err as { upstreamStatus?: number }).upstreamStatus
      return status === undefined || status >= 500 || status === 408
    }
    default:
      return false
  }
}

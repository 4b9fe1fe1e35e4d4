import type { TokenRecord } from './TokenSet'

/**
 * Where token records live, keyed by a connection key the app chooses (default: the lexoffice
 * connectionId, or your user id). Shaped like express-session's Store, but Promise-based.
 *
 * Tiers, as in express-session's README:
 * - **required**: {@link TokenStore.get}, {@link TokenStore.set}, {@link TokenStore.destroy};
 * - **optional**: {@link TokenStore.listDue} (for the background refresher), {@link TokenStore.list}
 *   (for status output), {@link TokenStore.createLock} (cross-process refresh lock), and the
 *   {@link TokenStore.inProcess} capability.
 *
 * Every write is a compare-and-set on `version`: this is what stops a request that loaded an
 * old record from writing back a refresh token that was already rotated (express-session's
 * last-write-wins, which ends lexoffice connections).
 *
 * Implementations: `MemoryTokenStore`, `ExpressSessionTokenStore`, and `RedisTokenStore`
 * (from `passport-lexoffice/redis`). Each can encrypt records at rest.
 *
 * @example
 * ```ts
 * const record = await store.get('user-42')
 * const ok = await store.set('user-42', { ...record!, version: record!.version + 1 }, record!.version)
 * ```
 */
export interface TokenStore {
  /**
   * The record under `key`, or `undefined`. An unreadable record (bad encryption key, tampering)
   * reads as `undefined`. Nobody may be able to change the stored record through the result: return
   * a fresh copy or a deeply frozen record.
   */
  get(key: string): Promise<TokenRecord | undefined>
  /**
   * Writes `record` only if the stored version equals `expectedVersion` (0 = no record yet).
   * `record.version` must be `expectedVersion + 1`. Resolves `false` on a lost race, never throws for it.
   */
  set(key: string, record: TokenRecord, expectedVersion: number): Promise<boolean>
  /** Removes the record (no tombstone). */
  destroy(key: string): Promise<void>
  /** Keys of active records whose access token expires before `dueBefore` (ms since epoch). */
  listDue?(dueBefore: number): Promise<string[]>
  /**
   * All keys (active and lost), or those starting with `prefix`: for status output and for listing
   * the connections of one owner (connect mode).
   */
  list?(prefix?: string): Promise<string[]>
  /**
   * A lock shared by every process that uses the same backing store. Stores without one
   * (memory) are single-process: the manager's in-process coalescing is then enough.
   */
  createLock?(): RefreshLock
  /**
   * `true` for a store whose calls settle from this process's memory and cannot hang (the memory
   * store). The manager then reads it without its store timeout, which saves a timer per read on
   * the path of every API request. Leave it out for any store that does I/O.
   */
  readonly inProcess?: boolean
}

/**
 * A cross-process mutual-exclusion lock with a time to live (Redis: `SET NX PX` with a random
 * value, released by compare-and-delete).
 */
export interface RefreshLock {
  /** Tries once to take the lock; resolves a handle, or `undefined` when another process holds it. */
  tryAcquire(key: string, ttlMs: number): Promise<LockHandle | undefined>
}

/** A held lock. */
export interface LockHandle {
  /** Releases the lock if this handle still owns it (compare-and-delete). */
  release(): Promise<void>
  /** Extends the TTL if this handle still owns it; resolves `false` when the lock was lost. */
  extend(ttlMs: number): Promise<boolean>
}

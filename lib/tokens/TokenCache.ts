/**
 * The token cache in each process in front of a shared store (Redis, PostgreSQL): a record whose
 * access token is not yet due for refresh is served from memory, so a request with a fresh token
 * costs no store round trip. Correctness comes before speed:
 * - every write through any process's cache (refresh, connect, disconnect, lost) is announced on
 *   the store's invalidation channel (Redis PUBLISH, PostgreSQL NOTIFY), and every process drops
 *   its copy of that key when the message arrives;
 * - a lost compare-and-set drops the local copy (the next read goes to the store);
 * - a token lexoffice refused (401) is dropped before the manager re-reads it ({@link forgetCached});
 * - while the subscription is down (connection lost, not yet resubscribed) nothing is served from
 *   memory and the cache is emptied: a message may have been missed.
 *
 * Records live in a private Map (like MemoryTokenStore's), deeply frozen, at most `maxEntries`
 * (least recently used dropped first).
 *
 * @internal
 */
import { PEEK_RECORD } from './peekRecord'
import { freezeRecord } from './stores/recordCodec'
import type { RefreshLock, TokenStore } from './TokenStore'
import type { TokenRecord } from './TokenSet'

/**
 * How processes tell each other "the record of this key changed". One subscription per cache;
 * `publish` announces a key to every subscriber (the publisher included, harmlessly).
 * @internal
 */
export interface CacheInvalidation {
  /**
   * Starts the subscription. `onKey` runs for every announced key; `onLive(false)` as soon as the
   * subscription may miss messages (connection lost), `onLive(true)` once it is (re)established.
   */
  start(onKey: (key: string) => void, onLive: (live: boolean) => void): void
  publish(key: string): Promise<void>
  close(): Promise<void>
}

/** Stores that can feed a token cache offer their invalidation channel under this symbol. @internal */
export const CACHE_INVALIDATION: unique symbol = Symbol.for('passport-lexoffice.cacheInvalidation')

/** A store with an invalidation channel. @internal */
export interface InvalidatingStore extends TokenStore {
  [CACHE_INVALIDATION](): CacheInvalidation | undefined
}

/** @internal */
export function invalidationOf(store: TokenStore): CacheInvalidation | undefined {
  const make = (store as Partial<InvalidatingStore>)[CACHE_INVALIDATION]
  return typeof make === 'function' ? make.call(store) : undefined
}

/** Options of {@link CachingTokenStore}. @internal */
export interface TokenCacheSettings {
  /** Most records kept. */
  maxEntries: number
  /** How long before expiry a token is due (the manager's refresh-ahead plus its largest jitter). */
  aheadMs: number
  now: () => number
}

const FORGET: unique symbol = Symbol('forget')

/**
 * Drops the cached copy of `key` if `store` is a cache (the 401 path: re-read from the store
 * before any refresh). @internal
 */
export function forgetCached(store: TokenStore, key: string): void {
  if (store instanceof CachingTokenStore) store[FORGET](key)
}

/** @internal */
export class CachingTokenStore implements TokenStore {
  readonly #inner: TokenStore
  readonly #channel: CacheInvalidation
  readonly #settings: TokenCacheSettings
  readonly #entries = new Map<string, TokenRecord>()
  #live = false
  /** Bumped by every invalidation: a read that started before one must not fill the cache. */
  #epoch = 0
  #closed = false

  constructor(inner: TokenStore, channel: CacheInvalidation, settings: TokenCacheSettings) {
    this.#inner = inner
    this.#channel = channel
    this.#settings = settings
    channel.start(
      (key) => this.#drop(key),
      (live) => {
        // Both ways the cache starts empty: messages may have been missed while down.
        this.#entries.clear()
        this.#epoch++
        this.#live = live && !this.#closed
      },
    )
  }

  /** `true` while the subscription is up and the cache serves. */
  get live(): boolean {
    return this.#live
  }

  get size(): number {
    return this.#entries.size
  }

  /** A cache hit, synchronously (the manager's fresh-token path, lib/tokens/peekRecord.ts); `undefined`: ask `get`. */
  [PEEK_RECORD](key: string): TokenRecord | undefined {
    const hit = this.#entries.get(key)
    return hit !== undefined && this.#live && this.#fresh(hit) ? hit : undefined
  }

  async get(key: string): Promise<TokenRecord | undefined> {
    const hit = this.#entries.get(key)
    if (hit !== undefined) {
      if (this.#live && this.#fresh(hit)) return hit
      this.#entries.delete(key)
    }
    const epoch = this.#epoch
    const record = await this.#inner.get(key)
    if (record !== undefined && this.#live && epoch === this.#epoch && this.#fresh(record)) {
      const frozen = Object.isFrozen(record) ? record : freezeRecord(record)
      this.#entries.delete(key)
      this.#entries.set(key, frozen)
      if (this.#entries.size > this.#settings.maxEntries) {
        const oldest = this.#entries.keys().next()
        if (!oldest.done) this.#entries.delete(oldest.value)
      }
      return frozen
    }
    return record
  }

  async set(key: string, record: TokenRecord, expectedVersion: number): Promise<boolean> {
    this.#drop(key)
    try {
      return await this.#inner.set(key, record, expectedVersion)
    } finally {
      // Also after a lost race or an unknown outcome: others (and we) must re-read.
      this.#drop(key)
      await this.#announce(key)
    }
  }

  async destroy(key: string): Promise<void> {
    this.#drop(key)
    try {
      await this.#inner.destroy(key)
    } finally {
      this.#drop(key)
      await this.#announce(key)
    }
  }

  listDue(dueBefore: number): Promise<string[]> {
    if (typeof this.#inner.listDue !== 'function') return Promise.resolve([])
    return this.#inner.listDue(dueBefore)
  }

  list(prefix?: string): Promise<string[]> {
    if (typeof this.#inner.list !== 'function') return Promise.reject(new TypeError('the token store cannot list its connections'))
    return this.#inner.list(prefix)
  }

  createLock(): RefreshLock {
    if (typeof this.#inner.createLock !== 'function') throw new TypeError('the token store has no lock')
    return this.#inner.createLock()
  }

  /** The store behind the cache. */
  get inner(): TokenStore {
    return this.#inner
  }

  /** Stops serving and ends the subscription. */
  async close(): Promise<void> {
    this.#closed = true
    this.#live = false
    this.#entries.clear()
    await this.#channel.close()
  }

  [FORGET](key: string): void {
    this.#drop(key)
  }

  toJSON(): Record<string, unknown> {
    return { cache: { live: this.#live, entries: this.#entries.size, maxEntries: this.#settings.maxEntries } }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CachingTokenStore ${JSON.stringify(this.toJSON())}`
  }

  #drop(key: string): void {
    this.#entries.delete(key)
    this.#epoch++
  }

  /** A failed announcement must not fail the write; the others then keep their copy until it is due. */
  async #announce(key: string): Promise<void> {
    try {
      await this.#channel.publish(key)
    } catch {
      // The write itself succeeded or failed on its own terms; see docs/postgres-and-redis-cluster.md (token cache).
    }
  }

  /** Active and not yet due: the manager's refresh-ahead rule with its largest jitter (never serves a due token). */
  #fresh(record: TokenRecord): boolean {
    const tokens = record.tokens
    if (record.state !== 'active' || tokens === undefined || record.refreshing !== undefined) return false
    const ahead = Math.min(this.#settings.aheadMs, Math.max(0, (tokens.expiresAt - tokens.obtainedAt) / 2))
    return this.#settings.now() < tokens.expiresAt - ahead
  }
}

/**
 * The channel name of a store's invalidations, derived from its key prefix or table name.
 * @internal
 */
export function invalidationChannel(base: string): string {
  return `${base}token-cache`
}

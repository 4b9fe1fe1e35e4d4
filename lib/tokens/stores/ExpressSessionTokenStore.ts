import type { TokenStore } from '../TokenStore'
import type { TokenRecord } from '../TokenSet'
import type { TokenCipher } from '../crypto/TokenCipher'
import { assertInteger, assertKnownKeys, assertObject, assertString, invalidArg } from '../../options/assert'
import { optionKeys } from '../../options/optionKeys'
import { KeyedMutex } from './KeyedMutex'
import { assertKey, assertSetArgs, casVersion, decodeRecord, dueAt, encodeRecord } from './recordCodec'
import { storeUnavailable } from '../../failures/storeUnavailable'
import { DeadlineTicker } from '../../timing/DeadlineTicker'
import { type SharedStoreEncryption, resolveSharedStoreCipher } from './sharedStoreEncryption'

/**
 * The part of an express-session `Store` this adapter uses (callback API). express-session's
 * `MemoryStore`, connect-redis, connect-mongo and most other stores fit.
 *
 * @example
 * ```ts
 * import session from 'express-session'
 * const sessionStore: SessionStoreLike = new session.MemoryStore()
 * ```
 */
export interface SessionStoreLike {
  get(sid: string, callback: (err: unknown, session?: unknown) => void): void
  set(sid: string, session: never, callback?: (err?: unknown) => void): void
  destroy(sid: string, callback?: (err?: unknown) => void): void
}

/**
 * Options of {@link ExpressSessionTokenStore}.
 *
 * @example
 * ```ts
 * const options: ExpressSessionTokenStoreOptions = { store: sessionStore, prefix: 'lexoffice-tokens:' }
 * ```
 */
export interface ExpressSessionTokenStoreOptions {
  /** The app's express-session store instance (the same object passed to `session({ store })`). */
  store: SessionStoreLike
  /** Prefix of the store ids used for token records (never a real session id). Default `'lexoffice-tokens:'`. */
  prefix?: string
  /**
   * Lifetime given to a record's `cookie.expires` on every write, ms (stores derive their TTL from
   * it; connect-redis falls back to one day without it). Default 400 days.
   */
  ttlMs?: number
  /** Lifetime of tombstones (`state: 'lost'`), ms. Default: `ttlMs`. */
  tombstoneTtlMs?: number
  /** Deadline of each store call, ms; past it the call rejects with `STORE_UNAVAILABLE`. Default 5000. */
  operationTimeoutMs?: number
  /**
   * Encryption at rest (AES-256-GCM): a {@link TokenCipher} or its options, e.g.
   * `encryptionKeysFromEnv()` (`LEXOFFICE_ENCRYPTION_KEYS`). Required: leaving it out throws a
   * TypeError. `false` stores tokens as plaintext in the session store.
   */
  encryption: SharedStoreEncryption
}

/** What this store writes under one store id (shaped like a session so every store accepts it). */
interface StoredRecord {
  cookie: { originalMaxAge: number; expires: string; httpOnly: true; path: '/' }
  lexofficeTokenRecord: { v: number; d: string; e: number | null }
}

interface StoredIndex {
  cookie: StoredRecord['cookie']
  lexofficeTokenIndex: Record<string, number | null>
}

const DAY = 86_400_000
const OPTION_KEYS = optionKeys<ExpressSessionTokenStoreOptions>()([
  'store',
  'prefix',
  'ttlMs',
  'tombstoneTtlMs',
  'operationTimeoutMs',
  'encryption',
])

/**
 * A {@link TokenStore} on top of your app's express-session store, for **single-instance apps**
 * that have nothing else (no Redis). Each token record lives under its own store id
 * (`lexoffice-tokens:r:<key>`), never inside a user's session, so express-session's
 * last-write-wins can never roll back a rotated refresh token.
 *
 * Compare-and-set uses a per-key mutex in this process plus a version check: correct only when
 * this process is the only writer. With several instances use `RedisTokenStore`.
 * `listDue`/`list` use an index record (`lexoffice-tokens:index`) kept by this process; a crash
 * between a record write and its index update can leave a key out until its next write.
 *
 * Records carry a `cookie` with `expires` (now + `ttlMs` on each write) so that stores
 * expire them like sessions (MemoryStore checks `cookie.expires`; connect-redis derives its TTL
 * from it). Store ids of token records are never valid session cookies: express-session only
 * loads ids from cookies signed with your secret. If your app enumerates sessions
 * (`store.all()`), skip ids that start with the prefix.
 *
 * @example
 * ```ts
 * import session from 'express-session'
 * import { ExpressSessionTokenStore, encryptionKeysFromEnv } from 'passport-lexoffice'
 *
 * const sessionStore = new session.MemoryStore()
 * app.use(session({ store: sessionStore, secret, resave: false, saveUninitialized: false }))
 * const tokenStore = new ExpressSessionTokenStore({ store: sessionStore, encryption: encryptionKeysFromEnv()! })
 * ```
 */
export class ExpressSessionTokenStore implements TokenStore {
  readonly #store: SessionStoreLike
  readonly #prefix: string
  readonly #ttlMs: number
  readonly #tombstoneTtlMs: number
  readonly #timeoutMs: number
  readonly #cipher: TokenCipher | undefined
  readonly #mutex = new KeyedMutex()
  readonly #deadlines: DeadlineTicker
  #index: Promise<Map<string, number | null>> | undefined

  /** @throws TypeError when `store` lacks get/set/destroy, `encryption` is missing or an option is invalid. */
  constructor(options: ExpressSessionTokenStoreOptions) {
    assertObject(options, 'options')
    assertKnownKeys(options, OPTION_KEYS, 'ExpressSessionTokenStore')
    const { store } = options
    if (
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
      store === null ||
      typeof store !== 'object' ||
      !['get', 'set', 'destroy'].every((m) => typeof (store as unknown as Record<string, unknown>)[m] === 'function')
    )
      throw invalidArg('ERR_INVALID_ARG_TYPE', '"store" must be an express-session Store (get, set, destroy)')
    const prefix = options.prefix ?? 'lexoffice-tokens:'
    assertString(prefix, 'prefix', { max: 256 })
    const ttlMs = options.ttlMs ?? 400 * DAY
    assertInteger(ttlMs, 'ttlMs', 1000)
    const tombstoneTtlMs = options.tombstoneTtlMs ?? ttlMs
    assertInteger(tombstoneTtlMs, 'tombstoneTtlMs', 1000)
    const timeoutMs = options.operationTimeoutMs ?? 5000
    assertInteger(timeoutMs, 'operationTimeoutMs', 1, 600_000)
    this.#store = store
    this.#prefix = prefix
    this.#ttlMs = ttlMs
    this.#tombstoneTtlMs = tombstoneTtlMs
    this.#timeoutMs = timeoutMs
    this.#deadlines = new DeadlineTicker(timeoutMs)
    this.#cipher = resolveSharedStoreCipher(options.encryption, 'ExpressSessionTokenStore')
  }

  /**
   * The record under `key`, or `undefined` (missing, expired or unreadable).
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when the session store fails or times out.
   * @example
   * ```ts
   * const record = await tokenStore.get(req.user.id)
   * ```
   */
  async get(key: string): Promise<TokenRecord | undefined> {
    assertKey(key)
    const stored = readStored(await this.#call<unknown>((cb) => this.#store.get(this.#recordId(key), cb)))
    if (stored === undefined) return undefined
    const record = decodeRecord(key, stored.d, this.#cipher)
    if (record !== undefined) record.version = stored.v
    return record
  }

  /**
   * Writes `record` if the stored version equals `expectedVersion` (0: no record, or one that reads
   * as `undefined` because it cannot be decrypted), serialised per key inside this process. Resolves `false` on a lost race.
   *
   * @throws TypeError when `record.version !== expectedVersion + 1`.
   * @throws LexofficeError `STORE_UNAVAILABLE` when the session store fails (outcome unknown: re-read).
   * @example
   * ```ts
   * const ok = await tokenStore.set(key, { ...record, version: record.version + 1, tokens }, record.version)
   * ```
   */
  async set(key: string, record: TokenRecord, expectedVersion: number): Promise<boolean> {
    assertSetArgs(key, record, expectedVersion)
    const data = encodeRecord(key, record, this.#cipher)
    const due = dueAt(record) ?? null
    return this.#mutex.run(key, async () => {
      const current = readStored(await this.#call<unknown>((cb) => this.#store.get(this.#recordId(key), cb)))
      if ((current === undefined ? 0 : casVersion(key, current.v, current.d, this.#cipher)) !== expectedVersion) return false
      const value: StoredRecord = {
        cookie: this.#cookie(record.state === 'lost' ? this.#tombstoneTtlMs : this.#ttlMs),
        lexofficeTokenRecord: { v: record.version, d: data, e: due },
      }
      await this.#call<undefined>((cb) => this.#store.set(this.#recordId(key), value as never, cb))
      await this.#updateIndex(key, due)
      return true
    })
  }

  /**
   * Removes the record.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when the session store fails.
   * @example
   * ```ts
   * await tokenStore.destroy(req.user.id)
   * ```
   */
  async destroy(key: string): Promise<void> {
    assertKey(key)
    await this.#mutex.run(key, async () => {
      await this.#call<undefined>((cb) => this.#store.destroy(this.#recordId(key), cb))
      await this.#updateIndex(key, undefined)
    })
  }

  /**
   * Keys of active records whose access token expires before `dueBefore`, soonest first (from the index).
   *
   * @example
   * ```ts
   * const due = await tokenStore.listDue(Date.now() + 5 * 60_000)
   * ```
   */
  async listDue(dueBefore: number): Promise<string[]> {
    const due: [string, number][] = []
    for (const [key, at] of await this.#loadIndex()) if (at !== null && at < dueBefore) due.push([key, at])
    return due.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([key]) => key)
  }

  /**
   * All keys (active and lost) in the index.
   *
   * @example
   * ```ts
   * const keys = await tokenStore.list()
   * ```
   */
  async list(prefix = ''): Promise<string[]> {
    return [...(await this.#loadIndex()).keys()].filter((key) => key.startsWith(prefix))
  }

  #recordId(key: string): string {
    return `${this.#prefix}r:${key}`
  }

  #indexId(): string {
    return `${this.#prefix}index`
  }

  #cookie(ttlMs: number): StoredRecord['cookie'] {
    return { originalMaxAge: ttlMs, expires: new Date(Date.now() + ttlMs).toISOString(), httpOnly: true, path: '/' }
  }

  /** The index, loaded once from the store and then kept in memory (this process is the only writer). */
  #loadIndex(): Promise<Map<string, number | null>> {
    this.#index ??= this.#call<unknown>((cb) => this.#store.get(this.#indexId(), cb)).then(
      (value) => {
        const entries = (value as Partial<StoredIndex> | null | undefined)?.lexofficeTokenIndex
        const map = new Map<string, number | null>()
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
        if (entries !== null && typeof entries === 'object')
          for (const [k, at] of Object.entries(entries)) map.set(k, typeof at === 'number' ? at : null)
        return map
      },
      (err: unknown) => {
        this.#index = undefined
        throw err
      },
    )
    return this.#index
  }

  /** `due`: the expiry, `null` for a lost record, `undefined` to remove the key. */
  async #updateIndex(key: string, due: number | null | undefined): Promise<void> {
    await this.#mutex.run('\u0000index', async () => {
      const index = await this.#loadIndex()
      if (due === undefined ? !index.has(key) : index.get(key) === due) return
      if (due === undefined) index.delete(key)
      else index.set(key, due)
      const value: StoredIndex = { cookie: this.#cookie(this.#ttlMs), lexofficeTokenIndex: Object.fromEntries(index) }
      await this.#call<undefined>((cb) => this.#store.set(this.#indexId(), value as never, cb))
    })
  }

  /** One callback-style store call, with a deadline and secret-free errors. */
  async #call<T>(invoke: (cb: (err?: unknown, value?: unknown) => void) => void): Promise<T> {
    const operation = (): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        invoke((err, value) =>
          err ? reject(err instanceof Error ? err : new Error('the session store failed', { cause: err })) : resolve(value as T),
        )
      })
    try {
      return await this.#deadlines.run(operation, () => new Error(`The session store did not answer within ${this.#timeoutMs} ms`))
    } catch (err) {
      throw storeUnavailable('The token store (session store)', err)
    }
  }
}

function readStored(value: unknown): StoredRecord['lexofficeTokenRecord'] | undefined {
  const inner = (value as Partial<StoredRecord> | null | undefined)?.lexofficeTokenRecord
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  if (inner === null || typeof inner !== 'object' || !Number.isSafeInteger(inner.v) || typeof inner.d !== 'string') return undefined
  return inner
}

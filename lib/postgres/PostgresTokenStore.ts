import type { TokenStore } from '../tokens/TokenStore'
import type { TokenRecord } from '../tokens/TokenSet'
import type { TokenCipher } from '../tokens/crypto/TokenCipher'
import { assertInteger, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { assertKey, assertSetArgs, casVersion, decodeRecord, dueAt, encodeRecord } from '../tokens/stores/recordCodec'
import { resolveSharedStoreCipher, type SharedStoreEncryption } from '../tokens/stores/sharedStoreEncryption'
import { PostgresLock } from './PostgresLock'
import { CACHE_INVALIDATION, type CacheInvalidation } from '../tokens/TokenCache'
import { postgresCacheInvalidation, postgresChannel } from './postgresCacheInvalidation'
import { assertPostgresOptions, assertPostgresText, PostgresExecutor, type PostgresPoolLike, toPostgresPool } from './postgresPool'
import { type PostgresTable, type PostgresTableNames, resolvePostgresTables } from './postgresTables'

/**
 * Options of {@link PostgresTokenStore}.
 *
 * @example
 * ```ts
 * const options: PostgresTokenStoreOptions = { pool, encryption: { keys: { k1: process.env.TOKEN_KEY! }, currentKeyId: 'k1' } }
 * ```
 */
export interface PostgresTokenStoreOptions {
  /**
   * Your `pg.Pool` (or a connected `pg.Client`); the store never creates or closes one. Give the
   * pool a `connectionTimeoutMillis` (e.g. 5000) so that requests get a 503 instead of waiting
   * for a free connection, and a `statement_timeout`.
   */
  pool: PostgresPoolLike
  /** Table names (`tokens` for the records, `locks` for {@link PostgresTokenStore.createLock}). Default `lexoffice_tokens`, `lexoffice_locks`. */
  tables?: PostgresTableNames
  /**
   * Encryption at rest, required: keys (`{ keys, currentKeyId }` or a `TokenCipher`; the CLI and
   * the docs read them from `LEXOFFICE_ENCRYPTION_KEYS="<keyId>:<base64 key>[,...]"`), or
   * `false` to store the records (refresh tokens included) as plain JSON.
   */
  encryption: SharedStoreEncryption
  /** Deadline of each query, ms; past it the call rejects with `STORE_UNAVAILABLE`. Default 5000. */
  commandTimeoutMs?: number
}

const OPTION_KEYS = optionKeys<PostgresTokenStoreOptions>()(['pool', 'tables', 'encryption', 'commandTimeoutMs'])

/**
 * A {@link TokenStore} in PostgreSQL, shared by every instance of your app, with a cross-process
 * refresh lock ({@link PostgresTokenStore.createLock}). Import it from
 * `passport-lexoffice/postgres`; create its tables first with `migratePostgres(pool)` or
 * `npx passport-lexoffice migrate --postgres <url>`.
 *
 * One row per connection key: `version` (compare-and-set: every write is one `UPDATE ... WHERE
 * version = expected`, or an `INSERT ... ON CONFLICT DO NOTHING` for a new key, so a stale
 * writer can never roll back a rotated refresh token), `data` (the record, encrypted unless
 * `encryption: false`) and `due_at` (the access-token expiry of active records, indexed, so
 * `listDue` reads only what is due). Every value travels as a query parameter. Tombstones (lost
 * connections) stay until they are destroyed or overwritten by a new connection.
 *
 * Errors of PostgreSQL (connection refused, timeout, missing table...) become
 * `LexofficeError` with code `STORE_UNAVAILABLE` (status 503) and a secret-free `cause`; a
 * failed write's outcome is then unknown (re-read before deciding). The store never logs.
 *
 * @example
 * ```ts
 * import { Pool } from 'pg'
 * import { PostgresTokenStore, migratePostgres } from 'passport-lexoffice/postgres'
 *
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5000 })
 * await migratePostgres(pool)
 * const store = new PostgresTokenStore({ pool, encryption: { keys: { k1: process.env.TOKEN_KEY! }, currentKeyId: 'k1' } })
 * ```
 */
export class PostgresTokenStore implements TokenStore {
  readonly #db: PostgresExecutor
  readonly #pool: PostgresPoolLike
  readonly #tables: PostgresTableNames
  readonly #table: PostgresTable
  readonly #timeoutMs: number
  readonly #cipher: TokenCipher | undefined

  /** @throws TypeError for a missing pool, a bad option, a missing `encryption` or an invalid key. */
  constructor(options: PostgresTokenStoreOptions) {
    assertPostgresOptions(options, OPTION_KEYS, 'PostgresTokenStore')
    const timeoutMs = options.commandTimeoutMs ?? 5000
    assertInteger(timeoutMs, 'commandTimeoutMs', 1, 600_000)
    this.#pool = toPostgresPool(options.pool)
    this.#table = resolvePostgresTables(options.tables).tokens
    this.#tables = { ...options.tables }
    this.#cipher = resolveSharedStoreCipher(options.encryption, 'PostgresTokenStore')
    this.#timeoutMs = timeoutMs
    this.#db = new PostgresExecutor(this.#pool, timeoutMs, 'token store')
  }

  /**
   * The record under `key`, or `undefined` (missing or unreadable).
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when PostgreSQL cannot be reached.
   * @example
   * ```ts
   * const record = await store.get('user-42')
   * ```
   */
  async get(key: string): Promise<TokenRecord | undefined> {
    const row = await this.#read(key)
    if (row === undefined) return undefined
    const record = decodeRecord(key, row.data, this.#cipher)
    // The version column is what compare-and-set checks; report it, so a writer can always win.
    if (record !== undefined) record.version = row.version
    return record
  }

  /**
   * Writes `record` if the stored version equals `expectedVersion` (0: no record, or one that
   * reads as `undefined` because it cannot be decrypted), in one statement. Resolves `false` on a
   * lost race.
   *
   * @throws TypeError when `record.version !== expectedVersion + 1`.
   * @throws LexofficeError `STORE_UNAVAILABLE` when PostgreSQL cannot be reached (outcome unknown).
   * @example
   * ```ts
   * const ok = await store.set('user-42', { ...record, version: record.version + 1, tokens }, record.version)
   * ```
   */
  async set(key: string, record: TokenRecord, expectedVersion: number): Promise<boolean> {
    assertSetArgs(key, record, expectedVersion)
    assertPostgresText(key, 'key')
    const values = [key, record.version, encodeRecord(key, record, this.#cipher), dueAt(record) ?? null]
    const t = this.#table.sql
    const update = async (compareWith: number): Promise<boolean> =>
      (
        await this.#db.query(`UPDATE ${t} SET version = $2, data = $3, due_at = $4, updated_at = now() WHERE key = $1 AND version = $5`, [
          ...values,
          compareWith,
        ])
      ).rowCount === 1
    if (expectedVersion !== 0) return update(expectedVersion)
    const inserted = await this.#db.query(
      `INSERT INTO ${t} (key, version, data, due_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING`,
      values,
    )
    if (inserted.rowCount === 1) return true
    // A record that reads as undefined (it cannot be decrypted) counts as absent here too, so a new
    // connection can replace it; the UPDATE still compares with its real version, so a concurrent
    // write in between makes this fail.
    const row = await this.#read(key)
    if (row === undefined || casVersion(key, row.version, row.data, this.#cipher) !== 0) return false
    return update(row.version)
  }

  /**
   * Removes the record.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when PostgreSQL cannot be reached.
   * @example
   * ```ts
   * await store.destroy('user-42')
   * ```
   */
  async destroy(key: string): Promise<void> {
    assertKey(key)
    assertPostgresText(key, 'key')
    await this.#db.query(`DELETE FROM ${this.#table.sql} WHERE key = $1`, [key])
  }

  /**
   * Keys of active records whose access token expires before `dueBefore`, soonest first. Reads
   * the partial index on `due_at` (no scan of all rows).
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when PostgreSQL cannot be reached.
   * @example
   * ```ts
   * const due = await store.listDue(Date.now() + 5 * 60_000)
   * ```
   */
  async listDue(dueBefore: number): Promise<string[]> {
    if (typeof dueBefore !== 'number' || Number.isNaN(dueBefore)) throw invalidArg('ERR_INVALID_ARG_TYPE', '"dueBefore" must be a number')
    // pg sends Infinity as 'Infinity', which double precision reads as infinity.
    const { rows } = await this.#db.query(
      `SELECT key FROM ${this.#table.sql} WHERE due_at IS NOT NULL AND due_at < $1::double precision ORDER BY due_at, key`,
      [dueBefore],
    )
    return rows.map((row) => String(row.key))
  }

  /**
   * All keys (active and lost), for status output.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when PostgreSQL cannot be reached.
   * @example
   * ```ts
   * const keys = await store.list()
   * ```
   */
  async list(): Promise<string[]> {
    const { rows } = await this.#db.query(`SELECT key FROM ${this.#table.sql} ORDER BY key`, [])
    return rows.map((row) => String(row.key))
  }

  /**
   * The cross-process refresh lock over the same pool: a lease row per key in the `locks`
   * table (see {@link PostgresLock} for why a lease and not an advisory lock).
   *
   * @example
   * ```ts
   * const lock = store.createLock()
   * const handle = await lock.tryAcquire('user-42', 30_000)
   * ```
   */
  createLock(): PostgresLock {
    return new PostgresLock({ pool: this.#pool, tables: this.#tables, commandTimeoutMs: this.#timeoutMs })
  }

  /** The token cache's invalidation channel (LISTEN/NOTIFY per table); see lib/tokens/TokenCache.ts. @internal */
  [CACHE_INVALIDATION](): CacheInvalidation | undefined {
    return postgresCacheInvalidation(this.#pool, this.#db, postgresChannel(this.#table.sql))
  }

  async #read(key: string): Promise<{ version: number; data: string } | undefined> {
    assertKey(key)
    assertPostgresText(key, 'key')
    const { rows } = await this.#db.query(`SELECT version, data FROM ${this.#table.sql} WHERE key = $1`, [key])
    const row = rows.at(0)
    if (row === undefined) return undefined
    // bigint arrives as a string.
    const version = Number(row.version)
    if (typeof row.data !== 'string' || !Number.isSafeInteger(version)) return undefined
    return { version, data: row.data }
  }
}

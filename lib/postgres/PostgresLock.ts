import { randomBytes } from 'node:crypto'
import type { LockHandle, RefreshLock } from '../tokens/TokenStore'
import { assertInteger } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { assertKey } from '../tokens/stores/recordCodec'
import { assertPostgresOptions, assertPostgresText, PostgresExecutor, type PostgresPoolLike, toPostgresPool } from './postgresPool'
import { type PostgresTable, type PostgresTableNames, resolvePostgresTables } from './postgresTables'

/**
 * Options of {@link PostgresLock}.
 *
 * @example
 * ```ts
 * const options: PostgresLockOptions = { pool, tables: { locks: 'billing.lexoffice_locks' } }
 * ```
 */
export interface PostgresLockOptions {
  /** Your `pg.Pool` (see `PostgresTokenStoreOptions.pool`). */
  pool: PostgresPoolLike
  /** Table names; the lock uses `locks` (default `lexoffice_locks`). */
  tables?: PostgresTableNames
  /** Deadline of each query, ms. Default 5000. */
  commandTimeoutMs?: number
}

const OPTION_KEYS = optionKeys<PostgresLockOptions>()(['pool', 'tables', 'commandTimeoutMs'])

/**
 * A cross-process refresh lock in PostgreSQL: a **lease row** per key (`owner`, `expires_at`),
 * taken by one `INSERT ... ON CONFLICT DO UPDATE ... WHERE expires_at <= clock_timestamp()`,
 * extended by `UPDATE ... WHERE owner = $me AND expires_at > clock_timestamp()` and released by
 * `DELETE ... WHERE owner = $me` (compare-and-delete). Time is the database's clock, shared by
 * every process, as Redis's `PX` is for `RedisLock`.
 *
 * Why a lease and not `pg_try_advisory_lock`: an advisory lock belongs to a database session, so
 * it would have to pin one connection per held lock (or share one dedicated connection, where
 * the lock is re-entrant and so no lock at all between the callers of one process); it breaks
 * behind PgBouncer in transaction mode; it has no time to live, so a holder that hangs (not
 * crashed) keeps it for ever and one cut off by the network keeps it until TCP gives up, often
 * many minutes; and `extend` would mean nothing. The `TokenManager` expects exactly the
 * semantics of the lease: taken for `lockTtlMs`, extended while the refresh runs, free after the
 * TTL when its holder died (SIGKILL included), never released or extended by a former holder.
 * Each call is one autocommit statement on any pooled connection. Sources of these facts:
 * docs/postgres-and-redis-cluster.md.
 *
 * Like `RedisLock` it is an approximate lock: after its TTL another process may take it, so the
 * store's compare-and-set remains the final fence. Usually created by `PostgresTokenStore.createLock()`.
 *
 * @example
 * ```ts
 * import { PostgresLock } from 'passport-lexoffice/postgres'
 * const lock = new PostgresLock({ pool })
 * const handle = await lock.tryAcquire('user-42', 30_000)
 * if (handle) {
 *   try { await refresh() } finally { await handle.release() }
 * }
 * ```
 */
export class PostgresLock implements RefreshLock {
  readonly #db: PostgresExecutor
  readonly #table: PostgresTable

  /** @throws TypeError for a missing pool or a bad option. */
  constructor(options: PostgresLockOptions) {
    assertPostgresOptions(options, OPTION_KEYS, 'PostgresLock')
    const timeoutMs = options.commandTimeoutMs ?? 5000
    assertInteger(timeoutMs, 'commandTimeoutMs', 1, 600_000)
    this.#table = resolvePostgresTables(options.tables).locks
    this.#db = new PostgresExecutor(toPostgresPool(options.pool), timeoutMs, 'refresh lock')
  }

  /**
   * Tries once to take the lock for `ttlMs`; resolves a handle, or `undefined` while another holds it.
   * The handle's `release()` never rejects (an unreleased lease expires after its TTL); `extend()`
   * resolves `false` when the lock was lost and rejects with `STORE_UNAVAILABLE` when PostgreSQL is down.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when PostgreSQL cannot be reached (do not refresh then).
   * @example
   * ```ts
   * const handle = await lock.tryAcquire('user-42', 30_000)
   * if (handle && !(await handle.extend(30_000))) throw new Error('lock lost')
   * ```
   */
  async tryAcquire(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    assertKey(key)
    assertPostgresText(key, 'key')
    assertInteger(ttlMs, 'ttlMs', 1)
    const t = this.#table.sql
    const owner = randomBytes(16).toString('hex')
    const taken = await this.#db.query(
      `INSERT INTO ${t} AS held (key, owner, expires_at) VALUES ($1, $2, clock_timestamp() + $3::bigint * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at WHERE held.expires_at <= clock_timestamp()`,
      [key, owner, ttlMs],
    )
    if (taken.rowCount !== 1) return undefined
    return {
      release: async () => {
        try {
          await this.#db.query(`DELETE FROM ${t} WHERE key = $1 AND owner = $2`, [key, owner])
        } catch {
          // PostgreSQL is unreachable: the lease expires after its TTL; a release must not mask the caller's result.
        }
      },
      extend: async (ms: number) => {
        assertInteger(ms, 'ttlMs', 1)
        const extended = await this.#db.query(
          `UPDATE ${t} SET expires_at = clock_timestamp() + $3::bigint * interval '1 millisecond'
           WHERE key = $1 AND owner = $2 AND expires_at > clock_timestamp()`,
          [key, owner, ms],
        )
        return extended.rowCount === 1
      },
    }
  }
}

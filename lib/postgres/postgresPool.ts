/**
 * The few things the PostgreSQL stores need from `pg`: `query(text, values)` on the pool the
 * app passes in. This package never imports `pg` here and never opens a connection itself.
 *
 * @internal
 */
import { ErrorCodes, LexofficeError, isLexofficeError } from '../errors'
import { secretFreeCause } from '../failures/secretFreeCause'
import { storeUnavailable } from '../failures/storeUnavailable'
import { assertKnownKeys, assertObject, invalidArg } from '../options/assert'
import { DeadlineTicker } from '../timing/DeadlineTicker'

/**
 * What the PostgreSQL stores call: a `pg.Pool` (recommended: queries run side by side), a
 * connected `pg.Client`, or anything with the same `query(text, values)`.
 *
 * @example
 * ```ts
 * import { Pool } from 'pg'
 * const pool: PostgresPoolLike = new Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5000 })
 * ```
 */
export interface PostgresPoolLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>
}

/** A query's rows as records of column values (what `pg` returns). @internal */
export type PostgresRow = Record<string, unknown>

/** PostgreSQL error codes that mean "the schema is not there": run the migration. */
const MISSING_SCHEMA = new Set(['42P01', '42703', '3F000'])

/**
 * Runs parameterised queries with a deadline, and turns every failure into a secret-free
 * `LexofficeError` `STORE_UNAVAILABLE` (503). The deadline is a safety net for a pool that
 * waits for a free connection without limit (`pg`'s default `connectionTimeoutMillis: 0`).
 * @internal
 */
export class PostgresExecutor {
  readonly #pool: PostgresPoolLike
  readonly #timeoutMs: number
  readonly #what: string
  readonly #deadlines: DeadlineTicker

  constructor(pool: PostgresPoolLike, timeoutMs: number, what: string) {
    this.#pool = pool
    this.#timeoutMs = timeoutMs
    this.#what = what
    this.#deadlines = new DeadlineTicker(timeoutMs)
  }

  async query(text: string, values: unknown[]): Promise<{ rows: PostgresRow[]; rowCount: number }> {
    try {
      const result = await this.#deadlines.run(
        () => this.#pool.query(text, values),
        () => new Error(`PostgreSQL did not answer within ${this.#timeoutMs} ms`),
      )
      return { rows: result.rows as PostgresRow[], rowCount: result.rowCount ?? 0 }
    } catch (err) {
      throw postgresStoreError(err, this.#what)
    }
  }
}

/**
 * Checks that `pool` has `query()`.
 * @internal
 */
export function toPostgresPool(pool: unknown): PostgresPoolLike {
  if (pool === null || typeof pool !== 'object' || typeof (pool as { query?: unknown }).query !== 'function')
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"pool" must be a pg.Pool (or a client with query(text, values))')
  return pool as PostgresPoolLike
}

/**
 * `STORE_UNAVAILABLE` (503) naming the store; a missing table or schema says to run the
 * migration. The cause keeps name, code and a bounded message only.
 * @internal
 */
export function postgresStoreError(err: unknown, what: string): LexofficeError {
  if (isLexofficeError(err)) return err
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string' && MISSING_SCHEMA.has(code))
    return new LexofficeError(
      ErrorCodes.STORE_UNAVAILABLE,
      `The ${what} (PostgreSQL) has no table to use: run the migration (npx passport-lexoffice migrate --postgres <url>).`,
      { cause: secretFreeCause(err) },
    )
  return storeUnavailable(`The ${what} (PostgreSQL)`, err)
}

/** PostgreSQL btree entries hold at most 2704 bytes; stay well below (docs/postgres-and-redis-cluster.md). */
const MAX_KEY_BYTES = 2048

/**
 * A key PostgreSQL can store exactly: no NUL (text cannot hold it), no lone surrogate (it would
 * be encoded as U+FFFD, so two different keys would meet in one row), at most 2048 UTF-8 bytes.
 * @internal
 */
export function assertPostgresText(value: string, name: string): void {
  if (value.includes('\u0000') || /\p{Cs}/u.test(value))
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must not contain NUL characters or unpaired surrogates`)
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES)
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be at most ${MAX_KEY_BYTES} bytes in UTF-8`)
}

/**
 * Checks that `options` is an object with only the `allowed` keys (typos such as `table` for
 * `tables` are TypeErrors).
 * @internal
 */
export function assertPostgresOptions(options: unknown, allowed: readonly string[], what: string): void {
  assertObject(options, 'options')
  assertKnownKeys(options, allowed, what)
}

/**
 * Real-PostgreSQL helpers. Every test file works in its own schema (`test_lexoffice_<label>_<random>`),
 * created here and dropped afterwards (only that schema), on the PostgreSQL at DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test). Tests fail, never skip, when it is down.
 */
import { randomBytes } from 'node:crypto'
import { Pool, type PoolConfig } from 'pg'
import { migratePostgres } from '../../lib/postgres/migratePostgres'
import type { PostgresTableNames } from '../../lib/postgres/postgresTables'

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A pool on the test database that gives up quickly when PostgreSQL is down. */
export function testPool(config: PoolConfig = {}): Pool {
  const pool = new Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000, max: 5, ...config })
  pool.on('error', () => undefined) // idle clients whose server went away; queries report their own errors
  return pool
}

/** A schema of one test file, with helpers to make migrated table sets in it. */
export interface TestSchema {
  pool: Pool
  /** The schema's name (safe to interpolate: letters, digits, _). */
  name: string
  /** Table names inside the schema, with `label` in each name so sets never collide; migrated unless `migrate` is false. */
  tables: (label: string, migrate?: boolean) => Promise<Required<PostgresTableNames>>
  /** Drops the schema (only this one) and closes the pool. */
  drop: () => Promise<void>
}

/** Creates a fresh schema; rejects with a clear message when PostgreSQL is not reachable. */
export async function createTestSchema(label: string): Promise<TestSchema> {
  const pool = testPool()
  const name = `test_lexoffice_${label}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  try {
    await pool.query(`CREATE SCHEMA ${name}`)
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw new Error(`PostgreSQL at ${DATABASE_URL} is not reachable: ${(err as Error).message}`, { cause: err })
  }
  return {
    pool,
    name,
    tables: async (set: string, migrate = true) => {
      const tables = { tokens: `${name}.tokens_${set}`, locks: `${name}.locks_${set}`, webhookClaims: `${name}.claims_${set}` }
      if (migrate) await migratePostgres(pool, { tables })
      return tables
    },
    drop: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`).catch(() => undefined)
      await pool.end()
    },
  }
}

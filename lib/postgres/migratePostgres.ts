import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { optionKeys } from '../options/optionKeys'
import { assertPostgresOptions, type PostgresPoolLike, postgresStoreError, toPostgresPool } from './postgresPool'
import { DEFAULT_POSTGRES_TABLES, type PostgresTable, type PostgresTableNames, resolvePostgresTables } from './postgresTables'

/**
 * Options of {@link migratePostgres} and {@link postgresMigrationSQL}.
 *
 * @example
 * ```ts
 * const options: PostgresMigrationOptions = { tables: { tokens: 'billing.lexoffice_tokens' } }
 * ```
 */
export interface PostgresMigrationOptions {
  /** The table names, as given to the stores. Default: `lexoffice_tokens`, `lexoffice_locks`, `lexoffice_webhook_claims`. */
  tables?: PostgresTableNames
}

const OPTION_KEYS = optionKeys<PostgresMigrationOptions>()(['tables'])

/**
 * The shipped migration files, applied in order. Each is idempotent, so running all of them
 * again is the upgrade path.
 */
const MIGRATIONS = ['001_create_tables.sql'] as const

/** lib/postgres and dist/postgres are both two levels below the package root. */
const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations', 'postgres')

/**
 * The SQL that creates (or completes) the schema of the PostgreSQL stores, for the given table
 * names: the shipped `migrations/postgres/*.sql` files with the default names replaced. For
 * migration tools of your own (print it once and commit it).
 *
 * @throws TypeError for an invalid table name.
 * @example
 * ```ts
 * import { postgresMigrationSQL } from 'passport-lexoffice/postgres'
 * const sql = postgresMigrationSQL({ tables: { tokens: 'billing.lexoffice_tokens' } })
 * ```
 */
export function postgresMigrationSQL(options: PostgresMigrationOptions = {}): string {
  assertPostgresOptions(options, OPTION_KEYS, 'migration')
  const tables = resolvePostgresTables(options.tables)
  const byDefault = new Map<string, PostgresTable>(
    (Object.keys(DEFAULT_POSTGRES_TABLES) as Array<keyof typeof DEFAULT_POSTGRES_TABLES>).map((k) => [
      DEFAULT_POSTGRES_TABLES[k],
      tables[k],
    ]),
  )
  // A default table name alone becomes the (qualified) table; followed by a suffix it is an
  // index name, which PostgreSQL creates in the table's schema and which must stay unqualified.
  const names = /\b(lexoffice_tokens|lexoffice_locks|lexoffice_webhook_claims)(_[a-z_]+)?\b/g
  return MIGRATIONS.map((file) =>
    readFileSync(join(MIGRATIONS_DIR, file), 'utf8').replace(names, (found: string, table: string, suffix: string | undefined) => {
      const target = byDefault.get(table)
      if (target === undefined) return found
      return suffix === undefined ? target.sql : `"${target.name}${suffix}"`
    }),
  ).join('\n')
}

/**
 * Creates the tables and indexes of `PostgresTokenStore`, `PostgresLock` and
 * `PostgresWebhookDedupeStore` if they do not exist yet (safe to run on every start, and from
 * several instances at once). The same SQL as `migrations/postgres/*.sql` and as
 * `passport-lexoffice migrate --postgres <url>`. Needs the right to create tables (and the
 * schema, if you qualify the names, must exist).
 *
 * @throws TypeError for an invalid table name; LexofficeError `STORE_UNAVAILABLE` when
 *   PostgreSQL fails (nothing is changed then: the migration is one transaction).
 * @example
 * ```ts
 * import { Pool } from 'pg'
 * import { migratePostgres } from 'passport-lexoffice/postgres'
 *
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL })
 * await migratePostgres(pool)
 * ```
 */
export async function migratePostgres(pool: PostgresPoolLike, options: PostgresMigrationOptions = {}): Promise<void> {
  const db = toPostgresPool(pool)
  // Without parameters, pg sends one simple query: PostgreSQL runs its statements as one
  // implicit transaction (rolled back as a whole on error, leaving the connection clean), so the
  // file's BEGIN/COMMIT, written for psql, are dropped here (docs/postgres-and-redis-cluster.md).
  const sql = postgresMigrationSQL(options).replace(/^(BEGIN|COMMIT);$/gm, '')
  try {
    await db.query(sql)
  } catch (err) {
    throw postgresStoreError(err, 'migration')
  }
}

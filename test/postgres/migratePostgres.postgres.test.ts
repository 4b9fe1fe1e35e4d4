/**
 * The migration: the shipped SQL file runs as is under psql, migratePostgres is idempotent and
 * safe to run from several instances at once, table names are substituted as identifiers only.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { migratePostgres, postgresMigrationSQL } from '../../lib/postgres/migratePostgres'
import { createTestSchema, DATABASE_URL, testPool, type TestSchema } from '../helpers/postgres'

const FILE = join(__dirname, '../../migrations/postgres/001_create_tables.sql')

let schema: TestSchema
beforeAll(async () => {
  schema = await createTestSchema('migrate')
})
afterAll(() => schema.drop())

async function tablesIn(name: string): Promise<string[]> {
  const { rows } = await schema.pool.query<{ t: string }>(
    `SELECT tablename || ':' || indexname AS t FROM pg_indexes WHERE schemaname = $1 ORDER BY 1`,
    [name],
  )
  return rows.map((r) => r.t)
}

test('the SQL of the default names is the shipped file (names quoted); the package ships the migrations folder', () => {
  expect(postgresMigrationSQL().replace(/"(lexoffice_\w+)"/g, '$1')).toBe(readFileSync(FILE, 'utf8'))
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { files: string[] }
  expect(pkg.files).toContain('migrations')
})

test('the shipped file runs under psql as documented (default names, in a schema of its own), twice', async () => {
  const own = `${schema.name}_psql`
  await schema.pool.query(`CREATE SCHEMA ${own}`)
  try {
    for (let run = 0; run < 2; run++)
      await promisify(execFile)('psql', [DATABASE_URL, '-v', 'ON_ERROR_STOP=1', '-q', '-f', FILE], {
        env: { ...process.env, PGOPTIONS: `-c search_path=${own}` },
      })
    expect(await tablesIn(own)).toEqual([
      'lexoffice_locks:lexoffice_locks_pkey',
      'lexoffice_tokens:lexoffice_tokens_due_idx',
      'lexoffice_tokens:lexoffice_tokens_pkey',
      'lexoffice_webhook_claims:lexoffice_webhook_claims_expires_idx',
      'lexoffice_webhook_claims:lexoffice_webhook_claims_pkey',
    ])
  } finally {
    await schema.pool.query(`DROP SCHEMA ${own} CASCADE`)
  }
})

test('custom names: tables qualified by their schema, index names derived from them; idempotent', async () => {
  const tables = { tokens: `${schema.name}.app_tokens`, locks: `${schema.name}.app_locks`, webhookClaims: `${schema.name}.app_claims` }
  await migratePostgres(schema.pool, { tables })
  await migratePostgres(schema.pool, { tables })
  expect(await tablesIn(schema.name)).toEqual([
    'app_claims:app_claims_expires_idx',
    'app_claims:app_claims_pkey',
    'app_locks:app_locks_pkey',
    'app_tokens:app_tokens_due_idx',
    'app_tokens:app_tokens_pkey',
  ])
})

test('five instances migrating at once on separate connections all succeed (the advisory lock serialises them)', async () => {
  const pools = Array.from({ length: 5 }, () => testPool({ max: 1 }))
  try {
    const tables = { tokens: `${schema.name}.race_tokens`, locks: `${schema.name}.race_locks`, webhookClaims: `${schema.name}.race_claims` }
    await Promise.all(pools.map((pool) => migratePostgres(pool, { tables })))
    expect((await tablesIn(schema.name)).filter((t) => t.startsWith('race_'))).toHaveLength(5)
  } finally {
    await Promise.all(pools.map((pool) => pool.end()))
  }
})

test('a failing migration changes nothing and leaves the connection usable (one implicit transaction)', async () => {
  const pool = testPool({ max: 1 })
  try {
    // The schema of the third table does not exist: the first two must not be created either.
    const tables = { tokens: `${schema.name}.half_tokens`, locks: `${schema.name}.half_locks`, webhookClaims: 'no_such_schema_x.claims' }
    await expect(migratePostgres(pool, { tables })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
    expect((await tablesIn(schema.name)).filter((t) => t.startsWith('half_'))).toEqual([])
    await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] })
  } finally {
    await pool.end()
  }
})

test('names that are not plain lower-case identifiers never reach SQL', () => {
  for (const bad of ['x; DROP TABLE y', 'x"y', 'X', 'a.b.c', 'é'])
    expect(() => postgresMigrationSQL({ tables: { locks: bad } })).toThrow(TypeError)
  expect(() => postgresMigrationSQL({ table: 'x' } as never)).toThrow(/unknown migration option "table"/)
})

/**
 * The command with PostgreSQL, in-process (`main(argv, env, io)`): `migrate` (SQL file, custom
 * table names, idempotent), `refresh` and `status --postgres` against the sandbox, exit codes.
 */
import { randomBytes } from 'node:crypto'
import { parseCommandLine } from '../../lib/cli/args'
import { main, type CliIO } from '../../lib/cli/main'
import { postgresMigrationSQL } from '../../lib/postgres/migratePostgres'
import { PostgresTokenStore } from '../../lib/postgres/PostgresTokenStore'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { TokenManager } from '../../lib/tokens/TokenManager'
import { REDIRECT } from '../sandbox/helpers'
import { closedPort } from '../tokens/stores/redisTestUtils'
import { connectUser } from '../refresher/integrationHelpers'
import { DATABASE_URL, createTestSchema, type TestSchema } from '../helpers/postgres'

/** The parser only checks that the keys are there; main() parses them. */
const KEYS = { LEXOFFICE_ENCRYPTION_KEYS: 'k1:not-parsed-here' }

const HOUR = 3_600_000

function captureIO(): CliIO & { out: () => string; err: () => string } {
  let out = ''
  let err = ''
  return {
    stdout: { write: (t: string) => void (out += t) },
    stderr: { write: (t: string) => void (err += t), isTTY: false },
    now: Date.now,
    out: () => out,
    err: () => err,
  }
}

let schema: TestSchema
beforeAll(async () => {
  schema = await createTestSchema('cli')
})
afterAll(async () => {
  await schema.drop()
})

const tableFlags = (t: { tokens: string; locks: string; webhookClaims: string }): string[] => [
  '--tokens-table',
  t.tokens,
  '--locks-table',
  t.locks,
  '--webhook-claims-table',
  t.webhookClaims,
]

describe('parsing', () => {
  it('migrate takes DATABASE_URL or --postgres, table names, --print-sql', () => {
    expect(parseCommandLine(['migrate'], { DATABASE_URL: 'postgres://db/app' })).toEqual({
      command: 'migrate',
      postgresURL: 'postgres://db/app',
      tables: {},
      printSQL: false,
    })
    expect(parseCommandLine(['migrate', '--print-sql', '--tokens-table', 'app.tokens'], {})).toEqual({
      command: 'migrate',
      tables: { tokens: 'app.tokens' },
      printSQL: true,
    })
  })

  it('refresh/status: --postgres, or DATABASE_URL when REDIS_URL is not set (REDIS_URL first, as before)', () => {
    expect(parseCommandLine(['status', '--postgres', 'postgresql://db/app', '--tokens-table', 't', '--plaintext'], {})).toEqual({
      command: 'status',
      postgresURL: 'postgresql://db/app',
      tables: { tokens: 't' },
      json: false,
      plaintext: true,
    })
    expect(parseCommandLine(['status'], { ...KEYS, DATABASE_URL: 'postgres://db/app' })).toMatchObject({ postgresURL: 'postgres://db/app' })
    expect(parseCommandLine(['status'], { ...KEYS, DATABASE_URL: 'postgres://db/app', REDIS_URL: 'redis://r:6379' })).toMatchObject({
      redisURL: 'redis://r:6379',
    })
  })

  it.each([
    [['migrate'], /--postgres <url> \(or DATABASE_URL\) is required/],
    [['migrate', '--postgres', 'redis://x'], /postgres:\/\//],
    [['migrate', '--postgres', 'postgres://x', '--tokens-table', 'x"; drop table y'], /--tokens-table must be a lower-case SQL identifier/],
    [['migrate', '--postgres', 'postgres://x', '--redis', 'redis://x'], /--redis does not apply to migrate/],
    [['status', '--postgres', 'postgres://x', '--redis', 'redis://x'], /either --redis or --postgres/],
    [['status', '--postgres', 'postgres://x', '--prefix', 'p:'], /--prefix applies to Redis/],
    [['status', '--redis', 'redis://x', '--tokens-table', 't'], /apply to PostgreSQL/],
    [['status', '--postgres', 'postgres://x', '--print-sql'], /--print-sql applies to migrate/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCommandLine(argv, KEYS)).toThrow(message)
  })
})

describe('migrate', () => {
  it('--print-sql prints the shipped SQL with the given names, without a database', async () => {
    const io = captureIO()
    expect(await main(['migrate', '--print-sql', '--tokens-table', 'billing.lx_tokens'], {}, io)).toBe(0)
    expect(io.out()).toBe(postgresMigrationSQL({ tables: { tokens: 'billing.lx_tokens' } }))
    expect(io.out()).toContain('CREATE TABLE IF NOT EXISTS "billing"."lx_tokens"')
    expect(io.out()).toContain('CREATE INDEX IF NOT EXISTS "lx_tokens_due_idx" ON "billing"."lx_tokens"')
  })

  it('creates the tables from DATABASE_URL (twice: idempotent); the store works on them', async () => {
    const t = await schema.tables('migrated', false)
    for (let run = 0; run < 2; run++) {
      const io = captureIO()
      expect(await main(['migrate', ...tableFlags(t)], { DATABASE_URL }, io)).toBe(0)
      expect(io.err()).toBe('')
      expect(io.out()).toMatch(/^PostgreSQL at postgres:\/\/.*: tables "test_lexoffice_cli_\w+"\."tokens_migrated", .* are in place\n$/)
    }
    const { rows } = await schema.pool.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema.name],
    )
    expect(rows.map((r) => r.table_name)).toEqual(['claims_migrated', 'locks_migrated', 'tokens_migrated'])
  })

  it('exits 3 when PostgreSQL is unreachable (no password printed), 2 for usage errors', async () => {
    const port = await closedPort()
    const io = captureIO()
    expect(await main(['migrate', '--postgres', `postgres://postgres:hunter2@127.0.0.1:${port}/test`], {}, io)).toBe(3)
    expect(io.err()).toMatch(
      new RegExp(`^passport-lexoffice: cannot reach PostgreSQL at postgres://127\\.0\\.0\\.1:${port}/test \\(ECONNREFUSED`),
    )
    expect(io.err()).not.toContain('hunter2')
    const usage = captureIO()
    expect(await main(['migrate'], {}, usage)).toBe(2)
    expect(usage.err()).toMatch(/DATABASE_URL/)
  })
})

describe('refresh and status on PostgreSQL', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await createSandbox({ autoApprove: true })
    sandbox.addRedirectUri(REDIRECT)
  })
  afterEach(() => sandbox.close())

  it('refresh refreshes what is due through the PostgreSQL lock; status lists every connection, never a token', async () => {
    const t = await schema.tables(`run_${randomBytes(3).toString('hex')}`)
    const key = randomBytes(32).toString('base64')
    const encryption = { keys: { k1: key }, currentKeyId: 'k1' }
    const store = new PostgresTokenStore({ pool: schema.pool, tables: t, encryption })
    const oauth = { ...sandbox.client, tokenURL: sandbox.endpoints.tokenURL, revokeURL: sandbox.endpoints.revokeURL }
    const secrets: string[] = [sandbox.client.clientSecret]
    const connect = async (k: string, expiresInMs: number): Promise<string> => {
      const manager = new TokenManager({ store, oauth, now: () => Date.now() - (4 * HOUR - expiresInMs) })
      const { connectionId, secrets: issued } = await connectUser(sandbox, manager, k)
      secrets.push(...issued)
      return connectionId
    }
    const due = await connect('due', 5 * 60_000)
    const later = await connect('later', 2 * HOUR)
    const env = {
      LEXOFFICE_CLIENT_ID: sandbox.client.clientID,
      LEXOFFICE_CLIENT_SECRET: sandbox.client.clientSecret,
      LEXOFFICE_TOKEN_URL: sandbox.endpoints.tokenURL,
      LEXOFFICE_REVOKE_URL: sandbox.endpoints.revokeURL,
      LEXOFFICE_ENCRYPTION_KEYS: `k1:${key}`,
      DATABASE_URL,
    }
    const io = captureIO()
    expect(await main(['refresh', '--tokens-table', t.tokens, '--locks-table', t.locks, '--json'], env, io)).toBe(0)
    expect(io.err()).toBe('')
    expect(JSON.parse(io.out())).toMatchObject({ scanned: 1, refreshed: 1, failed: 0, lost: 0 })
    expect(Object.fromEntries(sandbox.connections().map((c) => [c.connectionId, c.refreshCount]))).toEqual({ [due]: 1, [later]: 0 })
    // The lock's lease was released.
    expect((await schema.pool.query(`SELECT 1 FROM ${t.locks}`)).rowCount).toBe(0)

    const status = captureIO()
    expect(await main(['status', '--postgres', DATABASE_URL, '--tokens-table', t.tokens, '--json'], env, status)).toBe(0)
    const parsed = JSON.parse(status.out()) as { connections: { key: string; state: string; refreshCount: number }[] }
    expect(parsed.connections.map((c) => [c.key, c.state, c.refreshCount])).toEqual([
      ['due', 'active', 1],
      ['later', 'active', 0],
    ])
    for (const s of secrets) expect(io.out() + status.out()).not.toContain(s)
  })
})

/**
 * PostgresTokenStore on the real PostgreSQL: the shared TokenStore contract (plain and
 * encrypted), then what is specific to PostgreSQL.
 */
import { inspect } from 'node:util'
import net from 'node:net'
import { Pool } from 'pg'
import { PostgresTokenStore } from '../../lib/postgres/PostgresTokenStore'
import type { PostgresPoolLike } from '../../lib/postgres/postgresPool'
import { TokenCipher } from '../../lib/tokens/crypto/TokenCipher'
import type { TokenStore } from '../../lib/tokens/TokenStore'
import { describeTokenStore, makeRecord, makeTokens } from '../contract/tokenStore.contract'
import { closedPort } from '../tokens/stores/redisTestUtils'
import { createTestSchema, type TestSchema } from '../helpers/postgres'

let schema: TestSchema | undefined
let schemaPromise: Promise<TestSchema> | undefined
const getSchema = async (): Promise<TestSchema> => (schema = await (schemaPromise ??= createTestSchema('store')))
afterAll(async () => {
  await (await schemaPromise?.catch(() => undefined))?.drop()
})

const tablesOf = new WeakMap<TokenStore, string>()
let n = 0
const makeStore = async ({
  encryption,
  sameDataAs,
}: {
  encryption?: TokenCipher
  sameDataAs?: TokenStore
}): Promise<PostgresTokenStore> => {
  const { pool, tables } = await getSchema()
  const tokens = sameDataAs ? tablesOf.get(sameDataAs)! : (await tables(`c${++n}`)).tokens
  const store = new PostgresTokenStore({ pool, tables: { tokens }, encryption: encryption ?? false })
  tablesOf.set(store, tokens)
  return store
}
/** What `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return undefined
}

interface TokenRow {
  version: string
  data: string
  due_at: number | null
}

describeTokenStore('PostgresTokenStore', makeStore, undefined, {
  readRaw: async (store, key) => {
    const { rows } = await schema!.pool.query<{ row: string }>(`SELECT t::text AS row FROM ${tablesOf.get(store)!} t WHERE key = $1`, [key])
    return rows[0]?.row
  },
})

describe('PostgresTokenStore: PostgreSQL specifics', () => {
  test('layout: version and due_at are columns readable without decrypting; the encrypted data holds no token', async () => {
    const { pool, tables } = await getSchema()
    const t = await tables('layout')
    const store = new PostgresTokenStore({ pool, tables: t, encryption: { keys: { k1: Buffer.alloc(32, 7) }, currentKeyId: 'k1' } })
    const tokens = makeTokens()
    await store.set('u1', makeRecord(1, tokens), 0)
    const { rows } = await pool.query<TokenRow>(`SELECT version, data, due_at FROM ${t.tokens} WHERE key = 'u1'`)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ version: '1', due_at: tokens.expiresAt })
    expect(rows[0]?.data).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
    expect(rows[0]?.data).not.toContain(tokens.refreshToken)
    // A tombstone has no due_at.
    await store.set('u1', { version: 2, state: 'lost', lost: { reason: 'invalid_grant', at: 1 }, refreshCount: 0, connectedAt: 1 }, 1)
    expect((await pool.query<TokenRow>(`SELECT due_at FROM ${t.tokens} WHERE key = 'u1'`)).rows[0]?.due_at).toBeNull()
  })

  test("listDue's query reads the due_at index, not every row (EXPLAIN of the exact query the store sends)", async () => {
    const { pool, tables } = await getSchema()
    const t = await tables('explain')
    // 20,000 rows, 1 % of them due: the planner must pick the partial index on due_at.
    await pool.query(
      `INSERT INTO ${t.tokens} (key, version, data, due_at)
       SELECT 'k' || i, 1, '{}', CASE WHEN i % 5 = 0 THEN NULL ELSE 1e12 + i END FROM generate_series(1, 20000) AS i`,
    )
    await pool.query(`ANALYZE ${t.tokens}`)
    const seen: Array<{ text: string; values: unknown[] | undefined }> = []
    const recording: PostgresPoolLike = {
      query: (text, values) => {
        seen.push({ text, values })
        return pool.query(text, values)
      },
    }
    const store = new PostgresTokenStore({ pool: recording, tables: t, encryption: false })
    const due = await store.listDue(1e12 + 200)
    expect(due).toHaveLength(160) // i in 1..199 without the multiples of 5
    expect(due.slice(0, 3)).toEqual(['k1', 'k2', 'k3'])
    const { text, values } = seen.at(-1)!
    const plan = (await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values)).rows.map((r) => r['QUERY PLAN']).join('\n')
    expect(plan).toMatch(/Index (Only )?Scan using tokens_explain_due_idx/)
    expect(plan).not.toMatch(/Seq Scan/)
  })

  test('encryption is required: leaving it out throws a TypeError that says how to give keys or opt out', () => {
    const pool = new Pool()
    try {
      expect(() => new PostgresTokenStore({ pool } as never)).toThrow(TypeError)
      expect(() => new PostgresTokenStore({ pool } as never)).toThrow(/LEXOFFICE_ENCRYPTION_KEYS.*encryption: false/)
      expect(() => new PostgresTokenStore({ pool, encryption: { keys: { k1: 'short' }, currentKeyId: 'k1' } })).toThrow(TypeError)
      expect(() => new PostgresTokenStore({ pool, encryption: false })).not.toThrow()
    } finally {
      void pool.end()
    }
  })

  test('options: a missing pool, unknown options and table names that are not plain identifiers are TypeErrors', () => {
    const pool = new Pool()
    try {
      expect(() => new PostgresTokenStore({ encryption: false } as never)).toThrow(/"pool"/)
      expect(() => new PostgresTokenStore({ pool, encryption: false, table: 'x' } as never)).toThrow(
        /unknown PostgresTokenStore option "table"/,
      )
      for (const bad of ['x"; DROP TABLE users; --', 'Tokens', 'a.b.c', '1tokens', '', 'a'.repeat(51), 'tokens ', 'sch ema.tokens'])
        expect(thrown(() => new PostgresTokenStore({ pool, encryption: false, tables: { tokens: bad } }))).toMatchObject({
          name: 'TypeError',
          code: 'ERR_INVALID_ARG_VALUE',
        })
      expect(() => new PostgresTokenStore({ pool, encryption: false, tables: { tokenz: 'x' } as never })).toThrow(/unknown "tables" entry/)
      expect(() => new PostgresTokenStore({ pool, encryption: false, commandTimeoutMs: 0 })).toThrow(TypeError)
    } finally {
      void pool.end()
    }
  })

  test('keys: quotes, wildcards and non-ASCII round trip; NUL and unpaired surrogates (which PostgreSQL cannot keep apart) are TypeErrors', async () => {
    const store = await makeStore({})
    const odd = [`it's "quoted" %_\\`, 'ümlaut-€-😀', "'; DROP TABLE x; --"]
    for (const key of odd) await expect(store.set(key, makeRecord(1), 0)).resolves.toBe(true)
    expect((await store.list()).sort()).toEqual([...odd].sort())
    for (const key of odd) expect((await store.get(key))?.version).toBe(1)
    for (const bad of ['a\u0000b', 'a\uD800', '\uDC00b']) {
      await expect(store.get(bad)).rejects.toThrow(TypeError)
      await expect(store.set(bad, makeRecord(1), 0)).rejects.toThrow(TypeError)
    }
    await expect(store.get('€'.repeat(700))).rejects.toThrow(/2048 bytes/)
  })

  test('two pools (two app instances) race 20 compare-and-set writes: exactly one wins', async () => {
    const { tables } = await getSchema()
    const t = await tables('race')
    const second = new Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', max: 5 })
    try {
      const a = new PostgresTokenStore({ pool: schema!.pool, tables: t, encryption: false })
      const b = new PostgresTokenStore({ pool: second, tables: t, encryption: false })
      await a.set('k', makeRecord(1), 0)
      const candidates = Array.from({ length: 20 }, () => makeRecord(2))
      const results = await Promise.all(candidates.map((r, i) => (i % 2 ? a : b).set('k', r, 1)))
      expect(results.filter(Boolean)).toHaveLength(1)
      await expect(b.get('k')).resolves.toEqual(candidates[results.indexOf(true)])
      // 20 writers creating the same new key: one INSERT wins.
      const fresh = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).set('new', makeRecord(1), 0)))
      expect(fresh.filter(Boolean)).toHaveLength(1)
    } finally {
      await second.end()
    }
  })

  test('tables not migrated: STORE_UNAVAILABLE that says to run the migration', async () => {
    const { pool, tables } = await getSchema()
    const store = new PostgresTokenStore({ pool, tables: await tables('missing', false), encryption: false })
    const err = await store.get('k').catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'LexofficeError', code: 'STORE_UNAVAILABLE', status: 503 })
    expect((err as Error).message).toMatch(/run the migration/)
  })

  test('PostgreSQL down: STORE_UNAVAILABLE (503) fast, no secret in the error; nothing lost', async () => {
    const good = await makeStore({})
    const record = makeRecord(1)
    await good.set('down', record, 0)
    const offline = new Pool({ host: '127.0.0.1', port: await closedPort(), user: 'postgres', connectionTimeoutMillis: 1000 })
    try {
      const down = new PostgresTokenStore({ pool: offline, tables: { tokens: tablesOf.get(good)! }, encryption: false })
      const newer = makeRecord(2, makeTokens({ refreshToken: 'RT-secret-written-while-down' }))
      const started = Date.now()
      const failures = await Promise.all([
        down.get('down').catch((e: unknown) => e),
        down.set('down', newer, 1).catch((e: unknown) => e),
        down.destroy('down').catch((e: unknown) => e),
        down.listDue(Date.now()).catch((e: unknown) => e),
        down.list().catch((e: unknown) => e),
        down
          .createLock()
          .tryAcquire('down', 1000)
          .catch((e: unknown) => e),
      ])
      // Refused at once; the failure would be a hang (Jest's 30 s timeout), not a slow machine's stall.
      expect(Date.now() - started).toBeLessThan(10_000)
      for (const err of failures) {
        expect(err).toMatchObject({ name: 'LexofficeError', code: 'STORE_UNAVAILABLE', status: 503 })
        expect((err as Error).cause).toMatchObject({ code: 'ECONNREFUSED' })
        const text = `${inspect(err, { depth: 5, showHidden: true })} ${JSON.stringify(err)} ${(err as Error).stack}`
        expect(text).not.toContain('RT-secret')
      }
    } finally {
      await offline.end()
    }
    await expect(good.get('down')).resolves.toEqual(record)
    await expect(good.set('down', makeRecord(2), 1)).resolves.toBe(true)
  })

  test('a server that accepts the connection but never answers: the query deadline turns the hang into STORE_UNAVAILABLE', async () => {
    const sockets = new Set<net.Socket>()
    const silent = net.createServer((s) => {
      sockets.add(s)
      s.on('error', () => undefined)
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    // The pool as many apps configure it: no connection timeout.
    const hanging = new Pool({ host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port, user: 'postgres' })
    hanging.on('error', () => undefined)
    try {
      const store = new PostgresTokenStore({ pool: hanging, encryption: false, commandTimeoutMs: 200 })
      const started = Date.now()
      await expect(store.get('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 })
      await expect(store.createLock().tryAcquire('k', 1000)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
      // The 200 ms deadline fired; without it the queries hang (Jest's 30 s timeout). Room for a stalled machine.
      expect(Date.now() - started).toBeLessThan(10_000)
    } finally {
      for (const s of sockets) s.destroy()
      await hanging.end().catch(() => undefined)
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })
})

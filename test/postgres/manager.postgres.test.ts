/**
 * TokenManager across processes on PostgreSQL alone (store and lock), as the Redis suite in
 * test/tokens/manager/manager.redis.test.ts: forked app instances (managerChild.ts) share the tables of
 * this file's schema and the parent's sandbox.
 */
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { Pool } from 'pg'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { PostgresTokenStore } from '../../lib/postgres/PostgresTokenStore'
import type { PostgresTableNames } from '../../lib/postgres/postgresTables'
import { TokenManager } from '../../lib/tokens/TokenManager'
import { connectViaSandbox, expiring, oauthClientFor, until } from '../helpers/connect'
import { recordEvents } from '../tokens/manager/helpers'
import { type Child, REDIS_URL, forkChild, redisProxy } from '../tokens/manager/redisHelpers'
import { DATABASE_URL, createTestSchema, type TestSchema } from '../helpers/postgres'
import { TEST_ENCRYPTION } from '../helpers/encryption'

jest.setTimeout(120_000)

const KEY = 'conn-1'
const sha = (s: string): string => createHash('sha256').update(s).digest('hex')

async function profileStatus(sb: Sandbox, token: string): Promise<number> {
  return (await fetch(`${sb.endpoints.apiURL}/v1/profile`, { headers: { authorization: `Bearer ${token}` } })).status
}

/** A pool to DATABASE_URL's database through the loopback proxy at `proxyURL` (which can be cut). */
function poolVia(proxyURL: string): Pool {
  const db = new URL(DATABASE_URL)
  const pool = new Pool({
    host: '127.0.0.1',
    port: Number(new URL(proxyURL).port),
    user: decodeURIComponent(db.username) || 'postgres',
    password: decodeURIComponent(db.password),
    database: db.pathname.slice(1) || 'test',
    connectionTimeoutMillis: 1_000,
  })
  pool.on('error', () => undefined)
  return pool
}

describe('TokenManager across processes on PostgreSQL', () => {
  let schema: TestSchema
  let sb: Sandbox
  let tables: Required<PostgresTableNames>
  let children: Child[] = []
  let run = 0
  beforeAll(async () => {
    schema = await createTestSchema('manager')
  })
  afterAll(() => schema.drop())
  beforeEach(async () => {
    sb = await createSandbox({ autoApprove: true })
    tables = await schema.tables(`t${++run}`)
  })
  afterEach(async () => {
    for (const c of children) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) {
        c.send({ type: 'exit' })
        const exited = once(c.proc, 'exit')
        const timer = setTimeout(() => c.proc.kill('SIGKILL'), 5_000)
        await exited
        clearTimeout(timer)
      }
    }
    children = []
    await sb.close()
  })

  function childConfig(overrides: { lockTtlMs?: number; oauthTimeoutMs?: number } = {}) {
    return {
      type: 'init' as const,
      redisUrl: REDIS_URL,
      prefix: '',
      postgres: { url: DATABASE_URL, tables },
      key: KEY,
      ...sb.client,
      tokenURL: sb.endpoints.tokenURL,
      revokeURL: sb.endpoints.revokeURL,
      apiURL: sb.endpoints.apiURL,
      oauthTimeoutMs: overrides.oauthTimeoutMs ?? 10_000,
      lockTtlMs: overrides.lockTtlMs ?? 30_000,
    }
  }

  const storeOn = (pool: Pool, commandTimeoutMs?: number): PostgresTokenStore =>
    // The children encrypt with this file's key (forkChild puts it into their environment).
    new PostgresTokenStore({ pool, tables, encryption: TEST_ENCRYPTION, ...(commandTimeoutMs !== undefined && { commandTimeoutMs }) })

  it('4 processes x 50 concurrent calls on an expired token: exactly 1 refresh (rotation), every call gets the new token', async () => {
    const store = storeOn(schema.pool)
    const manager = new TokenManager({ store, oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL })
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    sb.expireAccessTokens()
    sb.resetLog()

    children = Array.from({ length: 4 }, forkChild)
    for (const c of children) c.send(childConfig())
    await Promise.all(children.map((c) => c.waitFor('ready')))
    for (const c of children) c.send({ type: 'go', calls: 50 })
    const results = await Promise.all(children.map((c) => c.waitFor('result')))

    expect(sb.tokenCalls('refresh_token')).toBe(1)
    const stored = await store.get(KEY)
    expect(stored?.refreshCount).toBe(1)
    expect(stored?.refreshing).toBeUndefined()
    for (const r of results) {
      expect(r.errors).toEqual([])
      expect(r.ok).toHaveLength(50)
      expect(new Set(r.ok)).toEqual(new Set([sha(stored?.tokens?.accessToken ?? '')]))
    }
    expect(children.flatMap((c) => c.messages).filter((m) => m.type === 'event' && m.name === 'refreshed')).toHaveLength(1)
    expect(await profileStatus(sb, stored?.tokens?.accessToken ?? '')).toBe(200)
    expect(sb.connections()[0]).toMatchObject({ state: 'active', refreshCount: 1 })
    // Every lease was released.
    expect((await schema.pool.query(`SELECT 1 FROM ${tables.locks}`)).rowCount).toBe(0)
  })

  it('a process killed (SIGKILL) while it holds the lock mid-refresh: another takes over after the lease expires', async () => {
    const store = storeOn(schema.pool)
    const lockTtlMs = 2_000
    const manager = new TokenManager({
      store,
      oauth: oauthClientFor(sb, { timeoutMs: 1_000 }),
      apiURL: sb.endpoints.apiURL,
      lockTtlMs,
      lockWaitMs: 8_000,
    })
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    sb.resetLog()
    // The victim's token call hangs at the sandbox (never processed), so the grant stays valid.
    sb.failNextTokenCalls([{ kind: 'delay', ms: 60_000, thenProcess: false }])

    const victim = forkChild()
    children = [victim]
    victim.send(childConfig({ lockTtlMs, oauthTimeoutMs: 1_000 }))
    await victim.waitFor('ready')
    victim.send({ type: 'go', calls: 1 })
    await until(() => sb.tokenCalls('refresh_token') === 1, 20_000, 'the victim to call the token endpoint')
    // When the dead holder's lease will expire, by PostgreSQL's clock (measured before the kill).
    const { rows } = await schema.pool.query<{ ms: number }>(
      `SELECT (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::float8 AS ms FROM ${tables.locks} WHERE key = $1`,
      [KEY],
    )
    const leaseLeft = rows[0]?.ms ?? -1
    expect(leaseLeft).toBeGreaterThan(0)
    const lockExpiresAt = Date.now() + leaseLeft
    const exited = once(victim.proc, 'exit')
    victim.proc.kill('SIGKILL')
    await exited
    expect((await store.get(KEY))?.refreshing).toBeDefined() // the in-flight marker it left behind

    const token = await manager.getAccessToken(KEY)

    const calls = sb.requests.filter((r) => r.path === '/oauth2/token' && r.grantType === 'refresh_token')
    expect(calls).toHaveLength(2)
    // The survivor refreshed only after the dead holder's lease expired (sandbox, test and PostgreSQL share one clock).
    expect(calls[1]?.time).toBeGreaterThanOrEqual(lockExpiresAt - 5)
    expect((calls[1]?.time ?? 0) - (calls[0]?.time ?? 0)).toBeLessThan(lockTtlMs + 8_000)
    expect(await profileStatus(sb, token)).toBe(200)
    const stored = await store.get(KEY)
    expect(stored).toMatchObject({ state: 'active', refreshCount: 1 })
    expect(stored?.refreshing).toBeUndefined()
    expect(sb.connections()[0]?.state).toBe('active')
  })

  it('PostgreSQL unreachable: STORE_UNAVAILABLE (503) and no refresh; once it is back nothing was lost', async () => {
    const proxy = await redisProxy(DATABASE_URL)
    const pool = poolVia(proxy.url)
    try {
      const manager = new TokenManager({
        store: storeOn(pool, 1_000),
        oauth: oauthClientFor(sb),
        apiURL: sb.endpoints.apiURL,
        lockWaitMs: 1_000,
      })
      const first = await connectViaSandbox(sb)
      await manager.connect(KEY, expiring(first, -1_000))
      sb.resetLog()

      proxy.cut()
      await expect(manager.getAccessToken(KEY)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 })
      await expect(manager.isConnected(KEY)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
      expect(sb.tokenCalls()).toBe(0)

      proxy.restore()
      const token = await manager.getAccessToken(KEY)
      expect(await profileStatus(sb, token)).toBe(200)
      expect(sb.tokenCalls('refresh_token')).toBe(1)
      expect((await storeOn(schema.pool).get(KEY))?.tokens?.accessToken).toBe(token)
    } finally {
      await pool.end()
      await proxy.close()
    }
  })

  it('PostgreSQL drops right after lexoffice rotated: the new set is served from memory and written when it is back', async () => {
    const proxy = await redisProxy(DATABASE_URL)
    const pool = poolVia(proxy.url)
    try {
      const manager = new TokenManager({ store: storeOn(pool, 1_000), oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL })
      const events = recordEvents(manager)
      const first = await connectViaSandbox(sb)
      await manager.connect(KEY, expiring(first, -1_000))
      sb.resetLog()
      sb.failNextTokenCalls([{ kind: 'delay', ms: 300, thenProcess: true }])
      const pending = manager.getAccessToken(KEY)
      await until(() => sb.tokenCalls('refresh_token') === 1, 10_000, 'the token call')
      proxy.cut() // PostgreSQL is gone while lexoffice rotates the refresh token

      const token = await pending
      expect(await profileStatus(sb, token)).toBe(200)
      expect(events.map((e) => e.name)).toEqual(expect.arrayContaining(['persistFailed', 'refreshed']))
      expect(await manager.getAccessToken(KEY)).toBe(token) // from memory, PostgreSQL still down
      expect(sb.tokenCalls('refresh_token')).toBe(1)

      const recovered = new Promise((resolve) => manager.once('persistRecovered', resolve))
      proxy.restore()
      await recovered
      const stored = await storeOn(schema.pool).get(KEY)
      expect(stored?.tokens?.accessToken).toBe(token)
      expect(stored?.refreshCount).toBe(1)
      const next = await manager.getAccessToken(KEY, { forceRefresh: true })
      expect(await profileStatus(sb, next)).toBe(200)
      expect(sb.connections()[0]).toMatchObject({ state: 'active', refreshCount: 2 })
    } finally {
      await pool.end()
      await proxy.close()
    }
  })
})

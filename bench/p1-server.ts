/**
 * P1 child: the sandbox and four apps sharing one express-session MemoryStore:
 * `baseline` (session + passport, no lexoffice middleware, handler does no token work), and
 * `memory`, `redis`, `postgres` (plus `lexoffice.middleware()`; the handler awaits
 * req.lexoffice.getAccessToken() with a MemoryTokenStore / RedisTokenStore / PostgresTokenStore;
 * the shared stores with createLexoffice's default token cache in front). Session cookies come
 * from real logins through LexofficeStrategy against the sandbox (fetch + cookie jar); the
 * strategy stores the tokens in its app's token store. IPC: -> ready { targets }, <- cpu, <- exit.
 */
import { randomBytes } from 'node:crypto'
import session from 'express-session'
import { Pool } from 'pg'
import { createClient } from 'redis'
import { createSandbox } from '../lib/sandbox/createSandbox'
import { MemoryTokenStore } from '../lib/tokens/stores/MemoryTokenStore'
import { RedisTokenStore } from '../lib/redis/RedisTokenStore'
import { PostgresTokenStore } from '../lib/postgres/PostgresTokenStore'
import { migratePostgres } from '../lib/postgres/migratePostgres'
import { startApp } from './lib/apps'
import { CookieJar, driveLogin } from './lib/util'
import { benchEncryption } from './lib/encryption'

export type P1Name = 'baseline' | 'memory' | 'redis' | 'postgres'

export interface P1Target {
  name: P1Name
  url: string
  cookie: string
}

async function main(): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const sb = await createSandbox({ autoApprove: true })
  const redis = createClient({ url: redisUrl, disableOfflineQueue: true })
  redis.on('error', () => undefined)
  await redis.connect()
  const prefix = `bench:p1:${randomBytes(4).toString('hex')}:`
  const redisStore = new RedisTokenStore({ client: redis, prefix, encryption: benchEncryption() })
  const pool = new Pool({ connectionString: databaseUrl, connectionTimeoutMillis: 5000, max: 10 })
  pool.on('error', () => undefined)
  const schema = `bench_p1_${randomBytes(4).toString('hex')}`
  await pool.query(`CREATE SCHEMA ${schema}`)
  const tables = { tokens: `${schema}.tokens`, locks: `${schema}.locks`, webhookClaims: `${schema}.claims` }
  await migratePostgres(pool, { tables })
  const postgresStore = new PostgresTokenStore({ pool, tables, encryption: benchEncryption() })
  const memoryStore = new MemoryTokenStore()
  const sessionStore = new session.MemoryStore()

  const baseline = await startApp({ sandbox: sb, sessionStore, strategy: 'lexoffice', withMiddleware: false })
  const memory = await startApp({ sandbox: sb, sessionStore, strategy: 'lexoffice', tokenStore: memoryStore, withMiddleware: true })
  const redisApp = await startApp({ sandbox: sb, sessionStore, strategy: 'lexoffice', tokenStore: redisStore, withMiddleware: true })
  const pgApp = await startApp({ sandbox: sb, sessionStore, strategy: 'lexoffice', tokenStore: postgresStore, withMiddleware: true })

  // Real logins, one per app with a store (its cookie's session names its connection); the
  // memory app's cookie also serves the baseline (same session store).
  const jars = { memory: new CookieJar(), redis: new CookieJar(), postgres: new CookieJar() }
  await driveLogin(jars.memory, `${memory.url}/auth/login`)
  await driveLogin(jars.redis, `${redisApp.url}/auth/login`)
  await driveLogin(jars.postgres, `${pgApp.url}/auth/login`)
  const targets: P1Target[] = [
    { name: 'baseline', url: `${baseline.url}/api`, cookie: jars.memory.header() },
    { name: 'memory', url: `${memory.url}/api`, cookie: jars.memory.header() },
    { name: 'redis', url: `${redisApp.url}/api`, cookie: jars.redis.header() },
    { name: 'postgres', url: `${pgApp.url}/api`, cookie: jars.postgres.header() },
  ]
  const extraApps: Array<{ close(): Promise<void> }> = []
  if (process.argv.includes('--p1-split')) {
    // Diagnostic (`--p1-split`): the redis and postgres slots drive two routes that split the
    // memory app's cost: the baseline with an async handler, the memory app without token work.
    baseline.app.get('/api-async', async (req, res) => {
      await Promise.resolve()
      res.status(req.user ? 200 : 401).send(req.user ? 'ok' : 'no user')
    })
    memory.app.get('/api-none', (req, res) => {
      res.status(req.user ? 200 : 401).send(req.user ? 'ok' : 'no user')
    })
    const second = await startApp({ sandbox: sb, sessionStore, strategy: 'lexoffice', withMiddleware: false })
    extraApps.push(second)
    targets[2] = process.argv.includes('--p1-aa')
      ? { name: 'redis', url: `${second.url}/api`, cookie: jars.memory.header() }
      : { name: 'redis', url: `${baseline.url}/api-async`, cookie: jars.memory.header() }
    targets[3] = { name: 'postgres', url: `${memory.url}/api-none`, cookie: jars.memory.header() }
  }
  for (const t of targets) {
    const check = await fetch(t.url, { headers: { cookie: t.cookie } })
    if (check.status !== 200) throw new Error(`${t.name} /api answered ${check.status} after login`)
    await check.body?.cancel()
  }
  process.send?.({ type: 'ready', targets, refreshCalls: sb.tokenCalls('refresh_token') })

  let exiting = false
  process.on('message', (m: { type: string }) => {
    if (m.type === 'cpu') {
      const u = process.cpuUsage()
      process.send?.({ type: 'cpu', micros: u.user + u.system })
      return
    }
    if (m.type !== 'exit' || exiting) return
    exiting = true
    void (async () => {
      process.send?.({ type: 'final', refreshCalls: sb.tokenCalls('refresh_token') })
      for (const key of await redisStore.list()) await redisStore.destroy(key)
      await Promise.all([baseline.close(), memory.close(), redisApp.close(), pgApp.close(), ...extraApps.map((a) => a.close())])
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined)
      await pool.end()
      await sb.close()
      redis.destroy()
      if (process.connected) process.disconnect()
    })()
  })
}

main().catch((err: unknown) => {
  process.send?.({ type: 'fatal', message: err instanceof Error ? err.message : String(err) })
  process.exitCode = 1
})

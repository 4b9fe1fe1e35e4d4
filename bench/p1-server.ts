/**
 * P1 child: ONE app in a process of its own (`--p1-app baseline|baseline2|memory|redis|postgres`),
 * as an app runs in production: express-session (its own MemoryStore) + passport + the lexoffice
 * strategy, and
 * - `baseline`, `baseline2`: no lexoffice middleware; the handler does no token work (`baseline2`
 *   is a second, identical baseline process: the run's noise floor, A/A);
 * - `memory`, `redis`, `postgres`: plus `lexoffice.middleware()`; the handler awaits
 *   `req.lexoffice.getAccessToken()` with a MemoryTokenStore / RedisTokenStore / PostgresTokenStore
 *   (the shared stores with createLexoffice's default token cache in front).
 * The session cookie comes from a real login through LexofficeStrategy against a sandbox of this
 * process (idle while P1 measures). IPC: -> ready { target, refreshCalls }, <- cpu, <- exit.
 *
 * Why a process per app: with all apps in one process, the store apps ran 3-7 % slower than the
 * baseline even without token work, while an A/A pair did not move (bench/README.md, 16:28 UTC).
 * We attribute it to V8's compiled Express/session code being shared by apps whose requests have
 * two shapes (with and without `req.lexoffice`); an app in production has its process to itself.
 */
import { randomBytes } from 'node:crypto'
import session from 'express-session'
import { Pool } from 'pg'
import { createClient } from 'redis'
import { createSandbox } from '../lib/sandbox/createSandbox'
import { MemoryTokenStore } from '../lib/tokens/stores/MemoryTokenStore'
import type { TokenStore } from '../lib/tokens/TokenStore'
import { RedisTokenStore } from '../lib/redis/RedisTokenStore'
import { PostgresTokenStore } from '../lib/postgres/PostgresTokenStore'
import { migratePostgres } from '../lib/postgres/migratePostgres'
import { startApp } from './lib/apps'
import { CookieJar, driveLogin, stringArg } from './lib/util'
import { benchEncryption } from './lib/encryption'

export const P1_APPS = ['baseline', 'baseline2', 'memory', 'redis', 'postgres'] as const
export type P1Name = (typeof P1_APPS)[number]

export interface P1Target {
  name: P1Name
  url: string
  cookie: string
}

function appName(): P1Name {
  const name = stringArg('p1-app', undefined)
  const known = P1_APPS.find((n) => n === name)
  if (!known) throw new Error(`--p1-app must be one of ${P1_APPS.join(', ')} (got ${String(name)})`)
  return known
}

/** The token store of `name`, and what closes it (Redis client, PostgreSQL schema and pool). */
async function storeOf(name: P1Name): Promise<{ store: TokenStore | undefined; close: () => Promise<void> }> {
  if (name === 'memory') return { store: new MemoryTokenStore(), close: () => Promise.resolve() }
  if (name === 'redis') {
    const redis = createClient({ url: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', disableOfflineQueue: true })
    redis.on('error', () => undefined)
    await redis.connect()
    const prefix = `bench:p1:${randomBytes(4).toString('hex')}:`
    const store = new RedisTokenStore({ client: redis, prefix, encryption: benchEncryption() })
    return {
      store,
      close: async () => {
        for (const key of await store.list()) await store.destroy(key)
        redis.destroy()
      },
    }
  }
  if (name === 'postgres') {
    const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
    const pool = new Pool({ connectionString: databaseUrl, connectionTimeoutMillis: 5000, max: 10 })
    pool.on('error', () => undefined)
    const schema = `bench_p1_${randomBytes(4).toString('hex')}`
    await pool.query(`CREATE SCHEMA ${schema}`)
    const tables = { tokens: `${schema}.tokens`, locks: `${schema}.locks`, webhookClaims: `${schema}.claims` }
    await migratePostgres(pool, { tables })
    return {
      store: new PostgresTokenStore({ pool, tables, encryption: benchEncryption() }),
      close: async () => {
        await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined)
        await pool.end()
      },
    }
  }
  return { store: undefined, close: () => Promise.resolve() }
}

async function main(): Promise<void> {
  const name = appName()
  const withMiddleware = name !== 'baseline' && name !== 'baseline2'
  const sb = await createSandbox({ autoApprove: true })
  const { store, close } = await storeOf(name)
  const app = await startApp({
    sandbox: sb,
    sessionStore: new session.MemoryStore(),
    strategy: 'lexoffice',
    withMiddleware,
    ...(store ? { tokenStore: store } : {}),
  })
  const jar = new CookieJar()
  await driveLogin(jar, `${app.url}/auth/login`)
  const target: P1Target = { name, url: `${app.url}/api`, cookie: jar.header() }
  const check = await fetch(target.url, { headers: { cookie: target.cookie } })
  if (check.status !== 200) throw new Error(`${name} /api answered ${check.status} after login`)
  await check.body?.cancel()
  process.send?.({ type: 'ready', target, refreshCalls: sb.tokenCalls('refresh_token') })

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
      await app.close()
      await close()
      await sb.close()
      if (process.connected) process.disconnect()
    })()
  })
}

// p1-overhead.ts imports P1_APPS from here: only a forked child runs the app.
if (require.main === module) {
  main().catch((err: unknown) => {
    process.send?.({ type: 'fatal', message: err instanceof Error ? err.message : String(err) })
    process.exitCode = 1
  })
}

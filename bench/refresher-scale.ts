/**
 * The refresher at scale: N connections (10k, 100k) stored in Redis and in PostgreSQL with
 * expiries spread over `--spread-min` minutes, then one refresher pass as cron would run it
 * (`lexoffice.refresher().runOnce()`, the README's recommendation) from `--instances` processes
 * at the same moment, against one sandbox that holds all N connections (seeded with
 * `sandbox.seedConnections`, no logins). Reported per store and size: due connections (listDue
 * before the pass), the pass's time (slowest instance) and peak RSS (largest instance), token
 * calls per refreshed connection (goal exactly 1; `due` is read before the pass, so connections
 * that fall due while it runs are refreshed too), double refreshes (sandbox connections refreshed more
 * than once, goal 0) and lost connections (revoked at the sandbox or tombstoned, goal 0).
 *
 * Separate from `npm run bench` (several minutes at 100k): `npm run bench:refresher [-- --sizes 10000,100000
 * --stores redis,postgres --instances 2,4 --modes cron,loop --spread-min 240]` (comma lists: every combination runs).
 */
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import os from 'node:os'
import { Pool } from 'pg'
import { createClient } from 'redis'
import { createLexoffice } from '../lib/config/Lexoffice'
import { migratePostgres } from '../lib/postgres/migratePostgres'
import { PostgresTokenStore } from '../lib/postgres/PostgresTokenStore'
import { RedisTokenStore } from '../lib/redis/RedisTokenStore'
import { createSandbox } from '../lib/sandbox/createSandbox'
import type { TokenRecord } from '../lib/tokens/TokenSet'
import type { TokenStore } from '../lib/tokens/TokenStore'
import type { RefreshRunSummary } from '../lib/refresher/runRefreshOnce'
import { benchEncryption } from './lib/encryption'
import { fmt, forkTs, nextMessage, numberArg, printTable, stopChild, stringArg } from './lib/util'

type StoreKind = 'redis' | 'postgres'
/** `cron`: one `runOnce()` per instance at the same moment; `loop`: `start()`, the first run of the schedule (after its start-up jitter). */
type Mode = 'cron' | 'loop'

interface ChildConfig {
  kind: StoreKind
  mode: Mode
  redisUrl: string
  prefix: string
  databaseUrl: string
  tables: { tokens: string; locks: string; webhookClaims: string }
  clientID: string
  clientSecret: string
  authURL: string
  apiURL: string
}

interface ChildResult {
  type: string
  ms: number
  maxRssMB: number
  summary: RefreshRunSummary
}

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A store on its own client or pool, and how to close it. */
async function openStore(c: Pick<ChildConfig, 'kind' | 'redisUrl' | 'prefix' | 'databaseUrl' | 'tables'>): Promise<{
  store: TokenStore
  close(): Promise<void>
}> {
  if (c.kind === 'redis') {
    const client = createClient({ url: c.redisUrl, disableOfflineQueue: true })
    client.on('error', () => undefined)
    await client.connect()
    return {
      store: new RedisTokenStore({ client, prefix: c.prefix, encryption: benchEncryption() }),
      close: () => {
        client.destroy()
        return Promise.resolve()
      },
    }
  }
  const pool = new Pool({ connectionString: c.databaseUrl, connectionTimeoutMillis: 5000, max: 10 })
  pool.on('error', () => undefined)
  return { store: new PostgresTokenStore({ pool, tables: c.tables, encryption: benchEncryption() }), close: () => pool.end() }
}

/** One refresher instance (a child process): one cron-style pass, then its figures. */
async function child(): Promise<void> {
  const config = await new Promise<ChildConfig>((resolve) => process.once('message', (m: { config: ChildConfig }) => resolve(m.config)))
  const opened = await openStore(config)
  const store = opened.store
  const lexoffice = createLexoffice({
    clientID: config.clientID,
    clientSecret: config.clientSecret,
    environment: { authURL: config.authURL, apiURL: config.apiURL },
    baseURL: 'http://127.0.0.1:3000',
    scope: 'profile.read contacts.read',
    store,
    env: {},
  })
  process.send?.({ type: 'ready' })
  await new Promise<void>((resolve) => process.once('message', () => resolve()))
  let summary: RefreshRunSummary
  let ms: number
  if (config.mode === 'cron') {
    const t0 = performance.now()
    summary = await lexoffice.refresher().runOnce()
    ms = performance.now() - t0
  } else {
    // The long-running refresher as the README shows it (default interval 60 s, window 15 min):
    // its first run comes after the start-up jitter (up to 10 s), which spreads the instances.
    // The refresher's timer does not keep a process alive (an app's server does): this one does.
    const keepAlive = setInterval(() => undefined, 1000)
    const refresher = lexoffice.refresher()
    const first = new Promise<RefreshRunSummary>((resolve) => refresher.once('run', resolve))
    refresher.start()
    summary = await first
    await refresher.stop()
    clearInterval(keepAlive)
    ms = summary.durationMs
  }
  const result: ChildResult = { type: 'result', ms, maxRssMB: process.resourceUsage().maxRSS / 1024, summary }
  // Wait until the message is handed over: a disconnect right after send() can drop it.
  await new Promise<void>((resolve) => process.send?.(result, undefined, {}, () => resolve()))
  await lexoffice.close()
  await opened.close()
  process.disconnect()
}

/** Runs `work` over `items` with at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++
        const item = items[i]
        if (item !== undefined) await work(item, i)
      }
    }),
  )
}

interface Row {
  kind: StoreKind
  mode: Mode
  instances: number
  size: number
  due: number
  seedSec: number
  passSec: number
  rssMB: number
  tokenCalls: number
  /** Connections the sandbox refreshed at least once during the pass. */
  refreshedConnections: number
  double: number
  lost: number
  refreshed: number
  alreadyFresh: number
  failed: number
}

async function scenario(kind: StoreKind, mode: Mode, size: number, instances: number, spreadMin: number): Promise<Row> {
  const sb = await createSandbox({ autoApprove: true })
  const run = randomBytes(4).toString('hex')
  const schema = `bench_refresher_${run}`
  const setup = {
    kind,
    redisUrl: REDIS_URL,
    prefix: `bench:refresher:${run}:`,
    databaseUrl: DATABASE_URL,
    tables: { tokens: `${schema}.tokens`, locks: `${schema}.locks`, webhookClaims: `${schema}.claims` },
  }
  let admin: Pool | undefined
  if (kind === 'postgres') {
    admin = new Pool({ connectionString: DATABASE_URL, max: 2 })
    await admin.query(`CREATE SCHEMA ${schema}`)
    await migratePostgres(admin, { tables: setup.tables })
  }
  const opened = await openStore(setup)
  const store = opened.store
  const children: ChildProcess[] = []
  try {
    const t0 = performance.now()
    const seeded = sb.seedConnections(size)
    const now = Date.now()
    await pool(seeded, 32, async (s, i) => {
      // Expiries spread evenly over the next `spreadMin` minutes (1 h tokens, as lexoffice's).
      const expiresAt = now + 60_000 + Math.floor((i / size) * spreadMin * 60_000)
      const record: TokenRecord = {
        version: 1,
        state: 'active',
        tokens: {
          accessToken: s.tokens.access_token,
          refreshToken: s.tokens.refresh_token!,
          expiresAt,
          obtainedAt: expiresAt - 3_600_000,
          scope: s.tokens.scope!,
          organizationId: s.organizationId,
          connectionId: s.connectionId,
        },
        refreshCount: 0,
        connectedAt: now,
      }
      if (!(await store.set(`conn-${i}`, record, 0))) throw new Error('seed write lost')
    })
    const seedSec = (performance.now() - t0) / 1000
    // What one pass must handle: the refresher's window is the manager's refresh-ahead (15 min).
    const due = (await store.listDue!(Date.now() + 15 * 60_000)).length
    const config: ChildConfig = {
      ...setup,
      mode,
      clientID: sb.client.clientID,
      clientSecret: sb.client.clientSecret,
      authURL: new URL(sb.endpoints.authorizationURL).origin,
      apiURL: sb.endpoints.apiURL,
    }
    process.env['BENCH_REFRESHER_CHILD'] = '1' // the children inherit it: they run `child()`
    for (let i = 0; i < instances; i++) children.push(forkTs('refresher-scale.ts', []))
    await Promise.all(
      children.map((c) => {
        const ready = nextMessage<{ type: string }>(c, (m) => m.type === 'ready', 180_000, 'refresher ready')
        c.send({ config })
        return ready
      }),
    )
    const calls0 = sb.tokenCalls('refresh_token')
    const results = await Promise.all(
      children.map((c) => {
        const result = nextMessage<ChildResult>(c, (m) => m.type === 'result', 30 * 60_000, 'refresher pass')
        c.send({ type: 'go' })
        return result
      }),
    )
    const tokenCalls = sb.tokenCalls('refresh_token') - calls0
    const connections = sb.connections()
    const sum = (f: (s: RefreshRunSummary) => number): number => results.reduce((a, r) => a + f(r.summary), 0)
    return {
      kind,
      mode,
      instances,
      size,
      due,
      seedSec,
      passSec: Math.max(...results.map((r) => r.ms)) / 1000,
      rssMB: Math.max(...results.map((r) => r.maxRssMB)),
      tokenCalls,
      refreshedConnections: connections.filter((c) => c.refreshCount > 0).length,
      double: connections.filter((c) => c.refreshCount > 1).length,
      lost: connections.filter((c) => c.state !== 'active').length + sum((s) => s.lost),
      refreshed: sum((s) => s.refreshed),
      alreadyFresh: sum((s) => s.alreadyFresh),
      failed: sum((s) => s.failed),
    }
  } finally {
    await Promise.all(children.map((c) => stopChild(c)))
    if (kind === 'redis') {
      const client = createClient({ url: REDIS_URL })
      await client.connect()
      for await (const keys of client.scanIterator({ MATCH: `${setup.prefix}*`, COUNT: 1000 })) if (keys.length > 0) await client.del(keys)
      client.destroy()
    }
    await opened.close()
    if (admin) {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
    }
    await sb.close()
  }
}

async function main(): Promise<void> {
  const sizes = stringArg('sizes', '10000,100000').split(',').map(Number)
  const kinds = stringArg('stores', 'redis,postgres').split(',') as StoreKind[]
  const instanceCounts = stringArg('instances', '3').split(',').map(Number)
  const modes = stringArg('modes', 'cron').split(',') as Mode[]
  const spreadMin = numberArg('spread-min', 240)
  console.log(
    `refresher at scale, ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  )
  const rows: Row[] = []
  for (const kind of kinds)
    for (const mode of modes)
      for (const instances of instanceCounts) for (const size of sizes) rows.push(await scenario(kind, mode, size, instances, spreadMin))
  printTable(
    `Refresher at scale: one pass per instance, concurrency 4 each (cron: lexoffice.refresher().runOnce() from all instances at once; loop: start(), its first run); expiries spread over ${spreadMin} min; window 15 min`,
    [
      'store',
      'mode',
      'instances',
      'stored',
      'due (listDue)',
      'seed s',
      'pass s (slowest)',
      'peak RSS MB (largest)',
      'token calls',
      'connections refreshed (sandbox)',
      'calls per refreshed connection',
      'double refreshes',
      'lost',
      'summaries: refreshed / already fresh / failed (summed over instances; each counts what it found fresh)',
    ],
    rows.map((r) => [
      r.kind,
      r.mode,
      String(r.instances),
      String(r.size),
      String(r.due),
      fmt(r.seedSec, 1),
      fmt(r.passSec, 1),
      fmt(r.rssMB, 0),
      String(r.tokenCalls),
      String(r.refreshedConnections),
      fmt(r.tokenCalls / Math.max(1, r.refreshedConnections), 4),
      String(r.double),
      String(r.lost),
      `${r.refreshed} / ${r.alreadyFresh} / ${r.failed}`,
    ]),
  )
}

if (process.env['BENCH_REFRESHER_CHILD'] === '1') void child()
else if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}

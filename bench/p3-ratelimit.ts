/**
 * P3: client-side rate limiting against the sandbox's per-connection token bucket (limit L req/s,
 * burst L, 429 beyond). N concurrent GET /v1/contacts?page=0&size=1 calls for one connection, paced by the
 * client's GCRA limiter at 0.95 x L (the client's default margin: 1.9 for lexoffice's 2):
 * 1 process with the in-memory limiter, 1 process and P processes sharing one RedisRateLimiter.
 * A run without any limiter shows what the sandbox does to unpaced calls. The achieved rate is
 * measured at the sandbox, from the arrival times of the answered (200) calls:
 * (n - 1) / (last - first), as a ratio of L.
 *
 * The figure is printed with 4 decimals beside its margin to the goal 0.95 x L (achieved - 0.95 x L,
 * in req/s and as a share of L): the client paces at exactly that rate, so the margin is small by design.
 *
 *   node -r ts-node/register/transpile-only bench/p3-ratelimit.ts [--p3-limit 2] [--p3-calls 40] [--p3-procs 4]
 */
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { LexofficeClient } from '../lib/client/LexofficeClient'
import { isLexofficeError } from '../lib/errors'
import { createSandbox } from '../lib/sandbox/createSandbox'
import type { Sandbox } from '../lib/sandbox/Sandbox'
import { TokenManager } from '../lib/tokens/TokenManager'
import { RedisTokenStore } from '../lib/redis/RedisTokenStore'
import { connectViaSandbox } from '../test/helpers/connect'
import type { P3ChildMessage, P3ParentMessage } from './p3-child'
import { askAll, connectRedis, deleteKeys, fmt, forkTs, numberArg, printTable, stopChild } from './lib/util'
import { sandboxOAuth } from './lib/sandboxOAuth'
import { benchEncryption } from './lib/encryption'

export interface P3Row {
  setup: string
  calls: number
  ok: number
  achievedPerSecond: number
  ratio: number
  sandbox429: number
  errors: string[]
  wallSeconds: number
}

export interface P3Result {
  limit: number
  clientRate: number
  rows: P3Row[]
}

/** Achieved rate from the sandbox's log of answered contacts calls since `since`. */
function measured(sb: Sandbox, since: number): { ok: number; perSecond: number } {
  const times = sb.requests.filter((r) => r.path === '/v1/contacts' && r.status === 200 && r.time >= since).map((r) => r.time)
  if (times.length < 2) return { ok: times.length, perSecond: NaN }
  const span = (Math.max(...times) - Math.min(...times)) / 1000
  return { ok: times.length, perSecond: (times.length - 1) / span }
}

export async function runP3(): Promise<P3Result> {
  // lexoffice's own limit (docs/lexoffice.md): 2 requests per second. 40 calls take about 21 s per setup at 1.9/s.
  const limit = numberArg('p3-limit', 2)
  const calls = Math.round(numberArg('p3-calls', 40))
  const procs = Math.round(numberArg('p3-procs', 4))
  const clientRate = 0.95 * limit
  const sb = await createSandbox({ autoApprove: true, api: { rateLimit: { perSecond: limit } } })
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const redis = await connectRedis(redisUrl)
  const run = randomBytes(4).toString('hex')
  const storePrefix = `bench:p3:${run}:`
  const store = new RedisTokenStore({ client: redis, prefix: storePrefix, encryption: benchEncryption() })
  const manager = new TokenManager({ store, oauth: { ...sb.client, ...sb.endpoints } })
  const rows: P3Row[] = []
  const children: ChildProcess[] = []
  let seq = 0
  /** A new sandbox connection (fresh bucket) stored under a new key. */
  const newConnection = async (): Promise<{ key: string; connectionId: string }> => {
    const key = `conn-${seq++}`
    await manager.connect(key, await connectViaSandbox(sb))
    const connectionId = sb.connections().at(-1)!.connectionId
    return { key, connectionId }
  }
  /** Runs `calls` concurrent contacts calls in this process with `client`; quiet second first so the bucket is full. */
  const local = async (setup: string, client: LexofficeClient, connectionId: string): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const since = Date.now()
    const before = sb.api.rateLimitStats(connectionId).limited
    const errors: string[] = []
    const t0 = performance.now()
    await Promise.all(
      Array.from({ length: calls }, () =>
        client.contacts.list({ page: 0, size: 1 }).then(
          () => undefined,
          (err: unknown) => void errors.push(isLexofficeError(err) ? err.code : String(err)),
        ),
      ),
    )
    const wallSeconds = (performance.now() - t0) / 1000
    const m = measured(sb, since)
    rows.push({
      setup,
      calls,
      ok: m.ok,
      achievedPerSecond: m.perSecond,
      ratio: m.perSecond / limit,
      sandbox429: sb.api.rateLimitStats(connectionId).limited - before,
      errors,
      wallSeconds,
    })
  }
  try {
    {
      const { key, connectionId } = await newConnection()
      const client = new LexofficeClient({ tokenProvider: manager.providerFor(key), apiURL: sb.url, rateLimit: false, retry: false })
      await local('no client limiter, no retries (contrast)', client, connectionId)
    }
    {
      const { key, connectionId } = await newConnection()
      const client = new LexofficeClient({
        tokenProvider: manager.providerFor(key),
        apiURL: sb.url,
        connectionKey: key,
        rateLimit: { ratePerSecond: clientRate, scope: 'connection' },
      })
      await local('1 process, in-memory limiter', client, connectionId)
    }
    {
      const { key, connectionId } = await newConnection()
      const client = new LexofficeClient({
        tokenProvider: manager.providerFor(key),
        apiURL: sb.url,
        connectionKey: key,
        rateLimit: { redis, keyPrefix: `bench:p3:${run}:rl1:`, ratePerSecond: clientRate, scope: 'connection' },
      })
      await local('1 process, RedisRateLimiter', client, connectionId)
    }
    {
      const { key, connectionId } = await newConnection()
      for (let i = 0; i < procs; i++) children.push(forkTs('p3-child.ts'))
      const config = {
        redisUrl,
        storePrefix,
        limiterPrefix: `bench:p3:${run}:rl${procs}:`,
        key,
        ratePerSecond: clientRate,
        oauth: sandboxOAuth(sb),
      }
      await askAll<P3ChildMessage>(
        children,
        { type: 'init', config } satisfies P3ParentMessage,
        (m) => m.type === 'ready',
        120_000,
        'P3 child ready',
      )
      await new Promise((resolve) => setTimeout(resolve, 1100))
      const since = Date.now()
      const before = sb.api.rateLimitStats(connectionId).limited
      const perChild = Math.ceil(calls / procs)
      const t0 = performance.now()
      const results = (await askAll<P3ChildMessage>(
        children,
        { type: 'go', calls: perChild } satisfies P3ParentMessage,
        (m) => m.type === 'result',
        600_000,
        'P3 child result',
      )) as Array<Extract<P3ChildMessage, { type: 'result' }>>
      const wallSeconds = (performance.now() - t0) / 1000
      const m = measured(sb, since)
      rows.push({
        setup: `${procs} processes, one RedisRateLimiter`,
        calls: perChild * procs,
        ok: m.ok,
        achievedPerSecond: m.perSecond,
        ratio: m.perSecond / limit,
        sandbox429: sb.api.rateLimitStats(connectionId).limited - before,
        errors: results.flatMap((r) => r.errors),
        wallSeconds,
      })
    }
    printTable(
      `P3 rate limiting (sandbox limit L = ${limit} req/s per connection, burst ${limit}; client pace 0.95 x L = ${fmt(clientRate, 1)} req/s, burst 1; N = ${calls} concurrent GET /v1/contacts?page=0&size=1)`,
      [
        'setup',
        'answered 200',
        'achieved req/s (at sandbox)',
        'achieved / L',
        'margin to 0.95 x L (req/s; share of L)',
        'sandbox 429s',
        'client errors',
        'wall s',
        'goal',
      ],
      rows.map((r) => [
        r.setup,
        `${r.ok}/${r.calls}`,
        fmt(r.achievedPerSecond, 4),
        fmt(r.ratio, 4),
        `${fmt(r.achievedPerSecond - clientRate, 4)}; ${fmt(r.ratio - 0.95, 4)}`,
        String(r.sandbox429),
        r.errors.length === 0 ? '0' : `${r.errors.length} (${[...new Set(r.errors)].join(',')})`,
        fmt(r.wallSeconds, 1),
        r.setup.includes('contrast') ? '-' : '>= 0.95, 0 x 429',
      ]),
    )
    return { limit, clientRate, rows }
  } finally {
    await Promise.all(children.map((c) => stopChild(c)))
    for (const k of await store.list()) await store.destroy(k)
    await deleteKeys(redis, `bench:p3:${run}:*`)
    redis.destroy()
    await sb.close()
  }
}

if (require.main === module) {
  runP3().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}

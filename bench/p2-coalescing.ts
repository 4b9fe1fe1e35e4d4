/**
 * P2: refresh coalescing. `calls` concurrent getAccessToken() calls on an expired token:
 * (a) one process, MemoryTokenStore; (b) 4 child processes sharing one RedisTokenStore (+ lock).
 * Counts refresh calls at the sandbox (goal: exactly 1 per round) and compares the latency of
 * the calls (p50/p99, from the moment all calls start) with the same calls on a fresh token,
 * alternating fresh and expired rounds. Each expired round uses a new sandbox connection, stored
 * with its expiry moved into the past (the sandbox still accepts its refresh token).
 *
 *   node -r ts-node/register/transpile-only bench/p2-coalescing.ts [--p2-calls 1000] [--p2-rounds 5] [--p2-procs 4]
 */
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { createSandbox } from '../lib/sandbox/createSandbox'
import type { Sandbox } from '../lib/sandbox/Sandbox'
import { isLexofficeError } from '../lib/errors'
import { TokenManager } from '../lib/tokens/TokenManager'
import { MemoryTokenStore } from '../lib/tokens/stores/MemoryTokenStore'
import { RedisTokenStore } from '../lib/redis/RedisTokenStore'
import { connectViaSandbox, expiring, oauthClientFor } from '../test/helpers/connect'
import type { P2ChildMessage, P2ParentMessage } from './p2-child'
import { askAll, connectRedis, fmt, forkTs, median, numberArg, percentile, printTable, stopChild } from './lib/util'
import { sandboxOAuth } from './lib/sandboxOAuth'
import { benchEncryption } from './lib/encryption'

interface RoundFigures {
  refreshCalls: number
  latenciesMs: number[]
  errors: string[]
  distinctTokens: number
}

export interface P2Row {
  setup: string
  rounds: number
  calls: number
  refreshCallsPerExpiredRound: number[]
  refreshCallsPerFreshRound: number[]
  fresh: { p50: number; p99: number }
  expired: { p50: number; p99: number }
  errors: string[]
  maxDistinctTokens: number
}

export interface P2Result {
  rows: P2Row[]
  /** Median time of one bare refresh_token round trip (LexofficeOAuthClient.refresh), ms. */
  bareRefreshMs: number
}

/** Medians over rounds of the per-round p50 and p99. */
function summarise(rounds: RoundFigures[]): { p50: number; p99: number } {
  return { p50: median(rounds.map((r) => percentile(r.latenciesMs, 50))), p99: median(rounds.map((r) => percentile(r.latenciesMs, 99))) }
}

async function inProcess(sb: Sandbox, calls: number, rounds: number): Promise<P2Row> {
  const manager = new TokenManager({ store: new MemoryTokenStore(), oauth: { ...sb.client, ...sb.endpoints } })
  const fresh: RoundFigures[] = []
  const expired: RoundFigures[] = []
  const once = async (): Promise<RoundFigures> => {
    const before = sb.tokenCalls('refresh_token')
    const start = performance.now()
    const latenciesMs: number[] = []
    const errors: string[] = []
    const tokens = new Set<string>()
    await Promise.all(
      Array.from({ length: calls }, async () => {
        try {
          tokens.add(await manager.getAccessToken('conn'))
          latenciesMs.push(performance.now() - start)
        } catch (err) {
          errors.push(isLexofficeError(err) ? err.code : String(err))
        }
      }),
    )
    return { refreshCalls: sb.tokenCalls('refresh_token') - before, latenciesMs, errors, distinctTokens: tokens.size }
  }
  await manager.connect('conn', await connectViaSandbox(sb))
  await once() // warm-up
  for (let r = 0; r < rounds; r++) {
    await manager.connect('conn', await connectViaSandbox(sb))
    fresh.push(await once())
    await manager.connect('conn', expiring(await connectViaSandbox(sb), -1000))
    expired.push(await once())
  }
  return row('1 process, MemoryTokenStore', calls, fresh, expired)
}

function row(setup: string, calls: number, fresh: RoundFigures[], expired: RoundFigures[]): P2Row {
  return {
    setup,
    rounds: expired.length,
    calls,
    refreshCallsPerExpiredRound: expired.map((r) => r.refreshCalls),
    refreshCallsPerFreshRound: fresh.map((r) => r.refreshCalls),
    fresh: summarise(fresh),
    expired: summarise(expired),
    errors: [...fresh, ...expired].flatMap((r) => r.errors),
    maxDistinctTokens: Math.max(...expired.map((r) => r.distinctTokens)),
  }
}

async function multiProcess(sb: Sandbox, calls: number, rounds: number, procs: number): Promise<P2Row> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const redis = await connectRedis(redisUrl)
  const prefix = `bench:p2:${randomBytes(4).toString('hex')}:`
  const store = new RedisTokenStore({ client: redis, prefix, encryption: benchEncryption() })
  const seeder = new TokenManager({ store, oauth: { ...sb.client, ...sb.endpoints } })
  const key = 'conn'
  await seeder.connect(key, await connectViaSandbox(sb))
  const children: ChildProcess[] = []
  try {
    for (let i = 0; i < procs; i++) children.push(forkTs('p2-child.ts'))
    const config = {
      redisUrl,
      prefix,
      key,
      oauth: sandboxOAuth(sb),
    }
    await askAll<P2ChildMessage>(
      children,
      { type: 'init', config } satisfies P2ParentMessage,
      (m) => m.type === 'ready',
      120_000,
      'P2 child ready',
    )
    const perChild = Math.ceil(calls / procs)
    const once = async (): Promise<RoundFigures> => {
      const before = sb.tokenCalls('refresh_token')
      const results = await askAll<P2ChildMessage>(
        children,
        { type: 'go', calls: perChild } satisfies P2ParentMessage,
        (m) => m.type === 'result',
        120_000,
        'P2 child result',
      )
      const rs = results as Array<Extract<P2ChildMessage, { type: 'result' }>>
      return {
        refreshCalls: sb.tokenCalls('refresh_token') - before,
        latenciesMs: rs.flatMap((r) => r.latenciesMs),
        errors: rs.flatMap((r) => r.errors),
        distinctTokens: Math.max(...rs.map((r) => r.distinctTokens)),
      }
    }
    await once() // warm-up
    const fresh: RoundFigures[] = []
    const expired: RoundFigures[] = []
    for (let r = 0; r < rounds; r++) {
      await seeder.connect(key, await connectViaSandbox(sb))
      fresh.push(await once())
      await seeder.connect(key, expiring(await connectViaSandbox(sb), -1000))
      expired.push(await once())
    }
    return row(`${procs} processes, one RedisTokenStore + lock`, perChild * procs, fresh, expired)
  } finally {
    await Promise.all(children.map((c) => stopChild(c)))
    for (const k of await store.list()) await store.destroy(k)
    redis.destroy()
  }
}

export async function runP2(): Promise<P2Result> {
  const calls = Math.round(numberArg('p2-calls', 1000))
  const rounds = Math.round(numberArg('p2-rounds', 5))
  const procs = Math.round(numberArg('p2-procs', 4))
  const sb = await createSandbox({ autoApprove: true })
  try {
    // Baseline for the added latency: one bare refresh round trip on a throwaway connection.
    const oauth = oauthClientFor(sb)
    const bare: number[] = []
    for (let i = 0; i < 5; i++) {
      const t = await connectViaSandbox(sb)
      const s = performance.now()
      await oauth.refresh(t.refresh_token!)
      bare.push(performance.now() - s)
    }
    const rows = [await inProcess(sb, calls, rounds), await multiProcess(sb, calls, rounds, procs)]
    const result: P2Result = { rows, bareRefreshMs: median(bare) }
    printTable(
      `P2 refresh coalescing (${calls} concurrent getAccessToken calls per round, ${rounds} expired rounds alternating with ${rounds} fresh rounds; latency from the start of all calls, median over rounds)`,
      [
        'setup',
        'refresh calls per expired round',
        'refresh calls on fresh rounds',
        'fresh p50/p99 ms',
        'expired p50/p99 ms',
        'added p50/p99 ms',
        'errors',
        'goal',
      ],
      rows.map((r) => [
        r.setup,
        r.refreshCallsPerExpiredRound.join(' '),
        String(r.refreshCallsPerFreshRound.reduce((a, b) => a + b, 0)),
        `${fmt(r.fresh.p50)} / ${fmt(r.fresh.p99)}`,
        `${fmt(r.expired.p50)} / ${fmt(r.expired.p99)}`,
        `${fmt(r.expired.p50 - r.fresh.p50)} / ${fmt(r.expired.p99 - r.fresh.p99)}`,
        r.errors.length === 0 ? '0' : `${r.errors.length} (${[...new Set(r.errors)].join(',')})`,
        'exactly 1 refresh per expired round',
      ]),
    )
    console.log(
      `baseline: one bare refresh_token round trip to the sandbox (LexofficeOAuthClient.refresh, median of 5): ${fmt(result.bareRefreshMs)} ms; ` +
        rows.map((r) => `${r.setup}: added p50 = ${fmt((r.expired.p50 - r.fresh.p50) / result.bareRefreshMs)} x bare refresh`).join('; '),
    )
    return result
  } finally {
    await sb.close()
  }
}

if (require.main === module) {
  runP2().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}

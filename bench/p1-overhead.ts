/**
 * P1: per-request overhead of the lexoffice() middleware + `await req.lexoffice.getAccessToken()`
 * (fresh token) on an authenticated express-session + passport request, against the same app
 * without the middleware, for the memory, Redis and PostgreSQL stores (the shared ones behind the
 * default token cache), all four apps in ONE run. autocannon drives the apps (in a child process)
 * from this process, one app at a time.
 *
 * The machine is shared and its speed swings by tens of percent within seconds. So the runs are
 * short (default 1.5 s) and many (default 24 rounds), the order is rotated every round and
 * reversed every other round, and the headline figures are taken over ALL rounds:
 * - rps ratio = total requests of the variant / total requests of the baseline (every app ran the
 *   same time in every round);
 * - CPU ratio = baseline CPU µs per request / variant CPU µs per request, each from the app
 *   process's total CPU time (process.cpuUsage, garbage collection included) over its total requests.
 * Neither is a best-of or derived from wall-clock stretches. Per-round ratios (median, IQR) show the noise.
 *
 *   node -r ts-node/register/transpile-only bench/p1-overhead.ts [--p1-rounds 24] [--p1-duration 1.5] [--p1-connections 10]
 */
import type { ChildProcess } from 'node:child_process'
import autocannon from 'autocannon'
import type { P1Name, P1Target } from './p1-server'
import { fmt, forkTs, median, nextMessage, numberArg, percentile, printTable, stopChild } from './lib/util'

type Variant = Exclude<P1Name, 'baseline'>
const VARIANTS: readonly Variant[] = ['memory', 'redis', 'postgres']
const GOALS: Record<Variant, number> = { memory: 0.97, redis: 0.95, postgres: 0.95 }
const SPLIT = process.argv.includes('--p1-split')
const LABELS: Record<Variant, string> = SPLIT
  ? {
      memory: 'MemoryTokenStore',
      redis: process.argv.includes('--p1-aa')
        ? 'SPLIT: a second baseline app (A/A)'
        : 'SPLIT: baseline, handler awaits once (no lexoffice)',
      postgres: 'SPLIT: memory app, no token work',
    }
  : { memory: 'MemoryTokenStore', redis: 'RedisTokenStore + token cache', postgres: 'PostgresTokenStore + token cache' }

export interface P1Result {
  rounds: number
  durationSec: number
  connections: number
  /** Per round, per app. */
  rps: Record<P1Name, number[]>
  requests: Record<P1Name, number>
  cpuMicros: Record<P1Name, number>
  /** Over all rounds: total requests of the variant / of the baseline. */
  rpsRatio: Record<Variant, number>
  /** Over all rounds: baseline CPU per request / variant CPU per request. */
  cpuRatio: Record<Variant, number>
  errors: number
}

/** CPU time (user + system, µs) the app process has used so far. */
async function cpuOf(child: ChildProcess): Promise<number> {
  const reply = nextMessage<{ type: string; micros: number }>(child, (m) => m.type === 'cpu', 10_000, 'P1 cpu reading')
  child.send({ type: 'cpu' })
  return (await reply).micros
}

async function cannon(
  child: ChildProcess,
  target: P1Target,
  durationSec: number,
  connections: number,
): Promise<{ rps: number; requests: number; cpu: number; bad: number }> {
  const cpuBefore = await cpuOf(child)
  const result = await autocannon({ url: target.url, connections, duration: durationSec, headers: { cookie: target.cookie } })
  const cpu = (await cpuOf(child)) - cpuBefore
  const bad = result.non2xx + result.errors + result.timeouts
  return { rps: result.requests.total / (result.duration || durationSec), requests: result.requests.total, cpu, bad }
}

export async function runP1(): Promise<P1Result> {
  const rounds = Math.round(numberArg('p1-rounds', 24))
  const durationSec = numberArg('p1-duration', 1.5)
  const connections = Math.round(numberArg('p1-connections', 10))
  const child = forkTs('p1-server.ts')
  try {
    const ready = await nextMessage<{ type: string; targets: P1Target[] }>(child, (m) => m.type === 'ready', 60_000, 'P1 apps ready')
    const targets = ready.targets
    let errors = 0
    // Warm-up (JIT, connection pools, caches): 2 s each, not counted.
    for (const t of targets) errors += (await cannon(child, t, 2, connections)).bad
    const empty = (): Record<P1Name, number> => ({ baseline: 0, memory: 0, redis: 0, postgres: 0 })
    const rps: P1Result['rps'] = { baseline: [], memory: [], redis: [], postgres: [] }
    const requests = empty()
    const cpuMicros = empty()
    const cpuPerReq: Record<P1Name, number[]> = { baseline: [], memory: [], redis: [], postgres: [] }
    for (let r = 0; r < rounds; r++) {
      const rotated = targets.map((_, i) => targets[(i + Math.floor(r / 2)) % targets.length])
      const order = r % 2 === 0 ? rotated : rotated.reverse()
      for (const t of order) {
        const run = await cannon(child, t, durationSec, connections)
        rps[t.name].push(run.rps)
        requests[t.name] += run.requests
        cpuMicros[t.name] += run.cpu
        cpuPerReq[t.name].push(run.cpu / Math.max(1, run.requests))
        errors += run.bad
      }
    }
    const final = nextMessage<{ type: string; refreshCalls: number }>(child, (m) => m.type === 'final', 30_000, 'P1 final')
    child.send({ type: 'exit' })
    const { refreshCalls } = await final

    const perReq = (name: P1Name): number => cpuMicros[name] / Math.max(1, requests[name])
    const rpsRatio = Object.fromEntries(VARIANTS.map((v) => [v, requests[v] / requests.baseline])) as Record<Variant, number>
    const cpuRatio = Object.fromEntries(VARIANTS.map((v) => [v, perReq('baseline') / perReq(v)])) as Record<Variant, number>
    const roundRatios = (name: Variant): number[] => rps[name].map((v, i) => v / rps.baseline[i])
    const roundCpuRatios = (name: Variant): number[] => cpuPerReq[name].map((v, i) => cpuPerReq.baseline[i] / v)
    const iqr = (values: number[]): string =>
      `${fmt(median(values), 4)} (${fmt(percentile(values, 25), 3)}-${fmt(percentile(values, 75), 3)})`
    const met = (v: Variant): string =>
      rpsRatio[v] >= GOALS[v] && cpuRatio[v] >= GOALS[v] ? `>= ${GOALS[v]}: met` : `>= ${GOALS[v]}: NOT met`
    printTable(
      `P1 per-request overhead, one run (autocannon, ${connections} connections, ${rounds} rounds x ${durationSec} s per app, order rotated and reversed; refresh calls at the sandbox during the run: ${refreshCalls})`,
      [
        'app',
        'requests (all rounds)',
        'rps ratio, all rounds',
        'CPU µs/req, all rounds',
        'CPU-per-request ratio, all rounds',
        'diagnostic: per-round rps ratio median (IQR)',
        'diagnostic: per-round CPU ratio median (IQR)',
        'goal',
      ],
      [
        [
          'baseline: session + passport, no lexoffice()',
          String(requests.baseline),
          '1.0000',
          fmt(perReq('baseline'), 1),
          '1.0000',
          '',
          '',
          '',
        ],
        ...VARIANTS.map((v) => [
          `+ lexoffice() + getAccessToken(), ${LABELS[v]}`,
          String(requests[v]),
          fmt(rpsRatio[v], 4),
          fmt(perReq(v), 1),
          fmt(cpuRatio[v], 4),
          iqr(roundRatios(v)),
          iqr(roundCpuRatios(v)),
          met(v),
        ]),
      ],
    )
    console.log(`non-2xx / errors / timeouts during P1: ${errors}`)
    return { rounds, durationSec, connections, rps, requests, cpuMicros, rpsRatio, cpuRatio, errors }
  } finally {
    await stopChild(child)
  }
}

if (require.main === module) {
  runP1().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}

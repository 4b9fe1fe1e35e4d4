/**
 * P1: per-request overhead of the lexoffice() middleware + `await req.lexoffice.getAccessToken()`
 * (fresh token) on an authenticated express-session + passport request, against the same app
 * without the middleware, for the memory, Redis and PostgreSQL stores (the shared ones behind the
 * default token cache), all in ONE run, plus a second baseline (A/A: the run's own noise floor).
 *
 * Each app runs in a process of its own (p1-server.ts), as in production. autocannon drives the
 * apps from this process, one app at a time. The machine is shared and its speed swings by tens of
 * percent within seconds, and two processes of the same app differ by a few per cent (code layout,
 * JIT decisions). So:
 * - `--p1-generations` (default 6) times, a fresh process of every app is started, warmed up
 *   (`--p1-warmup`, default 6 s each, not counted) and driven for `--p1-rounds` (default 6) rounds of `--p1-duration` (1.5 s)
 *   seconds each, the order rotated every round and reversed every other round;
 * - the headline figures are taken over ALL generations and rounds: rps ratio = total requests of
 *   the variant / total requests of the baseline (every app ran the same time); CPU ratio =
 *   baseline CPU µs per request / variant CPU µs per request, each from the app process's total
 *   CPU time (process.cpuUsage, garbage collection included) over its total requests.
 * Neither is a best-of or derived from wall-clock stretches. Per-generation ratios (median and
 * range) show the noise; the second baseline shows how far an app moves from itself, and the same
 * two ratios against both baseline processes pooled are printed as a check. A goal counts as met
 * only when all four ratios reach it.
 *
 *   node node_modules/.cache/passport-lexoffice-bench/bench/p1-overhead.js [--p1-generations 6] [--p1-rounds 6] [--p1-warmup 6] [--p1-duration 1.5] [--p1-connections 10]
 */
import type { ChildProcess } from 'node:child_process'
import autocannon from 'autocannon'
import { P1_APPS, type P1Name, type P1Target } from './p1-server'
import { fmt, forkTs, median, nextMessage, numberArg, printTable, stopChild } from './lib/util'

type Variant = Exclude<P1Name, 'baseline'>
const VARIANTS: readonly Variant[] = ['baseline2', 'memory', 'redis', 'postgres']
const GOALS: Partial<Record<Variant, number>> = { memory: 0.97, redis: 0.95, postgres: 0.95 }
const LABELS: Record<P1Name, string> = {
  baseline: 'baseline: session + passport, no lexoffice()',
  baseline2: 'A/A: a second baseline process (noise floor)',
  memory: '+ lexoffice() + getAccessToken(), MemoryTokenStore',
  redis: '+ lexoffice() + getAccessToken(), RedisTokenStore + token cache',
  postgres: '+ lexoffice() + getAccessToken(), PostgresTokenStore + token cache',
}

export interface P1Result {
  generations: number
  rounds: number
  durationSec: number
  connections: number
  requests: Record<P1Name, number>
  cpuMicros: Record<P1Name, number>
  /** Over all generations and rounds: total requests of the variant / of the baseline. */
  rpsRatio: Record<Variant, number>
  /** Over all generations and rounds: baseline CPU per request / variant CPU per request. */
  cpuRatio: Record<Variant, number>
  /** The CPU ratio of each generation on its own (diagnostic). */
  cpuRatioByGeneration: Record<Variant, number[]>
  errors: number
  refreshCalls: number
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
): Promise<{ requests: number; cpu: number; bad: number }> {
  const cpuBefore = await cpuOf(child)
  const result = await autocannon({ url: target.url, connections, duration: durationSec, headers: { cookie: target.cookie } })
  const cpu = (await cpuOf(child)) - cpuBefore
  return { requests: result.requests.total, cpu, bad: result.non2xx + result.errors + result.timeouts }
}

interface RunningApp {
  child: ChildProcess
  target: P1Target
}

async function startApps(): Promise<RunningApp[]> {
  const children = P1_APPS.map((name) => forkTs('p1-server.ts', [], ['--p1-app', name]))
  try {
    return await Promise.all(
      children.map(async (child) => {
        const ready = await nextMessage<{ type: string; target: P1Target }>(child, (m) => m.type === 'ready', 60_000, 'P1 app ready')
        return { child, target: ready.target }
      }),
    )
  } catch (err) {
    await Promise.all(children.map((c) => stopChild(c)))
    throw err
  }
}

/** Stops the apps; resolves the token-endpoint refresh calls their sandboxes saw (expected: 0). */
async function stopApps(apps: readonly RunningApp[]): Promise<number> {
  let refreshCalls = 0
  await Promise.all(
    apps.map(async ({ child }) => {
      const final = nextMessage<{ type: string; refreshCalls: number }>(child, (m) => m.type === 'final', 30_000, 'P1 final')
      child.send({ type: 'exit' })
      refreshCalls += (await final).refreshCalls
      await stopChild(child, 10_000)
    }),
  )
  return refreshCalls
}

export async function runP1(): Promise<P1Result> {
  const generations = Math.round(numberArg('p1-generations', 6))
  const rounds = Math.round(numberArg('p1-rounds', 6))
  const durationSec = numberArg('p1-duration', 1.5)
  const connections = Math.round(numberArg('p1-connections', 10))
  const warmupSec = numberArg('p1-warmup', 6)
  const empty = (): Record<P1Name, number> => ({ baseline: 0, baseline2: 0, memory: 0, redis: 0, postgres: 0 })
  const requests = empty()
  const cpuMicros = empty()
  const cpuRatioByGeneration: Record<Variant, number[]> = { baseline2: [], memory: [], redis: [], postgres: [] }
  let errors = 0
  let refreshCalls = 0
  for (let g = 0; g < generations; g++) {
    const apps = await startApps()
    try {
      // Warm-up (JIT, connection pools, caches), not counted: a fresh process still compiles for
      // several seconds (CPU per request in 1.5 s windows after a 2 s warm-up fell from 600-1000 µs
      // to ~450 µs only by the third or fourth window), and an app with more code compiles longer.
      for (const { child, target } of apps) errors += (await cannon(child, target, warmupSec, connections)).bad
      const genRequests = empty()
      const genCpu = empty()
      for (let r = 0; r < rounds; r++) {
        const rotated = apps.map((_, i) => apps[(i + r) % apps.length])
        for (const { child, target } of r % 2 === 0 ? rotated : rotated.reverse()) {
          const run = await cannon(child, target, durationSec, connections)
          genRequests[target.name] += run.requests
          genCpu[target.name] += run.cpu
          errors += run.bad
        }
      }
      for (const name of P1_APPS) {
        requests[name] += genRequests[name]
        cpuMicros[name] += genCpu[name]
      }
      const perReq = (name: P1Name): number => genCpu[name] / Math.max(1, genRequests[name])
      for (const v of VARIANTS) cpuRatioByGeneration[v].push(perReq('baseline') / perReq(v))
    } finally {
      refreshCalls += await stopApps(apps)
    }
  }

  const perReq = (name: P1Name): number => cpuMicros[name] / Math.max(1, requests[name])
  const rpsRatio = Object.fromEntries(VARIANTS.map((v) => [v, requests[v] / requests.baseline])) as Record<Variant, number>
  const cpuRatio = Object.fromEntries(VARIANTS.map((v) => [v, perReq('baseline') / perReq(v)])) as Record<Variant, number>
  // The same ratios against both baseline processes together: one baseline process can sit a few
  // per cent away from another (the A/A row), which moves every headline ratio with it.
  const pooledPerReq = (cpuMicros.baseline + cpuMicros.baseline2) / Math.max(1, requests.baseline + requests.baseline2)
  const pooledRps = (v: Variant): number => requests[v] / ((requests.baseline + requests.baseline2) / 2)
  const pooledCpu = (v: Variant): number => pooledPerReq / perReq(v)
  const spread = (values: number[]): string => `${fmt(median(values), 4)} (${fmt(Math.min(...values), 3)}-${fmt(Math.max(...values), 3)})`
  const verdict = (v: Variant): string => {
    const goal = GOALS[v]
    if (goal === undefined) return ''
    const all = [rpsRatio[v], cpuRatio[v], pooledRps(v), pooledCpu(v)]
    return all.every((r) => r >= goal) ? `>= ${goal}: met` : `>= ${goal}: NOT met`
  }
  printTable(
    `P1 per-request overhead, one run (each app in a process of its own; autocannon, ${connections} connections; ${generations} generations of fresh processes, each app warmed up ${warmupSec} s, then ${rounds} rounds x ${durationSec} s per app, order rotated and reversed; refresh calls at the sandboxes during the run: ${refreshCalls})`,
    [
      'app',
      'requests (all rounds)',
      'rps ratio, all rounds',
      'CPU µs/req, all rounds',
      'CPU-per-request ratio, all rounds',
      'check: rps / CPU ratio against both baselines pooled',
      'diagnostic: CPU ratio per generation, median (min-max)',
      'goal (all four ratios)',
    ],
    [
      [LABELS.baseline, String(requests.baseline), '1.0000', fmt(perReq('baseline'), 1), '1.0000', '', '', ''],
      ...VARIANTS.map((v) => [
        LABELS[v],
        String(requests[v]),
        fmt(rpsRatio[v], 4),
        fmt(perReq(v), 1),
        fmt(cpuRatio[v], 4),
        v === 'baseline2' ? '' : `${fmt(pooledRps(v), 4)} / ${fmt(pooledCpu(v), 4)}`,
        spread(cpuRatioByGeneration[v]),
        verdict(v),
      ]),
    ],
  )
  console.log(`non-2xx / errors / timeouts during P1: ${errors}`)
  return {
    generations,
    rounds,
    durationSec,
    connections,
    requests,
    cpuMicros,
    rpsRatio,
    cpuRatio,
    cpuRatioByGeneration,
    errors,
    refreshCalls,
  }
}

if (require.main === module) {
  runP1().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}

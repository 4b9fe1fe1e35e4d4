/**
 * P1: per-request overhead of the lexoffice() middleware + `await req.lexoffice.getAccessToken()`
 * (fresh token) on an authenticated express-session + passport request, as an rps ratio against
 * the same app without the middleware. autocannon drives the apps (in a child process) from
 * this process, one app at a time.
 *
 * The machine is shared and its speed swings by tens of percent within seconds, far more than
 * the 3 % the goal allows. So the runs are short (default 1.5 s) and many (default 20 rounds), the
 * order is rotated every round and reversed every other round (A B C, C B A, B C A, A C B, ...), and
 * each round gives a ratio of neighbouring runs; the figure is the median of those ratios, with
 * their interquartile range as the noise. The app process's CPU time around each run gives CPU
 * µs per request and the requests-per-CPU-second ratio, which machine speed swings move less.
 *
 *   node -r ts-node/register/transpile-only bench/p1-overhead.ts [--p1-rounds 20] [--p1-duration 1.5] [--p1-connections 10]
 */
import type { ChildProcess } from 'node:child_process'
import autocannon from 'autocannon'
import type { P1Target } from './p1-server'
import { fmt, forkTs, median, nextMessage, numberArg, percentile, printTable, stopChild } from './lib/util'

export interface P1Result {
  rounds: number
  durationSec: number
  connections: number
  rps: Record<P1Target['name'], number[]>
  /** Server CPU time per request (µs), per round. */
  cpu: Record<P1Target['name'], number[]>
  ratioMemory: number
  ratioRedis: number
  /** baseline CPU per request / variant CPU per request (median of rounds): requests per CPU-second ratio. */
  cpuRatioMemory: number
  cpuRatioRedis: number
  errors: number
}

/** CPU time (user + system, µs) the app process has used so far. */
async function cpuOf(child: ChildProcess): Promise<number> {
  const reply = nextMessage<{ type: string; micros: number }>(child, (m) => m.type === 'cpu', 10_000, 'P1 cpu reading')
  child.send({ type: 'cpu' })
  return (await reply).micros
}

async function cannon(child: ChildProcess, target: P1Target, durationSec: number, connections: number): Promise<{ rps: number; cpuPerReqUs: number; bad: number }> {
  const cpuBefore = await cpuOf(child)
  const result = await autocannon({
    url: target.url,
    connections,
    duration: durationSec,
    headers: { cookie: target.cookie },
  })
  const cpu = (await cpuOf(child)) - cpuBefore
  const bad = result.non2xx + result.errors + result.timeouts
  return { rps: result.requests.total / (result.duration || durationSec), cpuPerReqUs: cpu / Math.max(1, result.requests.total), bad }
}

export async function runP1(): Promise<P1Result> {
  const rounds = Math.round(numberArg('p1-rounds', 20))
  const durationSec = numberArg('p1-duration', 1.5)
  const connections = Math.round(numberArg('p1-connections', 10))
  const child = forkTs('p1-server.ts')
  try {
    const ready = await nextMessage<{ type: string; targets: P1Target[] }>(child, (m) => m.type === 'ready', 60_000, 'P1 apps ready')
    const targets = ready.targets
    let errors = 0
    // Warm-up (JIT, connection pools): 2 s each, not counted.
    for (const t of targets) errors += (await cannon(child, t, 2, connections)).bad
    const rps: P1Result['rps'] = { baseline: [], memory: [], redis: [] }
    const cpu: P1Result['cpu'] = { baseline: [], memory: [], redis: [] }
    for (let r = 0; r < rounds; r++) {
      const rotated = targets.map((_, i) => targets[(i + Math.floor(r / 2)) % targets.length]!)
      const order = r % 2 === 0 ? rotated : rotated.reverse()
      for (const t of order) {
        const { rps: value, cpuPerReqUs, bad } = await cannon(child, t, durationSec, connections)
        rps[t.name].push(value)
        cpu[t.name].push(cpuPerReqUs)
        errors += bad
      }
    }
    const ratios = (name: 'memory' | 'redis'): number[] => rps[name].map((v, i) => v / rps.baseline[i]!)
    const cpuRatios = (name: 'memory' | 'redis'): number[] => cpu[name].map((v, i) => cpu.baseline[i]! / v)
    const iqr = (values: number[]): string => `${fmt(percentile(values, 25), 3)}-${fmt(percentile(values, 75), 3)}`
    const final = nextMessage<{ type: string; refreshCalls: number }>(child, (m) => m.type === 'final', 30_000, 'P1 final')
    child.send({ type: 'exit' })
    const { refreshCalls } = await final
    const result: P1Result = {
      rounds,
      durationSec,
      connections,
      rps,
      cpu,
      ratioMemory: median(ratios('memory')),
      ratioRedis: median(ratios('redis')),
      cpuRatioMemory: median(cpuRatios('memory')),
      cpuRatioRedis: median(cpuRatios('redis')),
      errors,
    }
    printTable(
      `P1 per-request overhead (autocannon, ${connections} connections, ${rounds} rounds x ${durationSec} s per app, order rotated and reversed; refresh calls at the sandbox during the run: ${refreshCalls})`,
      ['app', 'median rps', 'rps ratio: median of rounds', 'rps ratio: IQR of rounds', 'server CPU µs/req', 'req per CPU-s ratio (IQR)', 'goal'],
      [
        ['baseline: session + passport, no lexoffice()', fmt(median(rps.baseline), 0), '1.000', '', fmt(median(cpu.baseline), 0), '1.000', ''],
        ...(['memory', 'redis'] as const).map((name) => [
          `+ lexoffice() + getAccessToken(), ${name === 'memory' ? 'MemoryTokenStore' : 'RedisTokenStore'}`,
          fmt(median(rps[name]), 0),
          fmt(median(ratios(name)), 3),
          iqr(ratios(name)),
          fmt(median(cpu[name]), 0),
          `${fmt(median(cpuRatios(name)), 3)} (${iqr(cpuRatios(name))})`,
          name === 'memory' ? '>= 0.97' : '(report)',
        ]),
      ],
    )
    console.log(`non-2xx / errors / timeouts during P1: ${errors}`)
    return result
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

/**
 * P1: per-request overhead of the lexoffice() middleware + `await req.lexoffice.getAccessToken()`
 * (fresh token) on an authenticated express-session + passport request, as an rps ratio against
 * the same app without the middleware. autocannon drives the apps (in a child process) from
 * this process, one app at a time.
 *
 * The machine is shared and its speed swings by tens of percent within seconds, far more than
 * the 3 % the goal allows. So the runs are short (default 1.5 s) and many (default 24 rounds: every order of the three apps 4 times), the
 * order is rotated every round and reversed every other round (A B C, C B A, B C A, A C B, ...), and
 * each round gives a ratio of neighbouring runs; the figure is the median of those ratios, with
 * their interquartile range as the noise. The app process's CPU time around each run gives CPU
 * µs per request and the requests-per-CPU-second ratio, which machine speed swings move less.
 *
 * In-process split (low noise): two more copies each of the baseline and memory apps (A B B A,
 * which cancels the position effects of the load generator), loaded at the same time by four
 * autocannon instances, time each request inside the app process from a marker
 * right after `passport.session()` to `res.end` (bench/lib/apps.ts). With MemoryTokenStore nothing
 * in that stretch waits for I/O, so no other request runs inside it, and both apps see the same
 * machine at the same moment: the difference of the means is the CPU time lexoffice() and
 * `getAccessToken()` add to a request. Divided into the baseline's CPU µs per request (from the
 * rounds above) it gives the ratio the overhead alone would cause.
 *
 *   node -r ts-node/register/transpile-only bench/p1-overhead.ts [--p1-rounds 24] [--p1-duration 1.5] [--p1-connections 10] [--p1-split-duration 10]
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
  /** Median of the per-round rps ratios. */
  ratioMemory: number
  ratioRedis: number
  /** Total requests of the variant / of the baseline over all rounds (same total time each). */
  totalRatioMemory: number
  totalRatioRedis: number
  /** baseline CPU per request / variant CPU per request (median of rounds): requests per CPU-second ratio. */
  cpuRatioMemory: number
  cpuRatioRedis: number
  /** In-process split: mean ns per request (marker to res.end) of the two timed apps, and the ratio the difference implies. */
  split: { baselineNs: number; memoryNs: number; addedUs: number; impliedRatio: number; requests: [number, number] }
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
): Promise<{ rps: number; cpuPerReqUs: number; bad: number }> {
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
  const rounds = Math.round(numberArg('p1-rounds', 24))
  const durationSec = numberArg('p1-duration', 1.5)
  const connections = Math.round(numberArg('p1-connections', 10))
  const child = forkTs('p1-server.ts')
  try {
    const ready = await nextMessage<{ type: string; targets: P1Target[]; splitTargets: { urls: string[]; cookie: string } }>(
      child,
      (m) => m.type === 'ready',
      60_000,
      'P1 apps ready',
    )
    const targets = ready.targets
    let errors = 0
    // Warm-up (JIT, connection pools): 2 s each, not counted.
    for (const t of targets) errors += (await cannon(child, t, 2, connections)).bad
    const rps: P1Result['rps'] = { baseline: [], memory: [], redis: [] }
    const cpu: P1Result['cpu'] = { baseline: [], memory: [], redis: [] }
    for (let r = 0; r < rounds; r++) {
      const rotated = targets.map((_, i) => targets[(i + Math.floor(r / 2)) % targets.length])
      const order = r % 2 === 0 ? rotated : rotated.reverse()
      for (const t of order) {
        const { rps: value, cpuPerReqUs, bad } = await cannon(child, t, durationSec, connections)
        rps[t.name].push(value)
        cpu[t.name].push(cpuPerReqUs)
        errors += bad
      }
    }
    // In-process split: both timed apps loaded at once; readings after a 2 s warm-up.
    const splitDuration = numberArg('p1-split-duration', 10)
    const { splitTargets } = ready
    const half = Math.max(1, Math.round(connections / splitTargets.urls.length))
    const both = async (seconds: number): Promise<void> => {
      const runs = await Promise.all(
        splitTargets.urls.map((url) => autocannon({ url, connections: half, duration: seconds, headers: { cookie: splitTargets.cookie } })),
      )
      for (const r of runs) errors += r.non2xx + r.errors + r.timeouts
    }
    const readSplit = async (): Promise<{ baseline: number[]; memory: number[] }> => {
      const reply = nextMessage<{ type: string; baseline: number[]; memory: number[] }>(
        child,
        (m) => m.type === 'split',
        10_000,
        'P1 split reading',
      )
      child.send({ type: 'split' })
      return reply
    }
    await both(2)
    await readSplit()
    await both(splitDuration)
    const readings = await readSplit()
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length)
    const addedUs = (mean(readings.memory) - mean(readings.baseline)) / 1000
    const baselineCpuUs = median(cpu.baseline)
    const split: P1Result['split'] = {
      baselineNs: mean(readings.baseline),
      memoryNs: mean(readings.memory),
      addedUs,
      impliedRatio: baselineCpuUs / (baselineCpuUs + addedUs),
      requests: [readings.baseline.length, readings.memory.length],
    }

    const ratios = (name: 'memory' | 'redis'): number[] => rps[name].map((v, i) => v / rps.baseline[i])
    const cpuRatios = (name: 'memory' | 'redis'): number[] => cpu[name].map((v, i) => cpu.baseline[i] / v)
    const iqr = (values: number[]): string => `${fmt(percentile(values, 25), 3)}-${fmt(percentile(values, 75), 3)}`
    // Every app ran the same total time, so total requests divided is the rps ratio over all
    // rounds; with the order balanced (24 rounds = 4 x the 6 orders) it is the most efficient figure.
    const sum = (v: number[]): number => v.reduce((a, b) => a + b, 0)
    const totalRatio = (name: 'memory' | 'redis'): number => sum(rps[name]) / sum(rps.baseline)
    // Mean of the per-round ratios with its standard error: how far a figure can move by noise alone.
    const meanSe = (v: number[]): string => {
      const m = sum(v) / v.length
      const sd = Math.sqrt(sum(v.map((x) => (x - m) ** 2)) / Math.max(1, v.length - 1))
      return `${fmt(m, 3)} ± ${fmt(sd / Math.sqrt(v.length), 3)}`
    }
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
      totalRatioMemory: totalRatio('memory'),
      totalRatioRedis: totalRatio('redis'),
      cpuRatioMemory: median(cpuRatios('memory')),
      cpuRatioRedis: median(cpuRatios('redis')),
      split,
      errors,
    }
    printTable(
      `P1 per-request overhead (autocannon, ${connections} connections, ${rounds} rounds x ${durationSec} s per app, order rotated and reversed; refresh calls at the sandbox during the run: ${refreshCalls})`,
      [
        'app',
        'median rps',
        'rps ratio: all rounds (total requests)',
        'per-round ratios: median (IQR)',
        'per-round ratios: mean ± SE',
        'server CPU µs/req',
        'req per CPU-s ratio (IQR)',
        'goal',
      ],
      [
        [
          'baseline: session + passport, no lexoffice()',
          fmt(median(rps.baseline), 0),
          '1.000',
          '',
          '',
          fmt(median(cpu.baseline), 0),
          '1.000',
          '',
        ],
        ...(['memory', 'redis'] as const).map((name) => [
          `+ lexoffice() + getAccessToken(), ${name === 'memory' ? 'MemoryTokenStore' : 'RedisTokenStore'}`,
          fmt(median(rps[name]), 0),
          fmt(totalRatio(name), 3),
          `${fmt(median(ratios(name)), 3)} (${iqr(ratios(name))})`,
          meanSe(ratios(name)),
          fmt(median(cpu[name]), 0),
          `${fmt(median(cpuRatios(name)), 3)} (${iqr(cpuRatios(name))})`,
          name === 'memory' ? '>= 0.97' : '(report)',
        ]),
      ],
    )
    printTable(
      `P1 in-process split (MemoryTokenStore): two copies of each app loaded at once (A B B A, ${half} connections each, ${splitDuration} s), each request timed inside the app from after passport.session() to res.end`,
      [
        'app',
        'requests',
        'mean µs (marker to res.end)',
        'median µs',
        'added µs per request',
        'baseline CPU µs/req (rounds above)',
        'implied ratio',
        'goal',
      ],
      [
        [
          'baseline',
          String(split.requests[0]),
          fmt(split.baselineNs / 1000, 1),
          fmt(median(readings.baseline) / 1000, 1),
          '',
          fmt(baselineCpuUs, 0),
          '1.000',
          '',
        ],
        [
          '+ lexoffice() + getAccessToken()',
          String(split.requests[1]),
          fmt(split.memoryNs / 1000, 1),
          fmt(median(readings.memory) / 1000, 1),
          fmt(addedUs, 1),
          fmt(baselineCpuUs, 0),
          fmt(split.impliedRatio, 3),
          '>= 0.97',
        ],
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

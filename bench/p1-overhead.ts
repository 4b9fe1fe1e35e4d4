/**
 * P1: per-request overhead of the lexoffice() middleware + `await req.lexoffice.getAccessToken()`
 * (fresh token) on an authenticated express-session + passport request, as an rps ratio against
 * the same app without the middleware. autocannon drives the apps (in a child process) from
 * this process; runs rotate A B C / B C A / ... and the median of the per-round ratios is reported.
 *
 * The CPU time per request is read from the app process around each run (requests per CPU-second
 * ratio). A second phase starts a second app process and loads the baseline in one and a variant
 * in the other at the same time (paired runs), so the shared machine's load swings hit both alike.
 *
 *   node -r ts-node/register/transpile-only bench/p1-overhead.ts [--p1-rounds 5] [--p1-duration 3] [--p1-connections 10] [--p1-paired-rounds 5]
 */
import type { ChildProcess } from 'node:child_process'
import autocannon from 'autocannon'
import type { P1Target } from './p1-server'
import { fmt, forkTs, median, nextMessage, numberArg, printTable, stopChild } from './lib/util'

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
  /** Paired runs (baseline and variant in two app processes, loaded at the same time): rps ratio and requests-per-CPU-second ratio per run. */
  paired: Record<'memory' | 'redis', { rps: number[]; cpu: number[] }>
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
  const rounds = Math.round(numberArg('p1-rounds', 5))
  const durationSec = numberArg('p1-duration', 3)
  const connections = Math.round(numberArg('p1-connections', 10))
  const child = forkTs('p1-server.ts')
  try {
    const ready = await nextMessage<{ type: string; targets: P1Target[] }>(child, (m) => m.type === 'ready', 60_000, 'P1 apps ready')
    const targets = ready.targets
    let errors = 0
    // Warm-up (JIT, connection pools): 1 s each, not counted.
    for (const t of targets) errors += (await cannon(child, t, 1, connections)).bad
    const rps: P1Result['rps'] = { baseline: [], memory: [], redis: [] }
    const cpu: P1Result['cpu'] = { baseline: [], memory: [], redis: [] }
    for (let r = 0; r < rounds; r++) {
      const order = targets.map((_, i) => targets[(i + r) % targets.length]!)
      for (const t of order) {
        const { rps: value, cpuPerReqUs, bad } = await cannon(child, t, durationSec, connections)
        rps[t.name].push(value)
        cpu[t.name].push(cpuPerReqUs)
        errors += bad
      }
    }
    // Paired runs: a second app process; the baseline in one process and a variant in the other
    // are loaded at the same time (which process hosts which alternates), so load swings of the
    // shared machine hit both alike. Each process's CPU time per request is read separately.
    const pairedRounds = Math.round(numberArg('p1-paired-rounds', 6))
    const paired: P1Result['paired'] = { memory: { rps: [], cpu: [] }, redis: { rps: [], cpu: [] } }
    if (pairedRounds > 0) {
      const child2 = forkTs('p1-server.ts')
      try {
        const ready2 = await nextMessage<{ type: string; targets: P1Target[] }>(child2, (m) => m.type === 'ready', 60_000, 'P1 second app process ready')
        const hosts = [
          { child, targets },
          { child: child2, targets: ready2.targets },
        ]
        for (const h of hosts) for (const t of h.targets) errors += (await cannon(h.child, t, 1, connections)).bad
        for (let r = 0; r < pairedRounds; r++) {
          for (const name of ['memory', 'redis'] as const) {
            const [hb, hv] = r % 2 === 0 ? [hosts[0]!, hosts[1]!] : [hosts[1]!, hosts[0]!]
            const [a, b] = await Promise.all([
              cannon(hb.child, hb.targets.find((t) => t.name === 'baseline')!, durationSec, connections),
              cannon(hv.child, hv.targets.find((t) => t.name === name)!, durationSec, connections),
            ])
            paired[name].rps.push(b.rps / a.rps)
            paired[name].cpu.push(a.cpuPerReqUs / b.cpuPerReqUs)
            errors += a.bad + b.bad
          }
        }
      } finally {
        await stopChild(child2)
      }
    }
    const ratios = (name: 'memory' | 'redis'): number[] => rps[name].map((v, i) => v / rps.baseline[i]!)
    const cpuRatios = (name: 'memory' | 'redis'): number[] => cpu[name].map((v, i) => cpu.baseline[i]! / v)
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
      paired,
      errors,
    }
    printTable(
      `P1 per-request overhead (autocannon, ${connections} connections, ${rounds} rounds x ${durationSec} s per app, rotated order; refresh calls at the sandbox during the run: ${refreshCalls})`,
      ['app', 'median rps', 'rps per round', 'rps ratio (median of rounds)', 'server CPU µs/req', 'req per CPU-s ratio', 'goal'],
      [
        ['baseline: session + passport, no lexoffice()', fmt(median(rps.baseline), 0), rps.baseline.map((v) => fmt(v, 0)).join(' '), '1.000', fmt(median(cpu.baseline), 0), '1.000', ''],
        ['+ lexoffice() + getAccessToken(), MemoryTokenStore', fmt(median(rps.memory), 0), rps.memory.map((v) => fmt(v, 0)).join(' '), fmt(result.ratioMemory, 3), fmt(median(cpu.memory), 0), fmt(result.cpuRatioMemory, 3), '>= 0.97'],
        ['+ lexoffice() + getAccessToken(), RedisTokenStore', fmt(median(rps.redis), 0), rps.redis.map((v) => fmt(v, 0)).join(' '), fmt(result.ratioRedis, 3), fmt(median(cpu.redis), 0), fmt(result.cpuRatioRedis, 3), '(report)'],
      ],
    )
    printTable(
      `P1 paired: baseline in one app process and a variant in a second one, loaded at the same time (${connections} connections each, ${durationSec} s, ${pairedRounds} runs per variant, hosts alternate)`,
      ['variant', 'rps ratio (median)', 'rps ratio per run', 'req per CPU-s ratio (median)', 'per run', 'goal'],
      (['memory', 'redis'] as const).map((name) => [
        name === 'memory' ? 'MemoryTokenStore' : 'RedisTokenStore',
        fmt(median(paired[name].rps), 3),
        paired[name].rps.map((v) => fmt(v, 3)).join(' '),
        fmt(median(paired[name].cpu), 3),
        paired[name].cpu.map((v) => fmt(v, 3)).join(' '),
        name === 'memory' ? '>= 0.97' : '(report)',
      ]),
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

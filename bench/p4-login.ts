/**
 * P4: complete logins per second (login route -> sandbox authorize with auto-approve -> callback
 * -> code exchange -> /v1/profile -> passport login -> redirect), driven from this process with
 * fetch (redirect: 'manual') and one cookie jar per login; the apps and the sandbox run in a
 * child process. LexofficeStrategy vs plain passport-oauth2 (pkce: true, state: true), rounds
 * rotate (A B C / B C A / ...); the median of the per-round ratios is reported, plus the child's CPU
 * time per login (sandbox included, so shared costs dilute the difference).
 *
 *   node -r ts-node/register/transpile-only bench/p4-login.ts [--p4-logins 60] [--p4-rounds 5] [--p4-concurrency 4]
 */
import type { ChildProcess } from 'node:child_process'
import { CookieJar, driveLogin, fmt, forkTs, median, nextMessage, numberArg, printTable, stopChild } from './lib/util'

type Variant = 'lexoffice' | 'oauth2' | 'lexofficeHttp'

export interface P4Result {
  logins: number
  rounds: number
  concurrency: number
  perSecond: Record<Variant, number[]>
  cpuPerLoginMs: Record<Variant, number[]>
  ratio: number
  cpuRatio: number
  failures: Record<Variant, number>
}

async function cpuOf(child: ChildProcess): Promise<number> {
  const reply = nextMessage<{ type: string; micros: number }>(child, (m) => m.type === 'cpu', 10_000, 'P4 cpu reading')
  child.send({ type: 'cpu' })
  return (await reply).micros
}

/** `logins` logins with `concurrency` parallel loops; resolves logins per second and failures. */
async function burst(baseURL: string, logins: number, concurrency: number): Promise<{ perSecond: number; failures: string[] }> {
  let next = 0
  let done = 0
  const failures: string[] = []
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < logins) {
        next++
        try {
          const target = await driveLogin(new CookieJar(), `${baseURL}/auth/login`)
          if (target !== '/done') failures.push(`redirected to ${target}`)
          else done++
        } catch (err) {
          failures.push(err instanceof Error ? err.message : String(err))
        }
      }
    }),
  )
  return { perSecond: done / ((performance.now() - t0) / 1000), failures }
}

export async function runP4(): Promise<P4Result> {
  const logins = Math.round(numberArg('p4-logins', 60))
  const rounds = Math.round(numberArg('p4-rounds', 5))
  const concurrency = Math.round(numberArg('p4-concurrency', 4))
  const child = forkTs('p4-server.ts')
  try {
    const ready = await nextMessage<{ type: string; urls: Record<Variant, string> }>(
      child,
      (m) => m.type === 'ready',
      60_000,
      'P4 apps ready',
    )
    const perSecond: P4Result['perSecond'] = { lexoffice: [], oauth2: [], lexofficeHttp: [] }
    const cpuPerLoginMs: P4Result['cpuPerLoginMs'] = { lexoffice: [], oauth2: [], lexofficeHttp: [] }
    const failures: P4Result['failures'] = { lexoffice: 0, oauth2: 0, lexofficeHttp: 0 }
    const reasons = new Set<string>()
    const variants: Variant[] = ['lexoffice', 'oauth2', 'lexofficeHttp']
    for (const v of variants) await burst(ready.urls[v], Math.min(10, logins), concurrency) // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const v of variants.map((_, i) => variants[(i + r) % variants.length])) {
        const before = await cpuOf(child)
        const res = await burst(ready.urls[v], logins, concurrency)
        const cpu = (await cpuOf(child)) - before
        perSecond[v].push(res.perSecond)
        cpuPerLoginMs[v].push(cpu / 1000 / Math.max(1, logins - res.failures.length))
        failures[v] += res.failures.length
        for (const f of res.failures) reasons.add(`${v}: ${f}`)
      }
    }
    const ratioOf = (v: Variant): number => median(perSecond[v].map((x, i) => x / perSecond.oauth2[i]))
    const cpuRatioOf = (v: Variant): number => median(cpuPerLoginMs[v].map((x, i) => cpuPerLoginMs.oauth2[i] / x))
    const ratio = ratioOf('lexoffice')
    const cpuRatio = cpuRatioOf('lexoffice')
    printTable(
      `P4 logins per second (${rounds} rounds x ${logins} logins per strategy, ${concurrency} in parallel, alternating order; each login: 3 HTTP round trips from the driver + code exchange + /v1/profile from the app)`,
      [
        'strategy',
        'median logins/s',
        'per round',
        'ratio vs passport-oauth2 (median of rounds)',
        'app+sandbox CPU ms/login',
        'logins per CPU-s ratio',
        'failed',
        'goal',
      ],
      [
        [
          'passport-oauth2 (pkce, state) + userProfile',
          fmt(median(perSecond.oauth2), 1),
          perSecond.oauth2.map((x) => fmt(x, 1)).join(' '),
          '1.000',
          fmt(median(cpuPerLoginMs.oauth2)),
          '1.000',
          String(failures.oauth2),
          '',
        ],
        [
          'LexofficeStrategy',
          fmt(median(perSecond.lexoffice), 1),
          perSecond.lexoffice.map((x) => fmt(x, 1)).join(' '),
          fmt(ratio, 3),
          fmt(median(cpuPerLoginMs.lexoffice)),
          fmt(cpuRatio, 3),
          String(failures.lexoffice),
          '>= 0.9',
        ],
        [
          "diagnostic: LexofficeStrategy, fetch = Node's fetch (undici)",
          fmt(median(perSecond.lexofficeHttp), 1),
          perSecond.lexofficeHttp.map((x) => fmt(x, 1)).join(' '),
          fmt(ratioOf('lexofficeHttp'), 3),
          fmt(median(cpuPerLoginMs.lexofficeHttp)),
          fmt(cpuRatioOf('lexofficeHttp'), 3),
          String(failures.lexofficeHttp),
          '',
        ],
      ],
    )
    if (reasons.size > 0) console.log(`P4 failures: ${[...reasons].slice(0, 5).join(' | ')}`)
    return { logins, rounds, concurrency, perSecond, cpuPerLoginMs, ratio, cpuRatio, failures }
  } finally {
    await stopChild(child)
  }
}

if (require.main === module) {
  runP4().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}

/**
 * Profiling aid for missed goals: runs the app child of P1 or P4 under `node --cpu-prof`,
 * drives one variant, and prints where the child's CPU went (bench/lib/cpuprofile.ts).
 *
 *   node node_modules/.cache/passport-lexoffice-bench/bench/profile.js p1 memory|redis|postgres|baseline [seconds]
 *   node node_modules/.cache/passport-lexoffice-bench/bench/profile.js p4 lexoffice|oauth2 [logins]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { summarise } from './lib/cpuprofile'
import { CookieJar, driveLogin, forkTs, nextMessage, stopChild } from './lib/util'

async function main(): Promise<void> {
  const [which, variant] = process.argv.slice(2)
  const amountArg = process.argv.at(4)
  if ((which !== 'p1' && which !== 'p4') || !variant) throw new Error('usage: profile.js p1|p4 <variant> [amount]')
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-prof-'))
  const profiling = ['--cpu-prof', '--cpu-prof-interval=250', `--cpu-prof-dir=${dir}`]
  const child = which === 'p1' ? forkTs('p1-server.ts', profiling, ['--p1-app', variant]) : forkTs('p4-server.ts', profiling)
  try {
    const ready = await nextMessage<{
      type: string
      target?: { name: string; url: string; cookie: string }
      urls?: Record<string, string>
    }>(child, (m) => m.type === 'ready', 60_000, 'ready')
    if (which === 'p1') {
      const t = ready.target!
      const r = await autocannon({ url: t.url, connections: 10, duration: Number(amountArg ?? 8), headers: { cookie: t.cookie } })
      console.log(`${variant}: ${r.requests.total} requests`)
    } else {
      const url = ready.urls![variant]
      if (!url) throw new Error(`unknown P4 variant ${variant}`)
      const n = Number(amountArg ?? 200)
      for (let i = 0; i < n; i += 4) await Promise.all([0, 1, 2, 3].map(() => driveLogin(new CookieJar(), `${url}/auth/login`)))
      console.log(`${variant}: ${n} logins`)
    }
  } finally {
    child.send({ type: 'exit' }, () => undefined)
    await stopChild(child, 10_000)
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (!file) throw new Error('no profile written')
  const { total, byBucket, byFunction } = summarise(
    JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Parameters<typeof summarise>[0],
  )
  rmSync(dir, { recursive: true, force: true })
  console.log(`busy (non-idle) sampled time of the child, start-up included: ${total.toFixed(0)} ms`)
  for (const [b, ms] of [...byBucket].sort((a, c) => c[1] - a[1]).slice(0, 25))
    console.log(`${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${b}`)
  console.log('--- top functions (self time) ---')
  for (const [f, ms] of [...byFunction].sort((a, c) => c[1] - a[1]).slice(0, 30))
    console.log(`${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${f}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

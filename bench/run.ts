/**
 * `npm run bench`: P1-P4 and the memory figures, each in its own process, one after the other,
 * with modest defaults (a few minutes in all). Every figure is a ratio against a baseline
 * measured in the same run; absolute numbers depend on the machine and its load.
 *
 *   npm run bench [-- --only p1,p3] [-- --p1-rounds 7 ...]   (flags are passed to every script)
 *
 * The soak is separate: `npm run bench:soak -- --minutes 10`.
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import os from 'node:os'
import path from 'node:path'
import { stringArg } from './lib/util'

const SCRIPTS: Array<{ id: string; file: string; execArgv: string[]; timeoutMs: number }> = [
  { id: 'p1', file: 'p1-overhead', execArgv: [], timeoutMs: 10 * 60_000 },
  { id: 'p2', file: 'p2-coalescing', execArgv: [], timeoutMs: 10 * 60_000 },
  { id: 'p3', file: 'p3-ratelimit', execArgv: [], timeoutMs: 10 * 60_000 },
  { id: 'p4', file: 'p4-login', execArgv: [], timeoutMs: 10 * 60_000 },
  { id: 'memory', file: 'memory', execArgv: ['--expose-gc'], timeoutMs: 5 * 60_000 },
]

async function main(): Promise<void> {
  const only = stringArg('only', undefined)?.split(',')
  const compiled = __filename.endsWith('.js')
  console.log(
    `passport-lexoffice benchmarks, ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  )
  let failed = 0
  for (const s of SCRIPTS) {
    if (only && !only.includes(s.id)) continue
    const t0 = Date.now()
    const child = fork(path.join(__dirname, `${s.file}${compiled ? '.js' : '.ts'}`), process.argv.slice(2), {
      execArgv: compiled ? s.execArgv : [...s.execArgv, '-r', 'ts-node/register/transpile-only'],
      stdio: 'inherit',
    })
    const timer = setTimeout(() => {
      console.error(`${s.id}: still running after ${s.timeoutMs / 60_000} min, stopping it`)
      child.kill('SIGTERM')
    }, s.timeoutMs)
    const [code] = (await once(child, 'exit')) as [number | null]
    clearTimeout(timer)
    if (code !== 0) failed++
    console.log(`(${s.id}: ${((Date.now() - t0) / 1000).toFixed(0)} s${code === 0 ? '' : `, exit code ${code}`})`)
  }
  process.exitCode = failed === 0 ? 0 : 1
}

void main()

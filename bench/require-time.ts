/**
 * Require time of the main entry against passport-oauth2 (issue 15: at most 1.5x). Each sample is
 * a fresh `node` process that times one `require()` of the built entry (`npm run build` first) or
 * of passport-oauth2 with `process.hrtime` (Node's own start-up is outside the figure). Rounds
 * interleave both, alternating which goes first; the run is repeated. Printed: every round, the
 * median per repetition, and the median of the per-round ratios (the headline) with 3 decimals.
 *
 *   node -r ts-node/register/transpile-only bench/require-time.ts [--rounds 21] [--repeats 3]
 */
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { numberArg } from './lib/util'

const root = path.resolve(__dirname, __filename.endsWith('.js') ? '../../../..' : '..')
const targets = { 'passport-lexoffice': path.join(root, 'dist', 'index.js'), 'passport-oauth2': require.resolve('passport-oauth2') }

function sample(file: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6))`
  return Number(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }))
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

function main(): void {
  const rounds = numberArg('rounds', 21)
  const repeats = numberArg('repeats', 3)
  console.log(`require time, ${rounds} interleaved rounds x ${repeats}, node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`)
  const allRatios: number[] = []
  for (let r = 0; r < repeats; r++) {
    const ours: number[] = []
    const theirs: number[] = []
    for (let i = 0; i < rounds; i++) {
      if (i % 2 === 0) {
        ours.push(sample(targets['passport-lexoffice']))
        theirs.push(sample(targets['passport-oauth2']))
      } else {
        theirs.push(sample(targets['passport-oauth2']))
        ours.push(sample(targets['passport-lexoffice']))
      }
    }
    const ratios = ours.map((o, i) => o / theirs[i])
    allRatios.push(...ratios)
    console.log(`repeat ${r + 1}: passport-lexoffice ms ${ours.map((x) => x.toFixed(1)).join(' ')}`)
    console.log(`          passport-oauth2 ms    ${theirs.map((x) => x.toFixed(1)).join(' ')}`)
    console.log(`          ratio per round       ${ratios.map((x) => x.toFixed(3)).join(' ')}`)
    console.log(
      `          median: ${median(ours).toFixed(1)} ms vs ${median(theirs).toFixed(1)} ms, median ratio ${median(ratios).toFixed(3)}`,
    )
  }
  console.log(`median ratio over all ${allRatios.length} rounds: ${median(allRatios).toFixed(3)} (goal <= 1.500)`)
}

main()

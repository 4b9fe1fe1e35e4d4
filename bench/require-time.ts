/**
 * Require time of the main entry against passport-oauth2 (issue 15: at most 1.5x). Each sample is
 * a fresh `node` process that times one `require()` of the built entry (`npm run build` first) or
 * of passport-oauth2 with `process.hrtime` (Node's own start-up is outside the figure). Rounds
 * interleave both, alternating which goes first; the run is repeated. Printed: every round, the
 * median per repetition, and the median of the per-round ratios (the headline) with 3 decimals.
 * The entry loads its modules on first use (scripts/lazy-entry.mjs); the first-use figure shows
 * what reading `createLexoffice` and `LexofficeStrategy` then costs, against the same baseline.
 *
 *   node -r ts-node/register/transpile-only bench/require-time.ts [--rounds 21] [--repeats 3]
 */
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { numberArg } from './lib/util'

const root = path.resolve(__dirname, __filename.endsWith('.js') ? '../../../..' : '..')
const targets = { 'passport-lexoffice': path.join(root, 'dist', 'index.js'), 'passport-oauth2': require.resolve('passport-oauth2') }

// `touch` reads exports after the require: the main entry loads its modules on first use, so the
// "first use" figure (require, then read createLexoffice and LexofficeStrategy) is printed too.
function sample(file: string, touch = ''): number {
  const script = `const t = process.hrtime.bigint(); const m = require(${JSON.stringify(file)}); ${touch}; process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6))`
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
  const allFirstUse: number[] = []
  const touch = 'void [m.createLexoffice, m.LexofficeStrategy]'
  for (let r = 0; r < repeats; r++) {
    const ours: number[] = []
    const firstUse: number[] = []
    const theirs: number[] = []
    for (let i = 0; i < rounds; i++) {
      const runs = [
        () => ours.push(sample(targets['passport-lexoffice'])),
        () => firstUse.push(sample(targets['passport-lexoffice'], touch)),
        () => theirs.push(sample(targets['passport-oauth2'])),
      ]
      // Rotate the order every round, so that no target always runs first.
      for (let k = 0; k < runs.length; k++) runs[(i + k) % runs.length]()
    }
    const ratios = ours.map((o, i) => o / theirs[i])
    const firstUseRatios = firstUse.map((o, i) => o / theirs[i])
    allRatios.push(...ratios)
    allFirstUse.push(...firstUseRatios)
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(' ')
    const ratio = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(' ')
    console.log(`repeat ${r + 1}: passport-lexoffice ms           ${ms(ours)}`)
    console.log(`          passport-lexoffice first use ms ${ms(firstUse)}`)
    console.log(`          passport-oauth2 ms              ${ms(theirs)}`)
    console.log(`          ratio per round                 ${ratio(ratios)}`)
    console.log(`          first-use ratio per round       ${ratio(firstUseRatios)}`)
    console.log(
      `          medians: ${median(ours).toFixed(1)} ms, first use ${median(firstUse).toFixed(1)} ms, passport-oauth2 ${median(theirs).toFixed(1)} ms; ` +
        `ratio ${median(ratios).toFixed(3)}, first-use ratio ${median(firstUseRatios).toFixed(3)}`,
    )
  }
  console.log(`median ratio over all ${allRatios.length} rounds: ${median(allRatios).toFixed(3)} (goal <= 1.500)`)
  console.log(`median first-use ratio (require, then read createLexoffice and LexofficeStrategy): ${median(allFirstUse).toFixed(3)}`)
}

main()

/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per package / file, and
 * the inclusive time of frames from this package's `lib/`. Used to explain a missed goal.
 *
 *   node -r ts-node/register/transpile-only bench/lib/cpuprofile.ts <file.cpuprofile> [topN]
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

/** Groups a script URL: node_modules/<pkg>, lib/<file>, node internals, or the file itself. */
export function bucketOf(url: string): string {
  if (url === '') return '(native/program/gc)'
  const built = url.indexOf('/passport-lexoffice-bench/')
  if (built >= 0) return url.slice(built + '/passport-lexoffice-bench/'.length)
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return `pkg ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`
  }
  if (url.startsWith('node:')) return 'node internals'
  const lib = url.indexOf('/lib/')
  if (lib >= 0 && url.includes('/work/')) return `lib/${url.slice(lib + 5)}`
  return url.replace(/^file:\/\//, '')
}

/** Self time (ms) per bucket, and total sampled time. */
export function summarise(profile: CpuProfile): { total: number; byBucket: Map<string, number>; byFunction: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (deltas[i] ?? 0) / 1000)
  const byBucket = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let total = 0
  for (const [id, ms] of self) {
    const node = byId.get(id)!
    const bucket = node.callFrame.functionName === '(idle)' ? '(idle)' : bucketOf(node.callFrame.url)
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + ms)
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${bucketOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms)
    if (bucket !== '(idle)') total += ms
  }
  return { total, byBucket, byFunction }
}

if (require.main === module) {
  const file = process.argv[2]
  if (!file) throw new Error('usage: cpuprofile.ts <file.cpuprofile> [topN]')
  const top = Number(process.argv[3] ?? 25)
  const { total, byBucket, byFunction } = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)
  console.log(`busy (non-idle) sampled time: ${total.toFixed(0)} ms`)
  for (const [b, ms] of [...byBucket].sort((a, c) => c[1] - a[1]).slice(0, top))
    console.log(`${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${b}`)
  console.log('--- top functions (self) ---')
  for (const [f, ms] of [...byFunction].sort((a, c) => c[1] - a[1]).slice(0, top))
    console.log(`${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${f}`)
}

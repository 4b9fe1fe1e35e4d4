/**
 * `passport-lexoffice/redis` is a separate entry so apps without Redis never load Redis code:
 * the main entry must not load the Redis store or lock, and neither entry may load a Redis
 * client package (the user passes their own client in). Checked in a fresh Node process.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(__dirname, '../../..')

function loadedAfter(entry: string): string[] {
  const script = `require(${JSON.stringify(entry)});
process.stdout.write(JSON.stringify(Object.keys(require.cache).map((k) => require('path').relative(${JSON.stringify(root)}, k))))`
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: root, encoding: 'utf8' })
  return JSON.parse(out) as string[]
}

const redisPackage = /node_modules[\\/](redis|ioredis|@redis)[\\/]/

test('the main entry loads neither the Redis store/lock nor a Redis client package', () => {
  const loaded = loadedAfter('./lib/index')
  expect(loaded.some((f) => f.startsWith('lib/tokens/stores/MemoryTokenStore'))).toBe(true)
  expect(loaded.filter((f) => redisPackage.test(f))).toEqual([])
  expect(loaded.filter((f) => /RedisTokenStore|RedisLock/.test(f))).toEqual([])
}, 60_000)

test('the redis entry exports the store and lock without loading a Redis client package', () => {
  const loaded = loadedAfter('./lib/redis')
  expect(loaded).toEqual(expect.arrayContaining(['lib/redis/RedisTokenStore.ts', 'lib/redis/RedisLock.ts']))
  expect(loaded.filter((f) => redisPackage.test(f))).toEqual([])
}, 60_000)

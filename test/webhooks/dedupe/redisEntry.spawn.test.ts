/**
 * RedisWebhookDedupeStore lives behind `passport-lexoffice/redis`: the main entry must not load
 * it, and the redis entry exports it (checked in a fresh Node process, as a user would load them).
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(__dirname, '../../..')

test('the main entry exports the memory store only; the redis entry exports the Redis store', () => {
  const script = `const main = require('./lib/index');
const loadedByMain = Object.keys(require.cache).filter((k) => /RedisWebhookDedupeStore/.test(k)).length;
const redis = require('./lib/redis');
process.stdout.write(JSON.stringify({
  loadedByMain,
  main: [typeof main.MemoryWebhookDedupeStore, typeof main.RedisWebhookDedupeStore],
  redis: [typeof redis.RedisWebhookDedupeStore, typeof redis.RedisTokenStore],
}))`
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: root, encoding: 'utf8' })
  expect(JSON.parse(out)).toEqual({ loadedByMain: 0, main: ['function', 'undefined'], redis: ['function', 'function'] })
}, 60_000)

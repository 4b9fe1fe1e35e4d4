import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import path from 'node:path'
import { createInterface } from 'node:readline'
import type Redis from 'ioredis'
import { createClient } from 'redis'
import { RedisRateLimiter } from '../../lib/redis/RedisRateLimiter'
import { stopChild } from '../helpers/stopChild'
import { connectRedis, deletePrefix, REDIS_URL, uniquePrefix } from './helpers/redis'
import { startTestServer, strictBucket, type TestServer } from './helpers/testServer'

/**
 * Pacing through Redis. In-process pacing is proven on the limiter's schedule in pacing.test.ts;
 * here, the end-to-end truth across processes: a server enforcing a strict token bucket like
 * lexoffice's (SERVER_RATE per second, burst 1) answers 429 to anything faster, and we count
 * the 429s. The client paces at a quarter of the server's rate, and the shared-budget test's bucket
 * holds 2: a process stalled on a busy machine (stalls over 150 ms were seen at load 12, each a
 * false 429 with burst 1) bunches one request onto the next, which the second token absorbs; only
 * stalls in two processes at once could still produce one. Unshared pacing overflows it (three
 * first calls at once); the unshared control keeps burst 1.
 * Pacing controls when requests leave; a first request that is slow to leave (here: Node
 * loading fetch) shortens the gap to the next one, which is why every process warms up first.
 */
const SERVER_RATE = 20
const CLIENT_RATE = 5

let server: TestServer
let bucket = strictBucket(SERVER_RATE, 1)
let rejected = 0
beforeAll(async () => {
  server = await startTestServer((req) => {
    if (req.path === '/warmup') return { status: 204 }
    if (bucket.take()) return { status: 200, body: { organizationId: 'org' } }
    rejected++
    return { status: 429, body: { message: 'Rate limit exceeded' } }
  })
})
afterAll(() => server.close())
beforeEach(async () => {
  // Node loads its fetch implementation lazily: the very first fetch of a process is delayed by
  // that, and would arrive right on the heels of the next one. Warm up outside the bucket.
  await fetch(`${server.url}/warmup`)
  bucket = strictBucket(SERVER_RATE, 1)
  rejected = 0
  server.seen.length = 0
})

describe('RedisRateLimiter', () => {
  let redis: Redis
  const prefix = uniquePrefix()
  beforeAll(async () => {
    redis = await connectRedis()
  })
  afterAll(async () => {
    await deletePrefix(redis, prefix)
    redis.disconnect()
  })

  test('reserves slots on one schedule kept in Redis (Redis clock), with burst and penalty', async () => {
    const a = new RedisRateLimiter({ client: redis, ratePerSecond: 0.5, keyPrefix: prefix })
    const b = new RedisRateLimiter({ client: redis, ratePerSecond: 0.5, keyPrefix: prefix })
    // Two limiter objects (as in two processes) share the key's schedule: 0, ~2000, ~4000 ms.
    const waits = [await a.reserve('k1'), await b.reserve('k1'), await a.reserve('k1')]
    expect(waits[0]).toBe(0)
    expect(waits[1]).toBeGreaterThan(1000)
    expect(waits[1]).toBeLessThanOrEqual(2000)
    expect(waits[2]).toBeGreaterThan(3000)
    expect(waits[2]).toBeLessThanOrEqual(4000)
    expect(await a.reserve('other')).toBe(0)

    const burst = new RedisRateLimiter({ client: redis, ratePerSecond: 0.5, burst: 2, keyPrefix: prefix })
    expect([await burst.reserve('k2'), await burst.reserve('k2')]).toEqual([0, 0])
    expect(await burst.reserve('k2')).toBeGreaterThan(1000)

    await a.penalize('k3', 10_000)
    expect(await a.reserve('k3')).toBeGreaterThan(9000)
    const ttl = await redis.pttl(`${prefix}k3`)
    expect(ttl).toBeGreaterThan(0)
  })

  test('when Redis fails, pacing falls back to this process and onError is told', async () => {
    const errors: Error[] = []
    const broken = { call: async () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) }
    const limiter = new RedisRateLimiter({ client: broken, ratePerSecond: 0.5, keyPrefix: prefix, onError: (e) => errors.push(e) })
    expect(await limiter.reserve('down')).toBe(0)
    expect(await limiter.reserve('down')).toBeGreaterThan(1000)
    expect(errors.length).toBeGreaterThanOrEqual(2)
    expect(errors[0]).toBeInstanceOf(Error)
  })

  test('refuses a client that is neither node-redis nor ioredis', () => {
    expect(() => new RedisRateLimiter({ client: {} as never })).toThrow(TypeError)
  })

  test('works with a node-redis client too', async () => {
    const nodeRedis = createClient({ url: REDIS_URL })
    await nodeRedis.connect()
    try {
      const limiter = new RedisRateLimiter({ client: nodeRedis, ratePerSecond: 0.5, keyPrefix: prefix })
      expect(await limiter.reserve('node-redis')).toBe(0)
      expect(await limiter.reserve('node-redis')).toBeGreaterThan(1000)
    } finally {
      await nodeRedis.quit()
    }
  })
})

describe('cross-process pacing through Redis', () => {
  let redis: Redis
  const prefix = uniquePrefix()
  beforeAll(async () => {
    redis = await connectRedis()
  })
  afterAll(async () => {
    await deletePrefix(redis, prefix)
    redis.disconnect()
  })

  const WORKER = path.join(__dirname, 'helpers', 'pacedWorker.ts')
  interface Summary {
    ok: number
    rateLimited: number
    other: string[]
  }

  /** Starts `n` workers, waits until all are ready, releases them together, collects summaries. */
  async function runWorkers(n: number, calls: number, keyFor: (i: number) => string, burst: number): Promise<Summary[]> {
    const children: ChildProcessWithoutNullStreams[] = []
    const lines: Array<AsyncIterator<string>> = []
    try {
      for (let i = 0; i < n; i++) {
        const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', WORKER], {
          cwd: path.join(__dirname, '..', '..'),
          env: {
            ...process.env,
            REDIS_URL,
            API_URL: server.url,
            KEY_PREFIX: prefix,
            CONNECTION_KEY: keyFor(i),
            CALLS: String(calls),
            RATE: String(CLIENT_RATE),
          },
          stdio: 'pipe',
        })
        let stderr = ''
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        child.on('exit', (code) => {
          if (code) process.stderr.write(`worker ${i} exited ${code}: ${stderr}\n`)
        })
        children.push(child)
        lines.push(createInterface({ input: child.stdout })[Symbol.asyncIterator]())
      }
      for (const it of lines) expect((await it.next()).value).toBe('ready')
      bucket = strictBucket(SERVER_RATE, burst)
      rejected = 0
      server.seen.length = 0
      for (const child of children) child.stdin.write('go\n')
      const out: Summary[] = []
      for (const it of lines) out.push(JSON.parse(String((await it.next()).value)) as Summary)
      return out
    } finally {
      await Promise.all(children.map((child) => stopChild(child)))
    }
  }

  test('3 processes sharing one connection key and one Redis stay under the limit: 0 429s', async () => {
    const summaries = await runWorkers(3, 4, () => 'one-connection', 2)
    expect(summaries.map((s) => s.other)).toEqual([[], [], []])
    expect(summaries.reduce((n, s) => n + s.rateLimited, 0)).toBe(0)
    expect(summaries.reduce((n, s) => n + s.ok, 0)).toBe(12)
    expect(rejected).toBe(0)
    expect(server.seen).toHaveLength(12)
  }, 60_000)

  test('control: with separate keys (no shared budget) the same load trips the limit', async () => {
    const summaries = await runWorkers(3, 4, (i) => `own-connection-${i}`, 1)
    expect(summaries.reduce((n, s) => n + s.rateLimited, 0)).toBeGreaterThan(0)
    expect(rejected).toBeGreaterThan(0)
  }, 60_000)
})

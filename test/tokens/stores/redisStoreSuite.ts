/**
 * Everything the Redis store must do, run once per client library (node-redis, ioredis).
 */
import { inspect } from 'node:util'
import net from 'node:net'
import { createClient, createCluster } from 'redis'
import IORedis from 'ioredis'
import { RedisTokenStore } from '../../../lib/redis/RedisTokenStore'
import { TokenCipher } from '../../../lib/tokens/crypto/TokenCipher'
import type { TokenStore } from '../../../lib/tokens/TokenStore'
import { describeTokenStore, makeRecord, makeTokens } from '../../contract/tokenStore.contract'
import {
  connectClient,
  deletePrefix,
  startRedisProxy,
  uniquePrefix,
  unreachableClient,
  waitFor,
  type ClientKind,
  type TestClient,
} from './redisTestUtils'

export function describeRedisTokenStore(kind: ClientKind): void {
  const runPrefix = uniquePrefix(kind)
  let redis: TestClient
  let clientPromise: Promise<TestClient> | undefined
  // Connected lazily inside the first test's store factory / beforeAll; a connection failure fails the tests.
  const getClient = async (): Promise<TestClient> => {
    clientPromise ??= connectClient(kind)
    redis = await clientPromise
    return redis
  }
  const prefixOf = new WeakMap<TokenStore, string>()
  let n = 0

  const makeStore = async ({ encryption, sameDataAs }: { encryption?: TokenCipher; sameDataAs?: TokenStore }): Promise<RedisTokenStore> => {
    const { client } = await getClient()
    const prefix = sameDataAs ? prefixOf.get(sameDataAs)! : `${runPrefix}${++n}:`
    const store = new RedisTokenStore({ client, prefix, encryption: encryption ?? false })
    prefixOf.set(store, prefix)
    return store
  }

  afterAll(async () => {
    if (clientPromise === undefined) return
    const client = await clientPromise.catch(() => undefined)
    if (client === undefined) return
    await deletePrefix(client, runPrefix)
    await client.close()
  })

  describeTokenStore(`RedisTokenStore via ${kind}`, makeStore, undefined, {
    readRaw: async (store, key) => {
      const fields = await redis.send(['HGETALL', `${prefixOf.get(store)!}token:${key}`])
      const flat = Array.isArray(fields) ? fields : Object.entries(fields as Record<string, string>).flat()
      return flat.length === 0 ? undefined : flat.join(' ')
    },
  })

  describe(`RedisTokenStore via ${kind}: Redis specifics`, () => {
    beforeAll(getClient)

    test('layout: version and expiry are readable without decrypting; the encrypted record holds no token', async () => {
      const cipher = new TokenCipher({ keys: { k1: Buffer.alloc(32, 7) }, currentKeyId: 'k1' })
      const store = await makeStore({ encryption: cipher })
      const prefix = prefixOf.get(store)!
      const tokens = makeTokens()
      await store.set('u1', makeRecord(1, tokens), 0)
      const [v, d, e] = (await redis.send(['HMGET', `${prefix}token:u1`, 'v', 'd', 'e'])) as string[]
      expect(v).toBe('1')
      expect(Number(e)).toBe(tokens.expiresAt)
      expect(d).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
      expect(d).not.toContain(tokens.accessToken)
      expect(d).not.toContain(tokens.refreshToken)
      expect(Buffer.from(d.split('.')[3], 'base64url').toString('latin1')).not.toContain('RT-secret')
      expect(Number(await redis.send(['ZSCORE', `${prefix}due`, 'u1']))).toBe(tokens.expiresAt)
    })

    test('tombstones leave the due set and expire after tombstoneTtlMs; an active record over a tombstone does not expire', async () => {
      const { client } = await getClient()
      const prefix = `${runPrefix}tomb:`
      const store = new RedisTokenStore({ client, prefix, tombstoneTtlMs: 60_000, encryption: false })
      await store.set('u', makeRecord(1), 0)
      expect(Number(await redis.send(['PTTL', `${prefix}token:u`]))).toBe(-1)
      await store.set('u', { version: 2, state: 'lost', lost: { reason: 'invalid_grant', at: 1 }, refreshCount: 0, connectedAt: 1 }, 1)
      const pttl = Number(await redis.send(['PTTL', `${prefix}token:u`]))
      expect(pttl).toBeGreaterThan(50_000)
      expect(pttl).toBeLessThanOrEqual(60_000)
      expect(await redis.send(['ZSCORE', `${prefix}due`, 'u'])).toBeNull()
      await store.set('u', makeRecord(3), 2)
      expect(Number(await redis.send(['PTTL', `${prefix}token:u`]))).toBe(-1)
    })

    test('keys with glob characters are listed exactly; prefixes do not leak into each other', async () => {
      const { client } = await getClient()
      const a = new RedisTokenStore({ client, prefix: `${runPrefix}glob[*]:`, encryption: false })
      const b = new RedisTokenStore({ client, prefix: `${runPrefix}glob[*]x:`, encryption: false })
      await a.set('we*ird?[key]', makeRecord(1), 0)
      await b.set('other', makeRecord(1), 0)
      expect(await a.list()).toEqual(['we*ird?[key]'])
      expect(await a.listDue(Number.MAX_SAFE_INTEGER)).toEqual(['we*ird?[key]'])
    })

    test('scripts still run after SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
      const store = await makeStore({})
      await store.set('s', makeRecord(1), 0)
      await redis.send(['SCRIPT', 'FLUSH'])
      await expect(store.set('s', makeRecord(2), 1)).resolves.toBe(true)
      await expect(store.set('s', makeRecord(2), 1)).resolves.toBe(false)
    })

    test('rejects a missing client, an unsupported client and a client keyPrefix; takes Cluster clients (test/redisCluster)', () => {
      expect(() => new RedisTokenStore({} as never)).toThrow(TypeError)
      expect(() => new RedisTokenStore({ client: { get: () => undefined } as never, encryption: false })).toThrow(/node-redis|ioredis/)
      expect(
        () => new RedisTokenStore({ client: { call: async () => 'OK', options: { keyPrefix: 'x:' } } as never, encryption: false }),
      ).toThrow(/keyPrefix/)
      // Real (never connected) Cluster clients of both libraries.
      const cluster =
        kind === 'ioredis'
          ? new IORedis.Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true })
          : createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:1' }] })
      expect(() => new RedisTokenStore({ client: cluster, encryption: false })).not.toThrow()
      expect(() => new RedisTokenStore({ client: cluster, prefix: 'a}b{', encryption: false })).toThrow(/hash tag/)
    })

    test('Redis down: STORE_UNAVAILABLE (503) fast, no secret in the error; nothing lost once Redis is back', async () => {
      const good = await makeStore({})
      const prefix = prefixOf.get(good)!
      const record = makeRecord(1)
      await good.set('down', record, 0)

      const offline = await unreachableClient(kind)
      const down = new RedisTokenStore({ client: offline.client, prefix, encryption: false })
      const newer = makeRecord(2, makeTokens({ refreshToken: 'RT-secret-written-while-down' }))
      const started = Date.now()
      const failures = await Promise.all([
        down.get('down').catch((e: unknown) => e),
        down.set('down', newer, 1).catch((e: unknown) => e),
        down.destroy('down').catch((e: unknown) => e),
        down.listDue(Date.now()).catch((e: unknown) => e),
        down.list().catch((e: unknown) => e),
        down
          .createLock()
          .tryAcquire('down', 1000)
          .catch((e: unknown) => e),
      ])
      expect(Date.now() - started).toBeLessThan(1000)
      for (const err of failures) {
        expect(err).toMatchObject({ name: 'LexofficeError', code: 'STORE_UNAVAILABLE', status: 503 })
        expect((err as Error).cause).toBeInstanceOf(Error)
        const text = `${inspect(err, { depth: 5, showHidden: true })} ${JSON.stringify(err)} ${(err as Error).stack}`
        expect(text).not.toContain('RT-secret')
        expect(text).not.toContain(record.tokens!.accessToken)
      }
      offline.close()

      // "Redis is back": a working client on the same data finds the record unchanged and writable.
      await expect(good.get('down')).resolves.toEqual(record)
      await expect(good.set('down', makeRecord(2), 1)).resolves.toBe(true)
    })

    test('Redis goes away mid-life and comes back: the same fail-fast client gets STORE_UNAVAILABLE at once, then works again with every record intact', async () => {
      const proxy = await startRedisProxy()
      const viaProxy = await connectClient(kind, proxy.url, true)
      try {
        const prefix = `${runPrefix}outage:`
        const store = new RedisTokenStore({ client: viaProxy.client, prefix, encryption: false })
        const record = makeRecord(1)
        await store.set('k', record, 0)
        proxy.down()
        const started = Date.now()
        // Every call fails fast while Redis is away (the deadline is 5 s; this must be far below it).
        for (let i = 0; i < 10; i++) {
          await expect(store.get('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 })
          await expect(store.set('k', makeRecord(2), 1)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
        }
        expect(Date.now() - started).toBeLessThan(2000)
        // After several refused reconnect attempts, calls still fail at once.
        await waitFor(async () => proxy.refused >= 3, 5000, 25)
        const later = Date.now()
        await expect(store.get('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
        expect(Date.now() - later).toBeLessThan(500)
        proxy.up()
        // Back: the same client reconnects by itself (poll, no fixed sleep).
        await waitFor(async () => (await store.get('k').catch(() => 'down')) !== 'down', 5000, 25)
        await expect(store.get('k')).resolves.toEqual(record)
        await expect(store.set('k', makeRecord(2), 1)).resolves.toBe(true)
      } finally {
        await viaProxy.close()
        await proxy.close()
      }
    })

    test('two clients (two app instances) race 20 compare-and-set writes: exactly one wins', async () => {
      const second = await connectClient(kind)
      try {
        const prefix = `${runPrefix}race:`
        const a = new RedisTokenStore({ client: redis.client, prefix, encryption: false })
        const b = new RedisTokenStore({ client: second.client, prefix, encryption: false })
        await a.set('k', makeRecord(1), 0)
        const candidates = Array.from({ length: 20 }, () => makeRecord(2))
        const results = await Promise.all(candidates.map((r, i) => (i % 2 ? a : b).set('k', r, 1)))
        expect(results.filter(Boolean)).toHaveLength(1)
        await expect(b.get('k')).resolves.toEqual(candidates[results.indexOf(true)])
      } finally {
        await second.close()
      }
    })

    test('a Redis that accepts the connection but never answers: the command deadline turns the hang into STORE_UNAVAILABLE', async () => {
      // A loopback server that accepts and then stays silent (a black-holed Redis).
      const sockets = new Set<net.Socket>()
      const silent = net.createServer((s) => {
        sockets.add(s)
        s.on('error', () => undefined)
      })
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      const { port } = silent.address() as net.AddressInfo
      // The client as many apps configure it: defaults, i.e. commands queue while the connection is not ready.
      const queueing =
        kind === 'node-redis'
          ? createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 60_000 } })
          : new IORedis(port, '127.0.0.1', { lazyConnect: true, connectTimeout: 60_000 })
      queueing.on('error', () => undefined)
      const connecting = queueing.connect()
      void Promise.resolve(connecting).catch(() => undefined)
      try {
        const store = new RedisTokenStore({ client: queueing, commandTimeoutMs: 200, encryption: false })
        const started = Date.now()
        await expect(store.get('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 })
        await expect(store.set('k', makeRecord(1), 0)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
        await expect(store.createLock().tryAcquire('k', 1000)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
        expect(Date.now() - started).toBeLessThan(2000)
      } finally {
        if (queueing instanceof IORedis) queueing.disconnect()
        else queueing.destroy()
        for (const s of sockets) s.destroy()
        await new Promise<void>((resolve) => silent.close(() => resolve()))
      }
    })
  })
}

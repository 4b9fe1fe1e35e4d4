/**
 * RedisWebhookDedupeStore against the real Redis at REDIS_URL, with node-redis and ioredis.
 * Every test uses its own random key prefix; TTL expiry is observed by polling Redis, never by
 * sleeping a fixed time.
 */
import { inspect } from 'node:util'
import { LexofficeError } from '../../../lib/errors'
import { RedisWebhookDedupeStore } from '../../../lib/redis'
import {
  connectClient,
  deletePrefix,
  startRedisProxy,
  uniquePrefix,
  unreachableClient,
  waitFor,
  type ClientKind,
  type TestClient,
} from '../../tokens/stores/redisTestUtils'

describe.each<ClientKind>(['node-redis', 'ioredis'])('RedisWebhookDedupeStore with %s', (kind) => {
  let a: TestClient
  let b: TestClient
  let prefix: string
  beforeAll(async () => {
    a = await connectClient(kind)
    b = await connectClient(kind === 'node-redis' ? 'ioredis' : 'node-redis')
  })
  beforeEach(() => {
    prefix = uniquePrefix('webhook-dedupe')
  })
  afterEach(async () => {
    await deletePrefix(a, prefix)
  })
  afterAll(async () => {
    await a.close()
    await b.close()
  })

  test('a claim is SET <prefix><eventId> <random token> NX PX <ttl>', async () => {
    const store = new RedisWebhookDedupeStore({ client: a.client, prefix })
    const claim = await store.claim('org|invoice.created|res|2024-01-01T00:00:00.000Z', 60_000)
    expect(claim).toEqual({ release: expect.any(Function) })
    const key = `${prefix}org|invoice.created|res|2024-01-01T00:00:00.000Z`
    expect(await a.send(['GET', key])).toMatch(/^[0-9a-f]{32}$/)
    const pttl = Number(await a.send(['PTTL', key]))
    expect(pttl).toBeGreaterThan(55_000)
    expect(pttl).toBeLessThanOrEqual(60_000)
  })

  test('the default prefix is lexoffice:webhook:', async () => {
    const store = new RedisWebhookDedupeStore({ client: a.client })
    const id = `${prefix}default-prefix-check`
    const claim = await store.claim(id, 60_000)
    try {
      expect(Number(await a.send(['EXISTS', `lexoffice:webhook:${id}`]))).toBe(1)
    } finally {
      await claim!.release()
    }
    expect(Number(await a.send(['EXISTS', `lexoffice:webhook:${id}`]))).toBe(0)
  })

  test('two processes (two clients) claiming the same id at once: exactly one wins', async () => {
    const storeA = new RedisWebhookDedupeStore({ client: a.client, prefix })
    const storeB = new RedisWebhookDedupeStore({ client: b.client, prefix })
    for (let round = 0; round < 10; round += 1) {
      const id = `race-${round}`
      const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? storeA : storeB).claim(id, 60_000)))
      expect(claims.filter((c) => c !== undefined)).toHaveLength(1)
    }
  })

  test('release() frees the id for the next claim, from any process', async () => {
    const storeA = new RedisWebhookDedupeStore({ client: a.client, prefix })
    const storeB = new RedisWebhookDedupeStore({ client: b.client, prefix })
    const claim = await storeA.claim('e1', 60_000)
    expect(await storeB.claim('e1', 60_000)).toBeUndefined()
    await claim!.release()
    expect(Number(await a.send(['EXISTS', `${prefix}e1`]))).toBe(0)
    expect(await storeB.claim('e1', 60_000)).toBeDefined()
  })

  test('the TTL ends a claim: the key disappears and the id can be claimed again', async () => {
    const store = new RedisWebhookDedupeStore({ client: a.client, prefix })
    expect(await store.claim('short', 150)).toBeDefined()
    expect(await store.claim('short', 150)).toBeUndefined()
    const pttl = Number(await a.send(['PTTL', `${prefix}short`]))
    expect(pttl).toBeGreaterThan(0)
    expect(pttl).toBeLessThanOrEqual(150)
    await waitFor(async () => Number(await a.send(['EXISTS', `${prefix}short`])) === 0)
    expect(await store.claim('short', 60_000)).toBeDefined()
  })

  test('a late release of an expired claim does not delete the claim another process made since', async () => {
    const storeA = new RedisWebhookDedupeStore({ client: a.client, prefix })
    const storeB = new RedisWebhookDedupeStore({ client: b.client, prefix })
    const stale = await storeA.claim('e1', 100)
    await waitFor(async () => Number(await a.send(['EXISTS', `${prefix}e1`])) === 0)
    const fresh = await storeB.claim('e1', 60_000)
    expect(fresh).toBeDefined()
    const token = await a.send(['GET', `${prefix}e1`])
    await stale!.release()
    expect(await a.send(['GET', `${prefix}e1`])).toBe(token)
    expect(await storeA.claim('e1', 60_000)).toBeUndefined()
  })

  test('Redis unreachable: claim rejects at once with STORE_UNAVAILABLE (503), naming the dedupe store, no address', async () => {
    const offline = await unreachableClient(kind)
    try {
      const store = new RedisWebhookDedupeStore({ client: offline.client, prefix })
      const err = await store.claim('e1', 60_000).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(LexofficeError)
      expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503, message: 'The webhook dedupe store (Redis) is unavailable.' })
      expect((err as Error).cause).toBeInstanceOf(Error)
      expect(JSON.stringify(err)).toBe(
        '{"name":"LexofficeError","code":"STORE_UNAVAILABLE","message":"The webhook dedupe store (Redis) is unavailable.","status":503}',
      )
    } finally {
      offline.close()
    }
  })

  test('Redis goes away after a claim: release() rejects with STORE_UNAVAILABLE and the claim stays until its TTL', async () => {
    const proxy = await startRedisProxy()
    const viaProxy = await connectClient(kind, proxy.url, true)
    try {
      const store = new RedisWebhookDedupeStore({ client: viaProxy.client, prefix, commandTimeoutMs: 2000 })
      const claim = await store.claim('e1', 60_000)
      proxy.down()
      await expect(claim!.release()).rejects.toMatchObject({ name: 'LexofficeError', code: 'STORE_UNAVAILABLE' })
      expect(Number(await a.send(['EXISTS', `${prefix}e1`]))).toBe(1)
      // Back: the same client reconnects by itself, and the claim was never lost.
      proxy.up()
      await waitFor(async () => (await store.claim('e2', 60_000).catch(() => 'down')) !== 'down', 5000, 25)
      expect(await store.claim('e1', 60_000)).toBeUndefined()
    } finally {
      await viaProxy.close()
      await proxy.close()
    }
  })

  test('bad options and arguments: TypeError naming them', async () => {
    expect(() => new RedisWebhookDedupeStore({} as never)).toThrow(/"client" must be a node-redis or ioredis client/)
    expect(() => new RedisWebhookDedupeStore({ client: a.client, prefix: '' })).toThrow(/"prefix" must not be empty/)
    expect(() => new RedisWebhookDedupeStore({ client: a.client, commandTimeoutMs: 0 })).toThrow(/"commandTimeoutMs"/)
    expect(() => new RedisWebhookDedupeStore({ client: a.client, ttlMs: 5 } as never)).toThrow(
      /unknown RedisWebhookDedupeStore option "ttlMs"/,
    )
    const store = new RedisWebhookDedupeStore({ client: a.client, prefix })
    await expect(store.claim('', 1000)).rejects.toThrow(/"eventId" must not be empty/)
    await expect(store.claim('e', 0)).rejects.toThrow(/"ttlMs"/)
    expect(inspect(store)).not.toMatch(/sendCommand|password/)
  })
})

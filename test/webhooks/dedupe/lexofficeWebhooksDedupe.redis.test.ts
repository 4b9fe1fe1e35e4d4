/**
 * Two webhook "processes" (two Express apps on port 0, each with its own Redis client: one
 * node-redis, one ioredis) share one real Redis through RedisWebhookDedupeStore, as instances
 * behind a load balancer would. lexoffice's repeated delivery may land on either.
 */
import { inspect } from 'node:util'
import { createClient } from 'redis'
import { RedisWebhookDedupeStore } from '../../../lib/redis'
import {
  closedPort,
  connectClient,
  deletePrefix,
  startRedisProxy,
  uniquePrefix,
  waitFor,
  type TestClient,
} from '../../tokens/stores/redisTestUtils'
import { makeDelivery, startInstance, type Instance } from './helpers'

let nodeRedis: TestClient
let ioredis: TestClient
let prefix: string
const started: Instance[] = []

async function start(...args: Parameters<typeof startInstance>): Promise<Instance> {
  const instance = await startInstance(...args)
  started.push(instance)
  return instance
}

/** Two processes sharing Redis under this test's prefix. */
async function twoProcesses(extra: Parameters<typeof startInstance>[0] = {}): Promise<[Instance, Instance]> {
  return Promise.all([
    start({ dedupe: new RedisWebhookDedupeStore({ client: nodeRedis.client, prefix }), ...extra }),
    start({ dedupe: new RedisWebhookDedupeStore({ client: ioredis.client, prefix }), ...extra }),
  ])
}

const exists = async (key: string): Promise<boolean> => Number(await nodeRedis.send(['EXISTS', key])) === 1

beforeAll(async () => {
  nodeRedis = await connectClient('node-redis')
  ioredis = await connectClient('ioredis')
})
beforeEach(() => {
  prefix = uniquePrefix('webhook-handler')
})
afterEach(async () => {
  await Promise.all(started.splice(0).map((instance) => instance.close()))
  await deletePrefix(nodeRedis, prefix)
})
afterAll(async () => {
  await nodeRedis.close()
  await ioredis.close()
})

test('the same signed delivery to both processes, one after the other: the handler runs exactly once', async () => {
  const [a, b] = await twoProcesses()
  const delivery = makeDelivery()
  expect(await a.deliver(delivery)).toBe(204)
  expect(await b.deliver(delivery)).toBe(204) // a repeat: still acknowledged, so lexoffice stops retrying
  await Promise.all([a.drain(), b.drain()])
  expect(a.handled(delivery) + b.handled(delivery)).toBe(1)
  expect(a.handled(delivery)).toBe(1)
  // The claim is in Redis under the configured prefix, keyed by ids only.
  expect(await nodeRedis.send(['KEYS', `${prefix}*|invoice.changed|*`])).toEqual([`${prefix}${delivery.eventId}`])
})

test('25 events, each delivered twice to each process at the same time: every event is handled exactly once', async () => {
  const [a, b] = await twoProcesses()
  const deliveries = Array.from({ length: 25 }, () => makeDelivery())
  const statuses = await Promise.all(deliveries.flatMap((d) => [a.deliver(d), b.deliver(d), a.deliver(d), b.deliver(d)]))
  expect(new Set(statuses)).toEqual(new Set([204]))
  await Promise.all([a.drain(), b.drain()])
  expect(deliveries.map((d) => a.handled(d) + b.handled(d))).toEqual(deliveries.map(() => 1))
  expect(a.onError.calls).toEqual([])
  expect(b.onError.calls).toEqual([])
})

test('a failed handler releases the claim: the repeat on the other process runs it; a successful one keeps it', async () => {
  const [a, b] = await twoProcesses()
  a.onEvent.impl = () => Promise.reject(new Error('handler broke'))
  const failed = makeDelivery()
  await a.deliver(failed)
  expect((await a.onError.call(1))[1].stage).toBe('onEvent')
  await waitFor(async () => !(await exists(`${prefix}${failed.eventId}`)))
  await b.deliver(failed)
  await b.drain()
  expect(b.handled(failed)).toBe(1)
  expect(await exists(`${prefix}${failed.eventId}`)).toBe(true) // b succeeded: claimed again

  a.onEvent.impl = () => undefined
  const succeeded = makeDelivery()
  await a.deliver(succeeded)
  await a.drain()
  await b.deliver(succeeded)
  await b.drain()
  expect([a.handled(succeeded), b.handled(succeeded)]).toEqual([1, 0])
})

test('the claim lives in Redis as long as the event is accepted (default 48 h + 5 min), or dedupeTtlMs', async () => {
  const HOUR = 3_600_000
  const [a] = await twoProcesses()
  const delivery = makeDelivery()
  await a.deliver(delivery)
  await a.onEvent.call(1)
  const pttl = Number(await nodeRedis.send(['PTTL', `${prefix}${delivery.eventId}`]))
  expect(pttl).toBeGreaterThan(48 * HOUR)
  expect(pttl).toBeLessThanOrEqual(48 * HOUR + 5 * 60_000)
  const [c] = await twoProcesses({ maxEventAgeMs: HOUR, maxClockSkewMs: 0, dedupeTtlMs: 3 * HOUR })
  const other = makeDelivery()
  await c.deliver(other)
  await c.onEvent.call(1)
  const custom = Number(await nodeRedis.send(['PTTL', `${prefix}${other.eventId}`]))
  expect(custom).toBeGreaterThan(2 * HOUR)
  expect(custom).toBeLessThanOrEqual(3 * HOUR)
})

describe('Redis down: the handler still runs, onError gets STORE_UNAVAILABLE without any secret', () => {
  const SECRET = 's3cret-redis-pass'

  async function check(instance: Instance): Promise<void> {
    const delivery = makeDelivery()
    expect(await instance.deliver(delivery)).toBe(204)
    const [event] = await instance.onEvent.call(1)
    expect(event.resourceId).toBe(delivery.resourceId)
    const [err, info] = await instance.onError.call(1)
    expect(err).toMatchObject({
      name: 'LexofficeError',
      code: 'STORE_UNAVAILABLE',
      status: 503,
      message: 'The webhook dedupe store (Redis) is unavailable.',
    })
    expect(info).toEqual({ stage: 'dedupe', event: expect.objectContaining({ resourceId: delivery.resourceId }) })
    for (const text of [JSON.stringify(err), inspect(err, { depth: 10, showHidden: true }), String((err as Error).cause)]) {
      expect(text).not.toContain(SECRET)
      expect(text).not.toContain('redis://')
    }
    // No duplicate check while Redis is away: a repeat runs again rather than being lost.
    await instance.deliver(delivery)
    await instance.drain()
    expect(instance.handled(delivery)).toBe(2)
  }

  test('node-redis client pointed at a port with nothing listening (password in the URL)', async () => {
    const client = createClient({
      url: `redis://default:${SECRET}@127.0.0.1:${await closedPort()}`,
      disableOfflineQueue: true,
      socket: { connectTimeout: 500, reconnectStrategy: false },
    })
    client.on('error', () => undefined)
    await client.connect().catch(() => undefined)
    try {
      await check(await start({ dedupe: new RedisWebhookDedupeStore({ client, prefix }) }))
    } finally {
      if (client.isOpen) client.destroy()
    }
  })

  test('ioredis client that was connected and then disconnected', async () => {
    const client = await connectClient('ioredis')
    await client.close()
    await check(await start({ dedupe: new RedisWebhookDedupeStore({ client: client.client, prefix }) }))
  })

  test('Redis goes away after the claim: the failed handler cannot release it, and that is reported too', async () => {
    const proxy = await startRedisProxy()
    const viaProxy = await connectClient('node-redis', proxy.url, true)
    try {
      const instance = await start({ dedupe: new RedisWebhookDedupeStore({ client: viaProxy.client, prefix }) })
      let fail!: () => void
      instance.onEvent.impl = () =>
        new Promise<void>((_, reject) => {
          fail = () => reject(new Error('handler broke'))
        })
      const delivery = makeDelivery()
      await instance.deliver(delivery)
      await instance.onEvent.call(1) // claimed, the handler is running
      proxy.down()
      fail()
      const [err, info] = await instance.onError.call(2)
      expect(instance.onError.calls[0][1].stage).toBe('onEvent')
      expect(info.stage).toBe('dedupe')
      expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' })
      expect(await exists(`${prefix}${delivery.eventId}`)).toBe(true) // held until its TTL
      proxy.up()
      await waitFor(async () => (await viaProxy.send(['PING']).catch(() => 'down')) === 'PONG', 5000, 25)
    } finally {
      await viaProxy.close()
      await proxy.close()
    }
  })
})

/**
 * Everything on Redis works on a Redis Cluster: a local cluster of three masters (started here,
 * stopped after), reached through node-redis `createCluster` and ioredis `Cluster`. The token
 * store (shared contract suite), its lock, the rate limiter, the webhook dedupe store and
 * TokenManager's single refresh across clients.
 */
import { randomBytes } from 'node:crypto'
import { createCluster } from 'redis'
import IORedis from 'ioredis'
import { RedisRateLimiter } from '../../lib/redis/RedisRateLimiter'
import { createSandbox } from '../../lib/sandbox'
import { RedisLock } from '../../lib/redis/RedisLock'
import { RedisTokenStore } from '../../lib/redis/RedisTokenStore'
import type { RedisClientLike } from '../../lib/redis/redisAdapter'
import { TokenManager } from '../../lib/tokens/TokenManager'
import type { TokenCipher } from '../../lib/tokens/crypto/TokenCipher'
import type { TokenStore } from '../../lib/tokens/TokenStore'
import { RedisWebhookDedupeStore } from '../../lib/redis/RedisWebhookDedupeStore'
import { describeTokenStore, makeRecord } from '../contract/tokenStore.contract'
import { connectViaSandbox, expiring, oauthClientFor } from '../helpers/connect'
import { startRedisCluster, type LocalRedisCluster } from '../helpers/redisCluster'
import { TEST_ENCRYPTION } from '../helpers/encryption'

jest.setTimeout(60_000)

type Kind = 'node-redis' | 'ioredis'
interface ClusterClient {
  client: RedisClientLike
  /** Sends a command routed by `key` (test side only). */
  send(key: string, args: string[]): Promise<unknown>
  close(): Promise<void>
}

let starting: Promise<LocalRedisCluster> | undefined
const clients: ClusterClient[] = []
const local = (): Promise<LocalRedisCluster> => (starting ??= startRedisCluster())

afterAll(async () => {
  for (const c of clients.splice(0)) await c.close()
  await (await starting?.catch(() => undefined))?.stop()
})

/** A connected cluster client, configured to fail fast, as the README advises. */
async function connect(kind: Kind): Promise<ClusterClient> {
  const { ports } = await local()
  let made: ClusterClient
  if (kind === 'node-redis') {
    const c = createCluster({ rootNodes: ports.map((p) => ({ url: `redis://127.0.0.1:${p}` })), defaults: { disableOfflineQueue: true } })
    c.on('error', () => undefined)
    await c.connect()
    made = { client: c, send: (key, args) => c.sendCommand(key, false, args), close: () => c.close() }
  } else {
    const c = new IORedis.Cluster(
      ports.map((port) => ({ host: '127.0.0.1', port })),
      { enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1 } },
    )
    c.on('error', () => undefined)
    await new Promise<void>((resolve, reject) => {
      c.once('ready', resolve)
      c.once('end', () => reject(new Error('ioredis cluster ended before ready')))
    })
    made = {
      client: c,
      send: (_key, args) => c.call(args[0] ?? '', ...args.slice(1)),
      close: () => {
        c.disconnect()
        return Promise.resolve()
      },
    }
  }
  clients.push(made)
  return made
}

const slotOf = async (c: ClusterClient, key: string): Promise<number> => Number(await c.send(key, ['CLUSTER', 'KEYSLOT', key]))

describe.each<Kind>(['node-redis', 'ioredis'])('Redis Cluster via %s', (kind) => {
  const run = `test:lexoffice:cluster:${kind}:${randomBytes(4).toString('hex')}:`
  let shared: Promise<ClusterClient> | undefined
  const client = (): Promise<ClusterClient> => (shared ??= connect(kind))
  const prefixOf = new WeakMap<TokenStore, string>()
  let n = 0
  const makeStore = async ({ encryption, sameDataAs }: { encryption?: TokenCipher; sameDataAs?: TokenStore }): Promise<TokenStore> => {
    const { client: c } = await client()
    const prefix = sameDataAs ? (prefixOf.get(sameDataAs) ?? '') : `${run}${++n}:`
    const store = new RedisTokenStore({ client: c, prefix, encryption: encryption ?? false })
    prefixOf.set(store, prefix)
    return store
  }

  describeTokenStore(`RedisTokenStore on a cluster via ${kind}`, makeStore)

  test('layout: the prefix becomes a hash tag, so record, due index and lock share one slot', async () => {
    const c = await client()
    const prefix = `${run}layout:`
    const store = new RedisTokenStore({ client: c.client, prefix, encryption: false })
    await store.set('u1', makeRecord(1), 0)
    const handle = await store.createLock().tryAcquire('u1', 10_000)
    const keys = [`{${prefix}}token:u1`, `{${prefix}}due`, `{${prefix}}lock:u1`]
    expect(await c.send(keys[0] ?? '', ['HGET', keys[0] ?? '', 'v'])).toBe('1')
    expect(Number(await c.send(keys[1] ?? '', ['ZCARD', keys[1] ?? '']))).toBe(1)
    expect(await c.send(keys[2] ?? '', ['EXISTS', keys[2] ?? ''])).toBe(1)
    expect(new Set(await Promise.all(keys.map((k) => slotOf(c, k)))).size).toBe(1)
    await handle?.release()
    // A prefix that already holds a hash tag is kept as it is (the same layout as on a single node).
    const tagged = new RedisTokenStore({ client: c.client, prefix: `${run}{tagged}:`, encryption: false })
    await tagged.set('u2', makeRecord(1), 0)
    expect(await c.send(`${run}{tagged}:token:u2`, ['HGET', `${run}{tagged}:token:u2`, 'v'])).toBe('1')
    expect(() => new RedisTokenStore({ client: c.client, prefix: 'bad}{', encryption: false })).toThrow(/hash tag/)
  })

  test('many stores spread over the masters; list() of each finds its keys wherever they live', async () => {
    const c = await client()
    const stores = Array.from(
      { length: 12 },
      (_, i) => new RedisTokenStore({ client: c.client, prefix: `${run}spread${i}:`, encryption: false }),
    )
    for (const [i, s] of stores.entries()) for (let k = 0; k <= i % 3; k++) await s.set(`k${k}`, makeRecord(1), 0)
    const slots = await Promise.all(stores.map((_, i) => slotOf(c, `{${run}spread${i}:}due`)))
    const ranges = (await c.send(`{${run}spread0:}due`, ['CLUSTER', 'SLOTS'])) as Array<[number, number, ...unknown[]]>
    const masterOf = (slot: number): number => ranges.findIndex(([from, to]) => slot >= from && slot <= to)
    expect(new Set(slots.map(masterOf)).size).toBeGreaterThan(1)
    for (const [i, s] of stores.entries()) expect((await s.list()).sort()).toEqual(['k0', 'k1', 'k2'].slice(0, (i % 3) + 1))
  })

  test('RedisLock without a tagged prefix: single-key commands in any slot, mutual exclusion across clients', async () => {
    const other = await connect(kind === 'node-redis' ? 'ioredis' : 'node-redis')
    const a = new RedisLock({ client: (await client()).client, prefix: `${run}lock:` })
    const b = new RedisLock({ client: other.client, prefix: `${run}lock:` })
    const keys = Array.from({ length: 10 }, (_, i) => `conn-${i}`)
    const held = await Promise.all(keys.map((k) => a.tryAcquire(k, 10_000)))
    expect(held.every(Boolean)).toBe(true)
    expect(await Promise.all(keys.map((k) => b.tryAcquire(k, 10_000)))).toEqual(keys.map(() => undefined))
    for (const h of held) await h?.release()
    const again = await Promise.all(keys.map((k) => b.tryAcquire(k, 10_000)))
    expect(again.every(Boolean)).toBe(true)
    for (const h of again) await h?.release()
  })

  test('RedisWebhookDedupeStore: one claim per event across clients; release frees it', async () => {
    const other = await connect(kind === 'node-redis' ? 'ioredis' : 'node-redis')
    const a = new RedisWebhookDedupeStore({ client: (await client()).client, prefix: `${run}webhook:` })
    const b = new RedisWebhookDedupeStore({ client: other.client, prefix: `${run}webhook:` })
    for (let i = 0; i < 5; i++) {
      const claims = await Promise.all(Array.from({ length: 6 }, (_, j) => (j % 2 ? a : b).claim(`org|invoice.created|r${i}|d`, 60_000)))
      expect(claims.filter(Boolean)).toHaveLength(1)
      await claims.find(Boolean)?.release()
      expect(await a.claim(`org|invoice.created|r${i}|d`, 60_000)).toBeDefined()
    }
  })

  test('RedisRateLimiter: two limiters share one schedule per key on the cluster, without falling back', async () => {
    const other = await connect(kind === 'node-redis' ? 'ioredis' : 'node-redis')
    const errors: Error[] = []
    const onError = (e: Error): void => void errors.push(e)
    const a = new RedisRateLimiter({ client: (await client()).client, ratePerSecond: 0.5, keyPrefix: `${run}rl:`, onError })
    const b = new RedisRateLimiter({ client: other.client, ratePerSecond: 0.5, keyPrefix: `${run}rl:`, onError })
    for (const key of ['k1', 'k2', 'k3']) {
      const waits = [await a.reserve(key), await b.reserve(key)]
      expect(waits[0]).toBe(0)
      expect(waits[1]).toBeGreaterThan(1500)
    }
    expect(errors).toEqual([])
  })

  test('TokenManager: two clients (two app instances) x 20 calls on an expired token: exactly one refresh', async () => {
    const sb = await createSandbox({ autoApprove: true })
    const other = await connect(kind === 'node-redis' ? 'ioredis' : 'node-redis')
    try {
      const prefix = `${run}manager:`
      const managers = [(await client()).client, other.client].map(
        (c) =>
          new TokenManager({
            store: new RedisTokenStore({ client: c, prefix, encryption: TEST_ENCRYPTION }),
            oauth: oauthClientFor(sb),
            apiURL: sb.endpoints.apiURL,
          }),
      )
      const first = await connectViaSandbox(sb)
      await managers[0]?.connect('conn', expiring(first, -1_000))
      sb.resetLog()
      const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => managers[i % 2]?.getAccessToken('conn')))
      expect(sb.tokenCalls('refresh_token')).toBe(1)
      expect(new Set(tokens).size).toBe(1)
      expect(await managers[1]?.tokenInfo('conn')).toMatchObject({ state: 'active', refreshCount: 1 })
    } finally {
      await sb.close()
    }
  })
})

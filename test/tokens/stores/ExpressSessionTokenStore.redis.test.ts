import session from 'express-session'
import { createClient } from 'redis'
import { inspect } from 'node:util'
import { ExpressSessionTokenStore, type SessionStoreLike } from '../../../lib/tokens/stores/ExpressSessionTokenStore'
import type { TokenStore } from '../../../lib/tokens/TokenStore'
import { describeTokenStore, makeRecord, makeTokens } from '../../contract/tokenStore.contract'
import { ConnectRedisLikeStore } from './connectRedisLikeStore'
import { REDIS_URL, uniquePrefix } from './redisTestUtils'

type MemoryStoreWithSessions = session.MemoryStore & { sessions: Record<string, string> }

// express-session's MemoryStore: one per store made; `sameDataAs` reuses the backing MemoryStore.
const backing = new WeakMap<TokenStore, session.MemoryStore>()
describeTokenStore(
  'ExpressSessionTokenStore over express-session MemoryStore',
  ({ encryption, sameDataAs }) => {
    const store = (sameDataAs && backing.get(sameDataAs)) || new session.MemoryStore()
    const tokenStore = new ExpressSessionTokenStore({ store, encryption: encryption ?? false })
    backing.set(tokenStore, store)
    return tokenStore
  },
  undefined,
  { readRaw: async (store, key) => (backing.get(store) as MemoryStoreWithSessions).sessions[`lexoffice-tokens:r:${key}`] },
)

// A connect-redis-like store over the real Redis: async callbacks, TTL from cookie.expires.
const redisPrefix = uniquePrefix('session')
const redis = createClient({ url: REDIS_URL, disableOfflineQueue: true, socket: { reconnectStrategy: false } })
redis.on('error', () => undefined)
let connected: Promise<unknown> | undefined
const redisBacking = new WeakMap<TokenStore, string>()
let m = 0
describeTokenStore(
  'ExpressSessionTokenStore over a connect-redis-like store (real Redis)',
  async ({ encryption, sameDataAs }) => {
    connected ??= redis.connect()
    await connected
    const prefix = (sameDataAs && redisBacking.get(sameDataAs)) || `${redisPrefix}${++m}:`
    const tokenStore = new ExpressSessionTokenStore({
      store: new ConnectRedisLikeStore(redis, prefix),
      encryption: encryption ?? false,
    })
    redisBacking.set(tokenStore, prefix)
    return tokenStore
  },
  async () => {
    if (connected === undefined) return
    for await (const keys of redis.scanIterator({ MATCH: `${redisPrefix}*`, COUNT: 1000 })) if (keys.length) await redis.unlink(keys)
    redis.destroy()
  },
  { readRaw: async (store, key) => (await redis.get(`${redisBacking.get(store)!}lexoffice-tokens:r:${key}`)) ?? undefined },
)

describe('ExpressSessionTokenStore specifics', () => {
  test('records live under their own store id with a cookie.expires the store honours (MemoryStore expiry)', async () => {
    const memory = new session.MemoryStore() as MemoryStoreWithSessions
    const store = new ExpressSessionTokenStore({ store: memory, ttlMs: 60_000, encryption: false })
    const record = makeRecord(1)
    await store.set('user-1', record, 0)
    expect(Object.keys(memory.sessions).sort()).toEqual(['lexoffice-tokens:index', 'lexoffice-tokens:r:user-1'])
    const raw = JSON.parse(memory.sessions['lexoffice-tokens:r:user-1']) as { cookie: { expires: string } }
    const expires = new Date(raw.cookie.expires).getTime()
    expect(expires).toBeGreaterThan(Date.now() + 50_000)
    expect(expires).toBeLessThanOrEqual(Date.now() + 60_000)
    // Only the clock is faked: MemoryStore defers with setImmediate.
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
      ],
    })
    try {
      jest.setSystemTime(Date.now() + 61_000)
      await expect(store.get('user-1')).resolves.toBeUndefined()
    } finally {
      jest.useRealTimers()
    }
  })

  test('connect-redis-like store: the Redis TTL follows ttlMs / tombstoneTtlMs, not the one-day default', async () => {
    const client = createClient({ url: REDIS_URL, disableOfflineQueue: true, socket: { reconnectStrategy: false } })
    client.on('error', () => undefined)
    await client.connect()
    const prefix = uniquePrefix('session-ttl')
    try {
      const store = new ExpressSessionTokenStore({
        store: new ConnectRedisLikeStore(client, prefix),
        ttlMs: 10 * 86_400_000,
        tombstoneTtlMs: 3_600_000,
        encryption: false,
      })
      await store.set('u', makeRecord(1), 0)
      const ttl = await client.ttl(`${prefix}lexoffice-tokens:r:u`)
      expect(ttl).toBeGreaterThan(9 * 86_400)
      expect(ttl).toBeLessThanOrEqual(10 * 86_400)
      await store.set('u', { version: 2, state: 'lost', lost: { reason: 'invalid_grant', at: 1 }, refreshCount: 0, connectedAt: 1 }, 1)
      const tombTtl = await client.ttl(`${prefix}lexoffice-tokens:r:u`)
      expect(tombTtl).toBeGreaterThan(3000)
      expect(tombTtl).toBeLessThanOrEqual(3600)
    } finally {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*` })) if (keys.length) await client.unlink(keys)
      client.destroy()
    }
  })

  test('the index survives a restart: a new instance over the same store lists and finds due keys', async () => {
    const memory = new session.MemoryStore()
    const first = new ExpressSessionTokenStore({ store: memory, encryption: false })
    const t = Date.now()
    await first.set('a', makeRecord(1, makeTokens({ expiresAt: t + 2000 })), 0)
    await first.set('b', makeRecord(1, makeTokens({ expiresAt: t + 1000 })), 0)
    await first.set('c', makeRecord(1), 0)
    await first.destroy('c')
    const second = new ExpressSessionTokenStore({ store: memory, encryption: false })
    expect((await second.list()).sort()).toEqual(['a', 'b'])
    expect(await second.listDue(t + 5000)).toEqual(['b', 'a'])
    await expect(second.get('a')).resolves.toMatchObject({ version: 1, state: 'active' })
  })

  test('a failing store gives STORE_UNAVAILABLE without record contents; a store that never answers times out', async () => {
    const record = makeRecord(1)
    const failing: SessionStoreLike = {
      get: (_sid, cb) =>
        cb(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED', command: { args: [JSON.stringify(record)] } })),
      set: (_sid, _sess, cb) => cb?.(new Error('down')),
      destroy: (_sid, cb) => cb?.(new Error('down')),
    }
    const store = new ExpressSessionTokenStore({ store: failing, encryption: false })
    const err = await store.set('k', record, 0).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'LexofficeError', code: 'STORE_UNAVAILABLE', status: 503 })
    expect((err as Error).cause).toMatchObject({ message: 'connection refused', code: 'ECONNREFUSED' })
    expect(inspect(err, { showHidden: true, depth: 5 })).not.toContain(record.tokens!.refreshToken)
    await expect(store.get('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
    await expect(store.destroy('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })

    const silent: SessionStoreLike = { get: () => undefined, set: () => undefined, destroy: () => undefined }
    const hung = new ExpressSessionTokenStore({ store: silent, operationTimeoutMs: 100, encryption: false })
    const started = Date.now()
    await expect(hung.get('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
    await expect(hung.set('k', makeRecord(1), 0)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
    // The 100 ms deadlines fired; without them the calls hang (Jest's 30 s timeout). Room for a stalled machine.
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  test('a failed write does not block later writes of the same key (the per-key mutex is released)', async () => {
    let failNext = true
    const memory = new session.MemoryStore()
    const flaky: SessionStoreLike = {
      get: (sid, cb) => memory.get(sid, cb),
      set: (sid, sess, cb) => {
        if (failNext) {
          failNext = false
          cb?.(new Error('flaky'))
        } else memory.set(sid, sess, cb)
      },
      destroy: (sid, cb) => memory.destroy(sid, cb),
    }
    const store = new ExpressSessionTokenStore({ store: flaky, encryption: false })
    await expect(store.set('k', makeRecord(1), 0)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
    await expect(store.set('k', makeRecord(1), 0)).resolves.toBe(true)
  })

  test('rejects stores without the Store methods and bad options', () => {
    expect(() => new ExpressSessionTokenStore({ store: {} as SessionStoreLike, encryption: false })).toThrow(TypeError)
    expect(() => new ExpressSessionTokenStore({ store: new session.MemoryStore(), ttlMs: 10, encryption: false })).toThrow(TypeError)
    expect(() => new ExpressSessionTokenStore({ store: new session.MemoryStore(), prefix: '', encryption: false })).toThrow(TypeError)
  })
})

/**
 * The token cache in each process in front of the shared stores, on real Redis and real
 * PostgreSQL: two configurations ("processes") with their own clients/pools share one store and
 * one sandbox. Invalidation arrives over pub/sub or LISTEN/NOTIFY; `until` waits for it.
 */
import { Pool } from 'pg'
import { buildLexoffice, type Lexoffice } from '../../lib/config/Lexoffice'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { PostgresTokenStore } from '../../lib/postgres/PostgresTokenStore'
import { RedisTokenStore } from '../../lib/redis/RedisTokenStore'
import { LexofficeClient } from '../../lib/client/LexofficeClient'
import { CachingTokenStore, type CacheInvalidation } from '../../lib/tokens/TokenCache'
import { TokenManager } from '../../lib/tokens/TokenManager'
import type { TokenStore } from '../../lib/tokens/TokenStore'
import { connectViaSandbox, oauthClientFor, until } from '../helpers/connect'
import { TEST_ENCRYPTION } from '../helpers/encryption'
import { DATABASE_URL, createTestSchema, type TestSchema } from '../helpers/postgres'
import { type RedisClient, REDIS_URL, connectRedis, deletePrefix, redisProxy, uniquePrefix } from './manager/redisHelpers'

jest.setTimeout(60_000)

const KEY = 'conn-1'

interface Backend {
  /** A store on its own client/pool; `viaProxy`: the cache's subscription goes through a TCP proxy that can be cut. */
  store(viaProxy?: string): Promise<TokenStore>
  cleanup(): Promise<void>
}

function redisBackend(): Backend {
  const prefix = uniquePrefix('cache')
  const clients: RedisClient[] = []
  return {
    async store(viaProxy) {
      const direct = await connectRedis()
      clients.push(direct)
      let client: object = direct
      if (viaProxy !== undefined) {
        const proxied = await connectRedis(viaProxy)
        clients.push(proxied)
        // Commands go straight to Redis; only the subscriber (the duplicate) goes through the proxy.
        client = { sendCommand: (args: string[]) => direct.sendCommand(args), duplicate: () => proxied.duplicate() }
      }
      return new RedisTokenStore({ client: client as RedisClient, prefix, encryption: TEST_ENCRYPTION })
    },
    async cleanup() {
      await deletePrefix(clients[0], prefix)
      for (const c of clients) c.destroy()
    },
  }
}

async function postgresBackend(schema: TestSchema, set: string): Promise<Backend> {
  const tables = await schema.tables(set)
  const pools: Pool[] = []
  return {
    store(viaProxy) {
      const pool = new Pool({ connectionString: DATABASE_URL, max: 3 })
      pool.on('error', () => undefined)
      pools.push(pool)
      let given: object = pool
      if (viaProxy !== undefined) {
        const db = new URL(DATABASE_URL)
        const options = { ...pool.options, connectionString: undefined, host: '127.0.0.1', port: Number(new URL(viaProxy).port) }
        options.user = decodeURIComponent(db.username) || 'postgres'
        options.database = db.pathname.slice(1) || 'test'
        // Queries go to the pool; the cache's listening connection is made from these options, through the proxy.
        given = { query: pool.query.bind(pool), Client: (pool as unknown as { Client: unknown }).Client, options }
      }
      return Promise.resolve(new PostgresTokenStore({ pool: given as Pool, tables, encryption: TEST_ENCRYPTION }))
    },
    async cleanup() {
      for (const p of pools) await p.end()
    },
  }
}

describe.each(['redis', 'postgres'] as const)('token cache on %s', (kind) => {
  let schema: TestSchema | undefined
  let sb: Sandbox
  let backend: Backend
  let apps: Lexoffice[] = []
  let run = 0
  let unauthorized = 0

  beforeAll(async () => {
    if (kind === 'postgres') schema = await createTestSchema('cache')
  })
  afterAll(async () => schema?.drop())
  beforeEach(async () => {
    sb = await createSandbox({ autoApprove: true })
    backend = kind === 'redis' ? redisBackend() : await postgresBackend(schema as TestSchema, `c${++run}`)
    unauthorized = 0
  })
  afterEach(async () => {
    for (const app of apps) await app.close()
    apps = []
    await backend.cleanup()
    await sb.close()
  })

  /** A configuration on `store`, counting the 401 answers its API calls get. */
  function app(store: TokenStore, tokenCache?: false): Lexoffice {
    const origin = new URL(sb.endpoints.authorizationURL).origin
    const lexoffice = buildLexoffice(
      {
        clientID: sb.client.clientID,
        clientSecret: sb.client.clientSecret,
        environment: { authURL: origin, apiURL: sb.endpoints.apiURL },
        baseURL: 'http://127.0.0.1:3000',
        scope: 'profile.read contacts.read',
        store,
        env: {},
        ...(tokenCache === false ? { tokenCache } : {}),
      },
      {
        fetch: async (input, init) => {
          const res = await fetch(input, init)
          if (res.status === 401 && String(input).includes('/v1/')) unauthorized++
          return res
        },
      },
    )
    apps.push(lexoffice)
    return lexoffice
  }

  const live = (lexoffice: Lexoffice): boolean => (lexoffice.toJSON()['tokenCache'] as { live: boolean } | undefined)?.live === true

  async function twoProcesses(viaProxy?: string): Promise<{ a: Lexoffice; b: Lexoffice; storeB: TokenStore }> {
    const a = app(await backend.store())
    const storeB = await backend.store(viaProxy)
    const b = app(storeB)
    await until(() => live(a) && live(b), 10_000, 'both subscriptions')
    await a.manager.connect(KEY, await connectViaSandbox(sb))
    return { a, b, storeB }
  }

  it('serves a fresh token from memory: one store read for many requests', async () => {
    const { b, storeB } = await twoProcesses()
    const reads = jest.spyOn(storeB, 'get')
    const token = await b.manager.getAccessToken(KEY)
    for (let i = 0; i < 20; i++) {
      expect(await b.manager.getAccessToken(KEY)).toBe(token)
      await new Promise((resolve) => setImmediate(resolve))
    }
    // The announcement of A's connect may arrive after B's first read and cost one more.
    expect(reads.mock.calls.length).toBeLessThanOrEqual(2)
  })

  it('is on by default for the shared stores and off with tokenCache: false', async () => {
    const on = app(await backend.store())
    const off = app(await backend.store(), false)
    expect(on.toJSON()['tokenCache']).toMatchObject({ maxEntries: 10_000 })
    expect(off.toJSON()['tokenCache']).toBeUndefined()
  })

  it('a refresh in process A makes B read the new token', async () => {
    const { a, b } = await twoProcesses()
    const old = await b.manager.getAccessToken(KEY)
    const fresh = await a.manager.getAccessToken(KEY, { forceRefresh: true })
    expect(fresh).not.toBe(old)
    await until(async () => (await b.manager.getAccessToken(KEY)) === fresh, 10_000, 'B to see the refreshed token')
    const profile = await b.client(KEY).profile.get()
    expect(typeof profile.connectionId).toBe('string')
    expect(unauthorized).toBe(0)
  })

  it('a disconnect in A: B stops using the token (NOT_CONNECTED) without any 401', async () => {
    const { a, b } = await twoProcesses()
    await b.manager.getAccessToken(KEY)
    await a.manager.disconnect(KEY)
    await until(
      () =>
        b.manager.getAccessToken(KEY).then(
          () => false,
          () => true,
        ),
      10_000,
      'B to drop the token',
    )
    await expect(b.client(KEY).profile.get()).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
    expect(unauthorized).toBe(0)
  })

  it('a connection marked lost in A (token.revoked): B gets AUTH_LOST', async () => {
    const { a, b } = await twoProcesses()
    await b.manager.getAccessToken(KEY)
    await a.manager.markLost(KEY, 'token.revoked')
    await until(
      () =>
        b.manager.getAccessToken(KEY).then(
          () => false,
          () => true,
        ),
      10_000,
      'B to drop the token',
    )
    await expect(b.manager.getAccessToken(KEY)).rejects.toMatchObject({ code: 'AUTH_LOST' })
  })

  it('a missed invalidation costs at most one 401: the refused token is re-read from the store, not refreshed', async () => {
    const a = app(await backend.store())
    await until(() => live(a), 10_000, 'A subscribed')
    await a.manager.connect(KEY, await connectViaSandbox(sb))
    // B's channel never delivers anything (the worst case: the message is lost while "live").
    const deaf: CacheInvalidation = {
      start: (_onKey, onLive) => onLive(true),
      publish: () => Promise.resolve(),
      close: () => Promise.resolve(),
    }
    const cache = new CachingTokenStore(await backend.store(), deaf, { maxEntries: 10, aheadMs: 17 * 60_000, now: Date.now })
    const manager = new TokenManager({ store: cache, oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL })
    let b401 = 0
    const client = new LexofficeClient({
      apiURL: sb.endpoints.apiURL,
      tokenProvider: manager.providerFor(KEY),
      connectionKey: KEY,
      rateLimit: false,
      fetch: async (input, init) => {
        const res = await fetch(input, init)
        if (res.status === 401) b401++
        return res
      },
    })
    const stale = await manager.getAccessToken(KEY)
    await a.manager.disconnect(KEY)
    expect(await manager.getAccessToken(KEY)).toBe(stale) // still cached: the message never came
    await expect(client.profile.get()).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
    expect(b401).toBe(1)
    expect(sb.tokenCalls('refresh_token')).toBe(0)
    await expect(manager.getAccessToken(KEY)).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
  })

  it('while the subscription is down, reads go to the store; after resubscribing the cache serves again', async () => {
    const proxy = await redisProxy(kind === 'redis' ? REDIS_URL : `redis://127.0.0.1:${new URL(DATABASE_URL).port || 5432}`)
    try {
      const { b, storeB } = await twoProcesses(proxy.url)
      const token = await b.manager.getAccessToken(KEY)
      proxy.cut()
      await until(() => !live(b), 10_000, 'B to notice the lost subscription')
      // A write nobody announces (another tool, or a message lost with the connection): B must see it.
      const writer = await backend.store()
      const current = await writer.get(KEY)
      if (current?.tokens === undefined) throw new Error('expected an active record')
      const next = { ...current, version: current.version + 1, tokens: { ...current.tokens, accessToken: 'changed-while-down' } }
      expect(await writer.set(KEY, next, current.version)).toBe(true)
      expect(await b.manager.getAccessToken(KEY)).toBe('changed-while-down')
      expect(token).not.toBe('changed-while-down')
      proxy.restore()
      await until(() => live(b), 15_000, 'B to resubscribe')
      const reads = jest.spyOn(storeB, 'get')
      await b.manager.getAccessToken(KEY)
      await b.manager.getAccessToken(KEY)
      expect(reads).toHaveBeenCalledTimes(1)
    } finally {
      await proxy.close()
    }
  })

  it('holds no token in enumerable or inspectable form', async () => {
    const { b } = await twoProcesses()
    const token = await b.manager.getAccessToken(KEY)
    const { inspect } = await import('node:util')
    expect(JSON.stringify(b)).not.toContain(token)
    expect(inspect(b, { depth: 10, showHidden: true })).not.toContain(token)
    expect(inspect(b.manager.store, { depth: 10, showHidden: true })).not.toContain(token)
  })
})

/**
 * Issue 17 across OS processes: "no process keeps using a token after a disconnect or a lost
 * connection was seen elsewhere, beyond one 401", for the token cache in front of Redis and of
 * PostgreSQL. tokenCache.postgres.test.ts proves it with two caches in one process; here each app
 * instance is a process of its own (test/helpers/children/managerChild.ts with `tokenCache: true`:
 * the manager createLexoffice builds, the cache in front of its own store client), so the
 * invalidation really travels through Redis PUBLISH/SUBSCRIBE or PostgreSQL NOTIFY/LISTEN between
 * processes. Tokens never cross the IPC pipe: the children answer with sha256 hashes.
 *
 * Synchronisation is on IPC answers (an operation's answer comes after its store write and its
 * announcement). Where a test must wait for the invalidation message to reach child A, it asks A
 * again until the answer changes (`until`, bounded): nothing in A signals that arrival but its
 * answers, and the message is delivered asynchronously after B's write returned.
 */
import { createHash } from 'node:crypto'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { PostgresTokenStore } from '../../lib/postgres/PostgresTokenStore'
import type { PostgresTableNames } from '../../lib/postgres/postgresTables'
import { RedisTokenStore } from '../../lib/redis/RedisTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import type { TokenStore } from '../../lib/tokens/TokenStore'
import type { Answer } from '../helpers/children/managerChild'
import { connectViaSandbox, oauthClientFor, until } from '../helpers/connect'
import { TEST_ENCRYPTION } from '../helpers/encryption'
import { DATABASE_URL, createTestSchema, type TestSchema } from '../helpers/postgres'
import { stopChild } from '../helpers/stopChild'
import { type Child, type RedisClient, REDIS_URL, connectRedis, deletePrefix, forkChild, uniquePrefix } from './manager/redisHelpers'

jest.setTimeout(60_000)

const KEY = 'conn-1'
const sha = (s: string): string => createHash('sha256').update(s).digest('hex')
/** How long the invalidation may take to reach the other process before the test fails (it takes milliseconds). */
const INVALIDATION_MS = 10_000

describe.each(['redis', 'postgres'] as const)('token cache across OS processes on %s', (kind) => {
  let schema: TestSchema
  let redis: RedisClient
  let sb: Sandbox
  let prefix: string
  let tables: Required<PostgresTableNames> | undefined
  let store: TokenStore
  let children: Child[] = []
  let run = 0

  beforeAll(async () => {
    if (kind === 'postgres') schema = await createTestSchema('cacheproc')
    else redis = await connectRedis()
  })
  afterAll(async () => {
    if (kind === 'postgres') await schema.drop()
    else redis.destroy()
  })
  beforeEach(async () => {
    sb = await createSandbox({ autoApprove: true })
    prefix = uniquePrefix('cacheproc')
    tables = kind === 'postgres' ? await schema.tables(`p${++run}`) : undefined
    // The parent's store has no cache: it only seeds the connection before the children start.
    store =
      tables === undefined
        ? new RedisTokenStore({ client: redis, prefix, encryption: TEST_ENCRYPTION })
        : new PostgresTokenStore({ pool: schema.pool, tables, encryption: TEST_ENCRYPTION })
  })
  afterEach(async () => {
    await Promise.all(children.map((c) => stopChild(c.proc)))
    children = []
    if (kind === 'redis') await deletePrefix(redis, prefix)
    await sb.close()
  })

  /** An app instance in a process of its own, with the token cache, once its subscription is live. */
  async function instance(): Promise<Child> {
    const child = forkChild()
    children.push(child)
    child.send({
      type: 'init',
      redisUrl: REDIS_URL,
      prefix,
      ...(tables !== undefined && { postgres: { url: DATABASE_URL, tables } }),
      tokenCache: true,
      key: KEY,
      ...sb.client,
      tokenURL: sb.endpoints.tokenURL,
      revokeURL: sb.endpoints.revokeURL,
      apiURL: sb.endpoints.apiURL,
      oauthTimeoutMs: 10_000,
      lockTtlMs: 30_000,
    })
    await child.waitFor('ready')
    // The subscription (SUBSCRIBE on a duplicate() connection, LISTEN) comes up after the store is
    // built and the cache shows it only as state: ask until it is live (before that it serves nothing).
    await until(async () => (await child.ask('cache')).cache?.live === true, INVALIDATION_MS, 'the child cache to subscribe')
    return child
  }

  /** The connection, and A with its token in its cache (used once with the API: 200); B beside it. */
  async function warmed(): Promise<{ a: Child; b: Child; old: string; oldToken: string }> {
    const tokens = await connectViaSandbox(sb)
    await new TokenManager({ store, oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL }).connect(KEY, tokens)
    const [a, b] = await Promise.all([instance(), instance()])
    const old = sha(tokens.access_token)
    expect(await a.ask('token')).toEqual({ type: 'answer', id: expect.any(Number), token: old })
    expect((await a.ask('cache')).cache).toEqual({ live: true, entries: 1 })
    expect(await a.ask('api')).toMatchObject({ requests: [{ token: old, status: 200 }] })
    expect(await a.ask('token')).toMatchObject({ token: old })
    sb.resetLog()
    return { a, b, old, oldToken: tokens.access_token }
  }

  /** 401 answers to API calls in the sandbox's log (since the last reset). */
  const sandbox401s = (): number => sb.requests.filter((r) => r.path.startsWith('/v1/') && r.status === 401).length
  const apiCalls = (): number => sb.requests.filter((r) => r.path.startsWith('/v1/')).length

  /** Asks A for its token until it stops answering with `old` (the invalidation arrived); every answer on the way. */
  async function untilAStops(a: Child, old: string): Promise<Answer[]> {
    const answers: Answer[] = []
    await until(
      async () => {
        const answer = await a.ask('token')
        answers.push(answer)
        return answer.token !== old
      },
      INVALIDATION_MS,
      "B's invalidation to reach A",
    )
    return answers
  }

  it("a refresh in B reaches A: A serves B's new token without refreshing itself (one refresh at the sandbox)", async () => {
    const { a, b, old } = await warmed()
    const refreshed = await b.ask('refresh')
    expect(refreshed.error).toBeUndefined()
    const fresh = refreshed.token
    expect(fresh).not.toBe(old)

    const answers = await untilAStops(a, old)
    for (const answer of answers) expect([old, fresh]).toContain(answer.token)
    expect(answers.at(-1)?.token).toBe(fresh)
    expect(await a.ask('api')).toEqual({ type: 'answer', id: expect.any(Number), requests: [{ token: fresh, status: 200 }] })
    expect(await a.ask('token')).toMatchObject({ token: fresh })
    expect((await a.ask('cache')).cache).toEqual({ live: true, entries: 1 }) // B's token, now served from A's memory
    expect(sb.tokenCalls('refresh_token')).toBe(1)
    expect(sandbox401s()).toBe(0)
    expect(sha((await store.get(KEY))?.tokens?.accessToken ?? '')).toBe(fresh)
  })

  it("a disconnect in B: A's very next API call gets at most one 401 with the old token, then NOT_CONNECTED, and never uses it again", async () => {
    const { a, b, old } = await warmed()
    expect(await b.ask('disconnect')).toEqual({ type: 'answer', id: expect.any(Number) })
    expect(sb.connections()[0]?.state).toBe('revoked')

    // No waiting: A may or may not have received the invalidation yet. Either way the bound holds:
    // the 401 makes A drop its copy and re-read the store (TokenCache.ts, forgetCached). In the runs
    // so far the message always came first (0 401s); with the invalidation disabled this is the
    // test that still passes, with exactly one 401 (the others then time out waiting for it).
    const next = await a.ask('api')
    expect(next.error).toBe('NOT_CONNECTED')
    const requests = next.requests ?? []
    expect(requests.every((r) => r.token === old && r.status === 401)).toBe(true)
    expect(requests.length).toBeLessThanOrEqual(1)
    expect(sandbox401s()).toBe(requests.length)

    for (let i = 0; i < 3; i++) {
      expect(await a.ask('token')).toMatchObject({ error: 'NOT_CONNECTED' })
      expect(await a.ask('api')).toEqual({ type: 'answer', id: expect.any(Number), requests: [], error: 'NOT_CONNECTED' })
    }
    expect(sandbox401s()).toBeLessThanOrEqual(1)
    expect(apiCalls()).toBe(requests.length)
    expect(sb.tokenCalls('refresh_token')).toBe(0) // A never tried the revoked grant
  })

  it("once B's disconnect has reached A, A refuses the token without asking lexoffice (no 401 at all)", async () => {
    const { a, b, old } = await warmed()
    await b.ask('disconnect')

    const answers = await untilAStops(a, old)
    expect(answers.at(-1)).toMatchObject({ error: 'NOT_CONNECTED' })
    expect(answers.at(-1)?.token).toBeUndefined()
    expect(await a.ask('api')).toEqual({ type: 'answer', id: expect.any(Number), requests: [], error: 'NOT_CONNECTED' })
    expect((await a.ask('cache')).cache).toEqual({ live: true, entries: 0 })
    expect(apiCalls()).toBe(0)
    expect(sb.tokenCalls()).toBe(0)
  })

  it('B marks the connection lost while lexoffice still accepts the token: A stops using it (AUTH_LOST)', async () => {
    const { a, b, old, oldToken } = await warmed()
    expect(await b.ask('markLost')).toEqual({ type: 'answer', id: expect.any(Number) })

    const answers = await untilAStops(a, old)
    expect(answers.at(-1)).toMatchObject({ error: 'AUTH_LOST' })
    expect(await a.ask('api')).toEqual({ type: 'answer', id: expect.any(Number), requests: [], error: 'AUTH_LOST' })
    expect(await a.ask('token')).toMatchObject({ error: 'AUTH_LOST' })
    expect(apiCalls()).toBe(0)
    expect(sb.tokenCalls()).toBe(0)
    // Only the invalidation kept A from it: lexoffice would still have answered 200 to the old token.
    const res = await fetch(`${sb.endpoints.apiURL}/v1/profile`, { headers: { authorization: `Bearer ${oldToken}` } })
    expect(res.status).toBe(200)
  })
})

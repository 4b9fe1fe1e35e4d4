/**
 * `npm run start:cluster`'s startCluster() on port 0 with a unique Redis prefix: two instances,
 * one shared sandbox, a shared session secret, encryption key and Redis, and the background
 * refresher. Also: tokens in Redis are encrypted, and requests without a cookie store no session.
 */
import { randomUUID } from 'node:crypto'
import { createClient } from 'redis'
import request from 'supertest'
import { type StartedCluster, startCluster } from '../../example-app/src/cluster'
import { GENERATED_KEY_NOTICE, readConfig } from '../../example-app/src/config'
import { REDIS_URL, deleteRedisKeys } from '../e2e/helpers'

const prefix = `lexoffice-cluster-test-${randomUUID()}:`
let cluster: StartedCluster
const redis = createClient({ url: REDIS_URL })

beforeAll(async () => {
  await redis.connect()
  // jitterMs 0: the refresher's first scheduled run happens at once (nothing is stored yet), the
  // next one a minute later, so the test's runOnce() is the only refresh.
  cluster = await startCluster({ PORT: '0', REDIS_URL, REDIS_PREFIX: prefix }, { refresher: { jitterMs: 0 } })
})

afterAll(async () => {
  // cluster is unset when startCluster failed; then there is nothing of it to close.
  await (cluster as StartedCluster | undefined)?.close()
  await deleteRedisKeys(prefix)
  await redis.quit()
})

async function keys(pattern: string): Promise<string[]> {
  const found: string[] = []
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}${pattern}`, COUNT: 500 })) found.push(...([] as string[]).concat(batch))
  return found
}

test('two instances on their own ports share one sandbox; the refresher runs; the generated key is said once', () => {
  const [a, b] = cluster.instances
  expect(a.listenURL).not.toBe(b.listenURL)
  expect(cluster.sandbox).toBeDefined()
  expect(a.sandbox).toBe(cluster.sandbox)
  expect(b.sandbox).toBe(cluster.sandbox)
  expect(cluster.refresher.running).toBe(true)
  expect(cluster.refresher.jitterMs).toBe(0)
  expect(cluster.encryptionKeyGenerated).toBe(true)
  expect(GENERATED_KEY_NOTICE).toContain('LEXOFFICE_ENCRYPTION_KEYS')
})

test('log in on A (its own callback), continue on B with the same cookie; tokens encrypted in Redis; the refresher refreshes once', async () => {
  const [a, b] = cluster.instances
  const sandbox = cluster.sandbox!
  sandbox.setAutoApprove(true)
  // Tokens that expire within the refresher's 15-minute window.
  sandbox.setAccessTokenTtl(600)

  const onA = request.agent(a.listenURL)
  const start = await onA.get('/auth/lexoffice').expect(302)
  const authorize = await fetch(start.headers.location, { redirect: 'manual' })
  const callback = new URL(authorize.headers.get('location')!)
  expect(callback.origin).toBe(new URL(a.listenURL).origin)
  const loggedIn = await onA.get(`${callback.pathname}${callback.search}`).expect(302).expect('location', '/')
  // passport regenerates the session at login: the callback's answer carries the new cookie.
  const cookie = (loggedIn.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ')

  const homeOnB = await request(b.listenURL).get('/').set('cookie', cookie).expect(200)
  expect(homeOnB.text).toContain('data-testid="token-state"')
  expect(homeOnB.text).toContain(sandbox.user.userName)
  const contactsOnB = await request(b.listenURL).get('/contacts').set('cookie', cookie).set('accept', 'text/html').expect(200)
  expect(contactsOnB.text).toContain('data-testid="contacts"')

  await a.subscriptions!.idle()
  const [stored] = await a.lexoffice.manager.listConnections('user:')
  expect(stored).toMatchObject({ state: 'active', refreshCount: 0 })

  // The record in Redis is an encrypted envelope: no token, no field name of a token set in clear.
  const records = await keys('lexoffice:*')
  const values = await Promise.all(
    records.map(async (key) => ((await redis.type(key)) === 'hash' ? Object.values(await redis.hGetAll(key)) : [])),
  )
  const envelopes = values.flat().filter((v) => v.startsWith('v1.'))
  expect(envelopes.length).toBeGreaterThan(0)
  expect(values.flat().join('\n')).not.toMatch(/access_?token|refresh_?token|accessToken|refreshToken/i)

  const before = sandbox.tokenCalls('refresh_token')
  const summary = await cluster.refresher.runOnce()
  expect(summary).toMatchObject({ scanned: 1, refreshed: 1, failed: 0, lost: 0 })
  expect(sandbox.tokenCalls('refresh_token')).toBe(before + 1)
  expect(await b.lexoffice.manager.tokenInfo(stored.key)).toMatchObject({ state: 'active', refreshCount: 1 })
})

test('requests without a cookie store no session (crawlers, health checks, 404s, the reconnect page)', async () => {
  const [a] = cluster.instances
  const before = (await keys('sess:*')).length
  for (const path of [
    '/',
    '/contacts',
    '/events',
    '/events.json',
    '/no-such-page',
    '/favicon.ico',
    '/public/style.css',
    '/auth/lexoffice?reason=x',
  ]) {
    for (let i = 0; i < 5; i++) {
      const res = await request(a.listenURL).get(path).set('accept', 'text/html')
      expect(res.headers['set-cookie']).toBeUndefined()
    }
  }
  expect((await keys('sess:*')).length).toBe(before)
  // A page with a form stores one (its CSRF token), and says so with a cookie.
  const login = await request(a.listenURL).get('/login').expect(200)
  expect(JSON.stringify(login.headers['set-cookie'])).toContain('lexoffice-example.sid=')
  expect((await keys('sess:*')).length).toBe(before + 1)
})

test('configuration: PENDING_LOGIN_TTL_SECONDS and REDIS_PREFIX are checked; LEXOFFICE_ENCRYPTION_KEYS is used when given', () => {
  expect(readConfig({ PENDING_LOGIN_TTL_SECONDS: '120' }).pendingLoginTtlMs).toBe(120_000)
  expect(readConfig({}).pendingLoginTtlMs).toBe(600_000)
  for (const bad of ['0', '3601', '1.5', 'ten'])
    expect(() => readConfig({ PENDING_LOGIN_TTL_SECONDS: bad })).toThrow(/PENDING_LOGIN_TTL_SECONDS/)
  expect(() => readConfig({ REDIS_PREFIX: 'a b' })).toThrow(/REDIS_PREFIX/)
  const given = readConfig({ REDIS_URL, LEXOFFICE_ENCRYPTION_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' })
  expect(given.encryptionKeyGenerated).toBe(false)
  expect(given.env.LEXOFFICE_ENCRYPTION_KEYS).toBe('k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')
  // Without a shared store, nothing is generated.
  expect(readConfig({}).encryptionKeyGenerated).toBe(false)
})

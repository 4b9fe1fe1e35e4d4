/**
 * `npm run start:cluster`'s startCluster() on port 0 with a unique Redis prefix: two instances,
 * one shared sandbox, a shared session secret and Redis, and the background refresher.
 */
import { randomUUID } from 'node:crypto'
import request from 'supertest'
import { type StartedCluster, startCluster } from '../../example-app/src/cluster'
import { REDIS_URL, deleteRedisKeys } from '../e2e/helpers'

const prefix = `lexoffice-cluster-test-${randomUUID()}:`
let cluster: StartedCluster

beforeAll(async () => {
  // jitterMs 0: the refresher's first scheduled run happens at once (nothing is stored yet), the
  // next one a minute later, so the test's runOnce() is the only refresh.
  cluster = await startCluster({ PORT: '0', REDIS_URL, REDIS_PREFIX: prefix }, { refresher: { jitterMs: 0 } })
})

afterAll(async () => {
  await cluster?.close()
  await deleteRedisKeys(prefix)
})

test('two instances on their own ports share one sandbox; the refresher runs', () => {
  const [a, b] = cluster.instances
  expect(a.listenURL).not.toBe(b.listenURL)
  expect(cluster.sandbox).toBeDefined()
  expect(a.sandbox).toBe(cluster.sandbox)
  expect(b.sandbox).toBe(cluster.sandbox)
  expect(cluster.refresher.running).toBe(true)
  expect(cluster.refresher.jitterMs).toBe(0)
})

test('log in on A (its own callback), continue on B with the same cookie; the refresher refreshes a due connection once', async () => {
  const [a, b] = cluster.instances
  const sandbox = cluster.sandbox!
  sandbox.setAutoApprove(true)
  // Tokens that expire within the refresher's 15-minute window.
  sandbox.setAccessTokenTtl(600)

  const onA = request.agent(a.listenURL)
  const start = await onA.get('/auth/lexoffice').expect(302)
  const authorize = await fetch(start.headers.location!, { redirect: 'manual' })
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
  const key = sandbox.connections().find((c) => c.state === 'active')!.connectionId
  const before = sandbox.tokenCalls('refresh_token')
  const summary = await cluster.refresher.runOnce()
  expect(summary).toMatchObject({ scanned: 1, refreshed: 1, failed: 0, lost: 0 })
  expect(sandbox.tokenCalls('refresh_token')).toBe(before + 1)
  expect(await b.manager.tokenInfo(key)).toMatchObject({ state: 'active', refreshCount: 1 })
})

/**
 * `npm run start:cluster` on PostgreSQL alone (DATABASE_URL, no Redis): two instances, one
 * sandbox, sessions, tokens, the refresh lock, webhook dedupe and the events list in the tables of
 * a schema of this run (dropped afterwards), plus the background refresher.
 */
import request from 'supertest'
import { type StartedCluster, startCluster } from '../../example-app/src/cluster'
import { DATABASE_URL, createTestSchema, type TestSchema } from '../helpers/postgres'
import { waitFor } from '../tokens/stores/redisTestUtils'

jest.setTimeout(60_000)

let schema: TestSchema | undefined
let cluster: StartedCluster | undefined

beforeAll(async () => {
  schema = await createTestSchema('example')
  // jitterMs 0: the refresher's first run happens at once (nothing stored yet), the next one a
  // minute later, so the test's runOnce() is the only refresh. No REDIS_URL: nothing may need Redis.
  cluster = await startCluster({ PORT: '0', DATABASE_URL, DATABASE_SCHEMA: schema.name }, { refresher: { jitterMs: 0 } })
})

afterAll(async () => {
  await cluster?.close()
  await schema?.drop()
})

/** The started cluster and schema (beforeAll failed otherwise). */
function started(): { cluster: StartedCluster; schema: TestSchema } {
  if (cluster === undefined || schema === undefined) throw new Error('the cluster did not start')
  return { cluster, schema }
}

const count = async (table: string): Promise<number> => {
  const { schema } = started()
  return Number((await schema.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema.name}.${table}`)).rows[0]?.n)
}

test('two instances on PostgreSQL alone: log in on A, continue on B; one refresh by the refresher; a revocation webhook reaches both', async () => {
  const { cluster, schema } = started()
  expect(cluster.redisURL).toBeUndefined()
  expect(cluster.databaseURL).toBe(DATABASE_URL)
  const [a, b] = cluster.instances
  const sandbox = cluster.sandbox!
  sandbox.setAutoApprove(true)
  sandbox.setAccessTokenTtl(600) // expires within the refresher's 15-minute window

  const onA = request.agent(a.listenURL)
  const start = await onA.get('/auth/lexoffice').expect(302)
  const authorize = await fetch(start.headers.location, { redirect: 'manual' })
  const callback = new URL(authorize.headers.get('location')!)
  const loggedIn = await onA.get(`${callback.pathname}${callback.search}`).expect(302).expect('location', '/')
  const cookie = (loggedIn.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ')

  // B knows the session (PostgreSQL session table) and the tokens (PostgreSQL token store).
  const homeOnB = await request(b.listenURL).get('/').set('cookie', cookie).expect(200)
  expect(homeOnB.text).toContain(sandbox.user.userName)
  const contactsOnB = await request(b.listenURL).get('/contacts').set('cookie', cookie).set('accept', 'text/html').expect(200)
  expect(contactsOnB.text).toContain('data-testid="contacts"')
  expect(await count('example_sessions')).toBeGreaterThanOrEqual(1)
  expect(await count('lexoffice_tokens')).toBe(1)
  // Encrypted at rest: the stored row holds no token.
  const connectionId = sandbox.connections().find((c) => c.state === 'active')!.connectionId
  const key = (await b.lexoffice.manager.listConnections()).at(0)?.key
  if (key === undefined) throw new Error('no connection stored')
  const token = await b.lexoffice.manager.getAccessToken(key)
  const { rows } = await schema.pool.query<{ data: string }>(`SELECT data FROM ${schema.name}.lexoffice_tokens`)
  expect(rows[0]?.data).toMatch(/^v1\./)
  expect(rows[0]?.data).not.toContain(token)

  // The refresher (instance A's manager) refreshes the due connection once, under the PostgreSQL lock.
  await a.subscriptions!.idle()
  const before = sandbox.tokenCalls('refresh_token')
  expect(await cluster.refresher.runOnce()).toMatchObject({ scanned: 1, refreshed: 1, failed: 0, lost: 0 })
  expect(sandbox.tokenCalls('refresh_token')).toBe(before + 1)
  expect(await b.lexoffice.manager.tokenInfo(key)).toMatchObject({ state: 'active', refreshCount: 1 })
  expect(await count('lexoffice_locks')).toBe(0)

  // lexoffice revokes: its token.revoked webhook is claimed once (PostgreSQL dedupe), listed on both
  // instances (PostgreSQL events), and B sees the connection lost.
  sandbox.revokeConnection(connectionId, 'user_disconnected')
  await sandbox.webhooksIdle()
  expect(sandbox.webhookDeliveries.filter((d) => d.eventType === 'token.revoked').map((d) => d.outcome)).toEqual(['delivered'])
  // The handler runs after its 204: wait for the event to be listed.
  await waitFor(async () => (await a.events.list()).some((e) => e.eventType === 'token.revoked'))
  expect(await count('lexoffice_webhook_claims')).toBe(1)
  expect((await b.events.list()).map((e) => e.eventType)).toContain('token.revoked')
  expect(await b.lexoffice.manager.tokenInfo(key)).toMatchObject({ state: 'lost' })
})

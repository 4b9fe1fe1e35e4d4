/**
 * PostgresWebhookDedupeStore on the real PostgreSQL (two pools = two processes), and
 * lexofficeWebhooks with it in two webhook "processes" behind a load balancer.
 */
import { inspect } from 'node:util'
import { Pool } from 'pg'
import { PostgresWebhookDedupeStore } from '../../lib/postgres/PostgresWebhookDedupeStore'
import { closedPort, waitFor } from '../tokens/stores/redisTestUtils'
import { makeDelivery, startInstance, type Instance } from '../webhooks/dedupe/helpers'
import { createTestSchema, testPool, type TestSchema } from '../helpers/postgres'

let schema: TestSchema
let other: Pool
let table: string
let storeA: PostgresWebhookDedupeStore
let storeB: PostgresWebhookDedupeStore
const started: Instance[] = []

beforeAll(async () => {
  schema = await createTestSchema('dedupe')
  other = testPool()
  const tables = await schema.tables('main')
  table = tables.webhookClaims
  storeA = new PostgresWebhookDedupeStore({ pool: schema.pool, tables })
  storeB = new PostgresWebhookDedupeStore({ pool: other, tables })
})
afterEach(async () => {
  await Promise.all(started.splice(0).map((instance) => instance.close()))
})
afterAll(async () => {
  await other.end()
  await schema.drop()
})

const rowOf = async (eventId: string, from: string = table): Promise<{ token: string; ms: number } | undefined> =>
  (
    await schema.pool.query<{ token: string; ms: number }>(
      `SELECT token, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::float8 AS ms FROM ${from} WHERE event_id = $1`,
      [eventId],
    )
  ).rows[0]

test('a claim is one row: the event id, a random token, the expiry on the database clock', async () => {
  const id = 'org|invoice.created|res|2024-01-01T00:00:00.000Z'
  const claim = await storeA.claim(id, 60_000)
  expect(claim).toEqual({ release: expect.any(Function) as unknown })
  const row = await rowOf(id)
  expect(row?.token).toMatch(/^[0-9a-f]{32}$/)
  expect(row?.ms).toBeGreaterThan(55_000)
  expect(row?.ms).toBeLessThanOrEqual(60_000)
})

test('two processes claiming the same id at once: exactly one wins', async () => {
  for (let round = 0; round < 10; round += 1) {
    const id = `race-${round}`
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? storeA : storeB).claim(id, 60_000)))
    expect(claims.filter((c) => c !== undefined)).toHaveLength(1)
  }
})

test('release() frees the id for the next claim, from any process', async () => {
  const claim = await storeA.claim('e1', 60_000)
  await expect(storeB.claim('e1', 60_000)).resolves.toBeUndefined()
  await claim?.release()
  await expect(rowOf('e1')).resolves.toBeUndefined()
  await expect(storeB.claim('e1', 60_000)).resolves.toBeDefined()
})

test('an expired claim can be taken again; the late release of the old claim leaves the new one alone', async () => {
  const old = await storeA.claim('e2', 50)
  let fresh: Awaited<ReturnType<PostgresWebhookDedupeStore['claim']>>
  await waitFor(async () => (fresh = await storeB.claim('e2', 60_000)) !== undefined, 5000)
  await old?.release()
  expect((await rowOf('e2'))?.ms).toBeGreaterThan(50_000)
  await expect(storeA.claim('e2', 60_000)).resolves.toBeUndefined()
  await fresh?.release()
})

test('prune() deletes expired claims only; claims prune by themselves once per pruneIntervalMs', async () => {
  const tables = await schema.tables('prune')
  const manual = new PostgresWebhookDedupeStore({ pool: schema.pool, tables, pruneIntervalMs: 0 })
  await manual.claim('short-1', 1)
  await manual.claim('short-2', 1)
  await manual.claim('long', 60_000)
  const count = async (): Promise<number> =>
    Number((await schema.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${tables.webhookClaims}`)).rows[0]?.n)
  await waitFor(
    async () => (await schema.pool.query(`SELECT 1 FROM ${tables.webhookClaims} WHERE expires_at > clock_timestamp()`)).rowCount === 1,
  )
  expect(await count()).toBe(3)
  await expect(manual.prune()).resolves.toBe(2)
  expect(await count()).toBe(1)

  const auto = new PostgresWebhookDedupeStore({ pool: schema.pool, tables, pruneIntervalMs: 1 })
  await schema.pool.query(`INSERT INTO ${tables.webhookClaims} VALUES ('expired', 'x', clock_timestamp() - interval '1 second')`)
  const expired = async (): Promise<number> =>
    (await schema.pool.query(`SELECT 1 FROM ${tables.webhookClaims} WHERE expires_at <= clock_timestamp()`)).rowCount ?? -1
  expect(await expired()).toBe(1)
  // A claim after the interval starts a prune in the background.
  let n = 0
  await waitFor(async () => {
    await auto.claim(`another-${++n}`, 60_000)
    return (await expired()) === 0
  })
  expect(await count()).toBe(1 + n)
})

test('bad arguments and options are TypeErrors', async () => {
  await expect(storeA.claim('', 1000)).rejects.toThrow(TypeError)
  await expect(storeA.claim('x', 0)).rejects.toThrow(TypeError)
  await expect(storeA.claim('a\u0000b', 1000)).rejects.toThrow(TypeError)
  expect(() => new PostgresWebhookDedupeStore({} as never)).toThrow(/"pool"/)
  expect(() => new PostgresWebhookDedupeStore({ pool: schema.pool, prefix: 'x' } as never)).toThrow(/unknown/)
  expect(() => new PostgresWebhookDedupeStore({ pool: schema.pool, tables: { webhookClaims: 'x;y' } })).toThrow(TypeError)
})

test('PostgreSQL down: claim rejects STORE_UNAVAILABLE fast and secret-free', async () => {
  const offline = new Pool({
    host: '127.0.0.1',
    port: await closedPort(),
    user: 'postgres',
    password: 'pw-secret',
    connectionTimeoutMillis: 1000,
  })
  try {
    const down = new PostgresWebhookDedupeStore({ pool: offline, tables: { webhookClaims: table } })
    const err = await down.claim('e3', 1000).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'LexofficeError', code: 'STORE_UNAVAILABLE', status: 503 })
    expect((err as Error).message).toMatch(/webhook dedupe store \(PostgreSQL\)/)
    expect(`${inspect(err, { depth: 5, showHidden: true })} ${JSON.stringify(err)}`).not.toContain('pw-secret')
  } finally {
    await offline.end()
  }
})

test('lexofficeWebhooks in two processes sharing PostgreSQL: a delivery repeated to the other process runs the handler once', async () => {
  const tables = await schema.tables('handler')
  const [one, two] = await Promise.all([
    startInstance({ dedupe: new PostgresWebhookDedupeStore({ pool: schema.pool, tables }) }),
    startInstance({ dedupe: new PostgresWebhookDedupeStore({ pool: other, tables }) }),
  ])
  started.push(one, two)
  const delivery = makeDelivery()
  expect(await one.deliver(delivery)).toBe(204)
  await one.drain()
  expect(await two.deliver(delivery)).toBe(204)
  await two.drain()
  expect(one.handled(delivery) + two.handled(delivery)).toBe(1)
  expect(one.onError.calls).toEqual([])
  expect(two.onError.calls).toEqual([])
  expect(await rowOf(delivery.eventId, tables.webhookClaims)).toBeDefined()
})

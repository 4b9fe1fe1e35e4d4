/**
 * PostgresLock on the real PostgreSQL: two pools play two processes sharing one database.
 * TTL expiry is observed by polling, never by sleeping a fixed time.
 */
import { Pool } from 'pg'
import { PostgresLock } from '../../lib/postgres/PostgresLock'
import type { LockHandle } from '../../lib/tokens/TokenStore'
import { waitFor } from '../tokens/stores/redisTestUtils'
import { createTestSchema, testPool, type TestSchema } from '../helpers/postgres'

let schema: TestSchema
let other: Pool
let lockA: PostgresLock
let lockB: PostgresLock
let table: string

beforeAll(async () => {
  schema = await createTestSchema('lock')
  other = testPool()
  const tables = await schema.tables('main')
  table = tables.locks
  lockA = new PostgresLock({ pool: schema.pool, tables })
  lockB = new PostgresLock({ pool: other, tables })
})

afterAll(async () => {
  await other.end()
  await schema.drop()
})

/** Remaining lease of `key` in ms by the database's clock, or undefined when there is no row. */
async function leaseLeft(key: string): Promise<{ owner: string; ms: number } | undefined> {
  const { rows } = await schema.pool.query<{ owner: string; ms: number }>(
    `SELECT owner, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::float8 AS ms FROM ${table} WHERE key = $1`,
    [key],
  )
  return rows[0]
}

test('mutual exclusion across pools until release; keys are independent', async () => {
  const a = await lockA.tryAcquire('k1', 10_000)
  expect(a).toBeDefined()
  await expect(lockB.tryAcquire('k1', 10_000)).resolves.toBeUndefined()
  await expect(lockA.tryAcquire('k1', 10_000)).resolves.toBeUndefined()
  const otherKey = await lockB.tryAcquire('k1-other', 10_000)
  expect(otherKey).toBeDefined()
  await a?.release()
  const b = await lockB.tryAcquire('k1', 10_000)
  expect(b).toBeDefined()
  await b?.release()
  await otherKey?.release()
})

test('20 parallel acquirers on two pools: exactly one gets the lock', async () => {
  const handles = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? lockA : lockB).tryAcquire('k2', 10_000)))
  const won = handles.filter((h): h is LockHandle => h !== undefined)
  expect(won).toHaveLength(1)
  await won[0]?.release()
})

test('the row holds a random owner token and the TTL on the database clock; release deletes it', async () => {
  const a = await lockA.tryAcquire('k3', 10_000)
  const first = await leaseLeft('k3')
  expect(first?.owner).toMatch(/^[0-9a-f]{32}$/)
  expect(first?.ms).toBeGreaterThan(8_000)
  expect(first?.ms).toBeLessThanOrEqual(10_000)
  await a?.release()
  await expect(leaseLeft('k3')).resolves.toBeUndefined()
  const b = await lockA.tryAcquire('k3', 10_000)
  expect((await leaseLeft('k3'))?.owner).not.toBe(first?.owner)
  await b?.release()
})

test("TTL expiry lets another take it; the expired holder can neither release nor extend the new holder's lock", async () => {
  const a = await lockA.tryAcquire('k4', 100)
  expect(a).toBeDefined()
  let b: LockHandle | undefined
  await waitFor(async () => (b = await lockB.tryAcquire('k4', 10_000)) !== undefined, 5000)
  await a?.release()
  await expect(a?.extend(10_000)).resolves.toBe(false)
  await expect(lockA.tryAcquire('k4', 10_000)).resolves.toBeUndefined()
  expect((await leaseLeft('k4'))?.ms).toBeGreaterThan(5_000)
  await b?.release()
  const c = await lockA.tryAcquire('k4', 10_000)
  expect(c).toBeDefined()
  await c?.release()
})

test('extend pushes the TTL out while held, resolves false once released, and false once expired', async () => {
  const a = await lockA.tryAcquire('k5', 500)
  await expect(a?.extend(30_000)).resolves.toBe(true)
  expect((await leaseLeft('k5'))?.ms).toBeGreaterThan(20_000)
  await a?.release()
  await expect(a?.extend(30_000)).resolves.toBe(false)
  await expect(leaseLeft('k5')).resolves.toBeUndefined()
  // An expired lease is not revived by its former holder, even while nobody else took it.
  const c = await lockA.tryAcquire('k5', 50)
  await waitFor(async () => ((await leaseLeft('k5'))?.ms ?? 0) < 0, 5000)
  await expect(c?.extend(30_000)).resolves.toBe(false)
})

test('pool gone while holding: release() does not reject, extend() rejects STORE_UNAVAILABLE, the lock frees itself by TTL', async () => {
  const third = testPool()
  const lockC = new PostgresLock({ pool: third, tables: { locks: table } })
  const c = await lockC.tryAcquire('k6', 300)
  expect(c).toBeDefined()
  await third.end()
  await expect(c?.release()).resolves.toBeUndefined()
  await expect(c?.extend(1000)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 })
  await expect(lockA.tryAcquire('k6', 10_000)).resolves.toBeUndefined()
  let a: LockHandle | undefined
  await waitFor(async () => (a = await lockA.tryAcquire('k6', 10_000)) !== undefined, 5000)
  await a?.release()
})

test('rejects bad TTLs, keys and options', async () => {
  await expect(lockA.tryAcquire('k7', 0)).rejects.toThrow(TypeError)
  await expect(lockA.tryAcquire('k7', 1.5)).rejects.toThrow(TypeError)
  await expect(lockA.tryAcquire('', 1000)).rejects.toThrow(TypeError)
  await expect(lockA.tryAcquire('a\u0000', 1000)).rejects.toThrow(TypeError)
  expect(() => new PostgresLock({ pool: schema.pool, tables: { locks: 'bad-name' } })).toThrow(TypeError)
  expect(() => new PostgresLock({ pool: schema.pool, prefix: 'x' } as never)).toThrow(/unknown PostgresLock option "prefix"/)
})

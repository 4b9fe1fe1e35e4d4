import { RedisLock } from '../../../lib/redis/RedisLock'
import { connectClient, deletePrefix, uniquePrefix, waitFor, type ClientKind, type TestClient } from './redisTestUtils'

describe.each<ClientKind>(['node-redis', 'ioredis'])('RedisLock via %s (real Redis)', (kind) => {
  const prefix = uniquePrefix(`lock-${kind}`)
  // Two connections = two "processes" sharing one Redis.
  let one: TestClient
  let two: TestClient
  let lockA: RedisLock
  let lockB: RedisLock

  beforeAll(async () => {
    one = await connectClient(kind)
    two = await connectClient(kind)
    lockA = new RedisLock({ client: one.client, prefix })
    lockB = new RedisLock({ client: two.client, prefix })
  })

  afterAll(async () => {
    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed (Redis down) */
    if (one) await deletePrefix(one, prefix)
    await one?.close()
    await two?.close()
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  })

  test('mutual exclusion across clients until release; keys are independent', async () => {
    const a = await lockA.tryAcquire('k1', 10_000)
    expect(a).toBeDefined()
    await expect(lockB.tryAcquire('k1', 10_000)).resolves.toBeUndefined()
    await expect(lockA.tryAcquire('k1', 10_000)).resolves.toBeUndefined()
    const other = await lockB.tryAcquire('k1-other', 10_000)
    expect(other).toBeDefined()
    await a!.release()
    const b = await lockB.tryAcquire('k1', 10_000)
    expect(b).toBeDefined()
    await b!.release()
    await other!.release()
  })

  test('20 parallel acquirers: exactly one gets the lock', async () => {
    const handles = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? lockA : lockB).tryAcquire('k2', 10_000)))
    expect(handles.filter(Boolean)).toHaveLength(1)
    await handles.find(Boolean)!.release()
  })

  test('the key holds a random owner token with the TTL (SET NX PX)', async () => {
    const a = (await lockA.tryAcquire('k3', 10_000))!
    const owner1 = await one.send(['GET', `${prefix}k3`])
    const pttl = Number(await one.send(['PTTL', `${prefix}k3`]))
    expect(pttl).toBeGreaterThan(8_000)
    expect(pttl).toBeLessThanOrEqual(10_000)
    await a.release()
    expect(await one.send(['GET', `${prefix}k3`])).toBeNull()
    const b = (await lockA.tryAcquire('k3', 10_000))!
    const owner2 = await one.send(['GET', `${prefix}k3`])
    expect(owner1).toMatch(/^[0-9a-f]{32}$/)
    expect(owner2).not.toBe(owner1)
    await b.release()
  })

  test("TTL expiry lets another take it; the expired holder can neither release nor extend the new holder's lock", async () => {
    const a = (await lockA.tryAcquire('k4', 100))!
    expect(a).toBeDefined()
    let b: Awaited<ReturnType<RedisLock['tryAcquire']>>
    await waitFor(async () => (b = await lockB.tryAcquire('k4', 10_000)) !== undefined, 5000)
    await a.release()
    await expect(a.extend(10_000)).resolves.toBe(false)
    // B still holds it.
    await expect(lockA.tryAcquire('k4', 10_000)).resolves.toBeUndefined()
    expect(Number(await one.send(['PTTL', `${prefix}k4`]))).toBeGreaterThan(5_000)
    await b!.release()
    const c = await lockA.tryAcquire('k4', 10_000)
    expect(c).toBeDefined()
    await c!.release()
  })

  test('extend pushes the TTL out while held, and resolves false once released', async () => {
    const a = (await lockA.tryAcquire('k5', 500))!
    await expect(a.extend(30_000)).resolves.toBe(true)
    expect(Number(await one.send(['PTTL', `${prefix}k5`]))).toBeGreaterThan(20_000)
    await a.release()
    await expect(a.extend(30_000)).resolves.toBe(false)
    expect(await one.send(['EXISTS', `${prefix}k5`])).toBe(0)
  })

  test('client gone while holding: release() does not reject, extend() rejects STORE_UNAVAILABLE, the lock frees itself by TTL', async () => {
    const third = await connectClient(kind)
    const lockC = new RedisLock({ client: third.client, prefix })
    const c = (await lockC.tryAcquire('k6', 300))!
    await third.close()
    await expect(c.release()).resolves.toBeUndefined()
    await expect(c.extend(1000)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 })
    await expect(lockA.tryAcquire('k6', 10_000)).resolves.toBeUndefined()
    let a: Awaited<ReturnType<RedisLock['tryAcquire']>>
    await waitFor(async () => (a = await lockA.tryAcquire('k6', 10_000)) !== undefined, 5000)
    await a!.release()
  })

  test('rejects bad TTLs and keys', async () => {
    await expect(lockA.tryAcquire('k7', 0)).rejects.toThrow(TypeError)
    await expect(lockA.tryAcquire('k7', 1.5)).rejects.toThrow(TypeError)
    await expect(lockA.tryAcquire('', 1000)).rejects.toThrow(TypeError)
  })
})

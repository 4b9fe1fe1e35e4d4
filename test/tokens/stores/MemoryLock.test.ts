import { MemoryLock } from '../../../lib/tokens/locks/MemoryLock'

describe('MemoryLock', () => {
  let now = 1_000
  const lock = new MemoryLock({ now: () => now })

  test('mutual exclusion until release', async () => {
    const a = await lock.tryAcquire('k1', 100)
    expect(a).toBeDefined()
    await expect(lock.tryAcquire('k1', 100)).resolves.toBeUndefined()
    expect(await lock.tryAcquire('other', 100)).toBeDefined()
    await a!.release()
    expect(await lock.tryAcquire('k1', 100)).toBeDefined()
  })

  test("TTL expiry frees the lock; the expired holder cannot release or extend the new holder's lock", async () => {
    const a = (await lock.tryAcquire('k2', 100))!
    now += 99
    await expect(lock.tryAcquire('k2', 100)).resolves.toBeUndefined()
    now += 1
    const b = (await lock.tryAcquire('k2', 100))!
    expect(b).toBeDefined()
    await a.release()
    await expect(a.extend(1000)).resolves.toBe(false)
    await expect(lock.tryAcquire('k2', 100)).resolves.toBeUndefined()
    await b.release()
    expect(await lock.tryAcquire('k2', 100)).toBeDefined()
  })

  test('extend pushes the expiry out while held', async () => {
    const a = (await lock.tryAcquire('k3', 100))!
    now += 90
    await expect(a.extend(100)).resolves.toBe(true)
    now += 90
    await expect(lock.tryAcquire('k3', 100)).resolves.toBeUndefined()
    now += 10
    expect(await lock.tryAcquire('k3', 100)).toBeDefined()
  })

  test('works with the real clock by default and rejects bad TTLs', async () => {
    const real = new MemoryLock()
    await expect(real.tryAcquire('k', 0)).rejects.toThrow(TypeError)
    const h = (await real.tryAcquire('k', 60_000))!
    await expect(real.tryAcquire('k', 60_000)).resolves.toBeUndefined()
    await h.release()
  })
})

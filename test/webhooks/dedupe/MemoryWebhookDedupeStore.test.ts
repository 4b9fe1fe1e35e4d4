/**
 * The in-process dedupe store. Time is Jest's fake clock (Date.now), so TTL expiry is tested
 * without waiting.
 */
import { MemoryWebhookDedupeStore } from '../../../lib/webhooks/dedupe/MemoryWebhookDedupeStore'

beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2024-05-06T00:00:00Z') })
})
afterEach(() => {
  jest.useRealTimers()
})

test('the first claim of an id gets a claim; a second one gets undefined', async () => {
  const store = new MemoryWebhookDedupeStore()
  expect(await store.claim('e1', 60_000)).toEqual({ release: expect.any(Function) })
  expect(await store.claim('e1', 60_000)).toBeUndefined()
  expect(await store.claim('e2', 60_000)).toBeDefined()
  expect(store.size).toBe(2)
})

test('a claim ends after its TTL, and not a millisecond earlier', async () => {
  const store = new MemoryWebhookDedupeStore()
  await store.claim('e1', 1000)
  jest.advanceTimersByTime(999)
  expect(await store.claim('e1', 1000)).toBeUndefined()
  jest.advanceTimersByTime(1)
  expect(await store.claim('e1', 1000)).toBeDefined()
})

test('release() frees the id; a late release of an expired claim leaves the newer claim alone', async () => {
  const store = new MemoryWebhookDedupeStore()
  const first = await store.claim('e1', 1000)
  await first!.release()
  const second = await store.claim('e1', 1000)
  expect(second).toBeDefined()
  jest.advanceTimersByTime(1000)
  const third = await store.claim('e1', 1000) // second expired; third is the holder now
  expect(third).toBeDefined()
  await second!.release()
  expect(await store.claim('e1', 1000)).toBeUndefined()
  await third!.release()
  expect(await store.claim('e1', 1000)).toBeDefined()
})

test('maxEntries: a claim is never pushed out before its TTL; a full store refuses new claims until one expires', async () => {
  const store = new MemoryWebhookDedupeStore({ maxEntries: 2 })
  await store.claim('a', 60_000)
  await store.claim('b', 30_000)
  await expect(store.claim('c', 60_000)).rejects.toMatchObject({ name: 'LexofficeError', code: 'STORE_UNAVAILABLE', status: 503 })
  expect(await store.claim('a', 60_000)).toBeUndefined()
  expect(await store.claim('b', 60_000)).toBeUndefined()
  jest.advanceTimersByTime(30_000) // b expired: it makes room
  expect(await store.claim('c', 60_000)).toBeDefined()
  expect(store.size).toBe(2)
  expect(await store.claim('a', 60_000)).toBeUndefined()
  expect(await store.claim('c', 60_000)).toBeUndefined()
})

test('the default holds 10,000 claims', async () => {
  const store = new MemoryWebhookDedupeStore()
  for (let i = 0; i < 10_000; i++) await store.claim(`e${i}`, 60_000)
  await expect(store.claim('one-more', 60_000)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
  expect(await store.claim('e0', 60_000)).toBeUndefined()
})

test('bad options and arguments: TypeError naming them', async () => {
  expect(() => new MemoryWebhookDedupeStore({ maxEntries: 0 })).toThrow(/"maxEntries" must be between 1 and 1000000/)
  expect(() => new MemoryWebhookDedupeStore({ max: 3 } as never)).toThrow(/unknown MemoryWebhookDedupeStore option "max"/)
  expect(() => new MemoryWebhookDedupeStore(null as never)).toThrow(TypeError)
  const store = new MemoryWebhookDedupeStore()
  await expect(store.claim('', 1000)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE', message: '"eventId" must not be empty' })
  await expect(store.claim('x'.repeat(1025), 1000)).rejects.toThrow(/"eventId" must be at most 1024 characters/)
  await expect(store.claim('e', 0)).rejects.toThrow(/"ttlMs"/)
  await expect(store.claim('e', 1.5)).rejects.toThrow(/"ttlMs" must be an integer/)
  expect(store.size).toBe(0)
})

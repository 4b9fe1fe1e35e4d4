/**
 * In-process pacing, proven on the limiter's schedule rather than by a server counting 429s in
 * real time (which a stalled machine can trip): every call books one slot, waits for it, and is
 * sent once. The real-time truth against a strict bucket across processes is in
 * pacing.redis.test.ts.
 */
import { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { LexofficeRequestInfo } from '../../lib/client/LexofficeClientOptions'
import { MemoryRateLimiter } from '../../lib/client/rateLimit/MemoryRateLimiter'
import { expectedWaits, scheduleClock } from '../helpers/scheduleClock'
import { clientOnClock } from './helpers/clientOnClock'
import { startTestServer, type TestServer } from './helpers/testServer'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer(() => ({ status: 200, body: { organizationId: 'org' } }))
})
afterAll(() => server.close())
beforeEach(() => {
  server.seen.length = 0
})

test('10 concurrent calls through the limiter: each waits for its own slot, 1000/rate apart, and is sent once', async () => {
  const clock = scheduleClock()
  const requests: LexofficeRequestInfo[] = []
  const client = clientOnClock(
    {
      apiKey: 'pacing-key',
      apiURL: server.url,
      rateLimit: { limiter: new MemoryRateLimiter({ ratePerSecond: 5 }, { now: clock.now, sleep: clock.sleep }) },
      retry: { retries: 0, rateLimitRetries: 0 },
      hooks: { onRequest: (i) => requests.push(i) },
    },
    clock,
  )
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.profile.get()))
  expect(results.filter((r) => r.status === 'rejected')).toEqual([])
  expect(clock.waits).toEqual(expectedWaits(10, 5, 1))
  // Each request went out after the wait of its slot, once.
  expect(requests.map((r) => r.rateLimitWaitMs).sort((a, b) => a - b)).toEqual(expectedWaits(10, 5, 1))
  expect(requests.map((r) => r.attempt)).toEqual(Array.from({ length: 10 }, () => 1))
  expect(server.seen).toHaveLength(10)
})

test('clients built per request share the default budget of their connection', async () => {
  // Six clients of one API key, each with a default (in-memory) limiter: one budget, so their
  // waits are spaced (an own budget each would let all six go at once, every wait 0). Real time,
  // at 20/s: the six slots are 50 ms apart; they are booked together, so only a stall of 50 ms
  // between two bookings in one turn of the event loop could make two waits equal.
  const requests: LexofficeRequestInfo[] = []
  const make = (): LexofficeClient =>
    new LexofficeClient({
      apiKey: 'shared-default-key',
      apiURL: server.url,
      rateLimit: { ratePerSecond: 20 },
      retry: { retries: 0, rateLimitRetries: 0 },
      hooks: { onRequest: (i) => requests.push(i) },
    })
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => make().profile.get()))
  expect(results.filter((r) => r.status === 'rejected')).toEqual([])
  const waits = requests.map((r) => r.rateLimitWaitMs).sort((a, b) => a - b)
  expect(waits).toHaveLength(6)
  expect(new Set(waits).size).toBe(6)
  expect(server.seen).toHaveLength(6)
})

describe('MemoryRateLimiter schedule (injected clock)', () => {
  test('burst 1: slots spaced by 1000/rate; penalize pushes the schedule back', () => {
    let now = 1_000_000
    const limiter = new MemoryRateLimiter({ ratePerSecond: 2 }, { now: () => now })
    expect([limiter.reserve('a'), limiter.reserve('a'), limiter.reserve('a')]).toEqual([0, 500, 1000])
    expect(limiter.reserve('b')).toBe(0)
    now += 2000
    expect(limiter.reserve('a')).toBe(0)
    void limiter.penalize('a', 3000)
    expect(limiter.reserve('a')).toBe(3500)
  })

  test('burst 2 lets two leave at once, then paces', () => {
    const limiter = new MemoryRateLimiter({ ratePerSecond: 4, burst: 2 }, { now: () => 0 })
    expect([limiter.reserve('k'), limiter.reserve('k'), limiter.reserve('k'), limiter.reserve('k')]).toEqual([0, 0, 250, 500])
  })

  test('the clock is a constructor seam, not an option', () => {
    expect(() => new MemoryRateLimiter({ ratePerSecond: 2, now: () => 0 } as never)).toThrow(/now/)
  })
})

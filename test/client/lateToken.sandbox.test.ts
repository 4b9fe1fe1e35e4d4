/**
 * The client takes the rate-limit slot first and reads the token then (tokenAfterSlot.sandbox.test.ts).
 * When that read is slow (the token is being refreshed), the slot is stale by the time the token
 * comes: calls whose slots were spaced out would leave together and arrive as a burst. Found by
 * the soak: three calls of one connection waited for the same refresh and reached the sandbox
 * within 48 ms; its bucket (2 per second, burst 2) refused the third. A call whose token read
 * outlasted its slot must book a new slot before it is sent.
 *
 * On a schedule clock (test/helpers/scheduleClock.ts): the limiter and the transport's timing of
 * the token read share one clock that only the token provider moves (a slow read advances it), so
 * the tests prove the slots booked, not a timing, and wait for nothing.
 */
import type { AccessTokenProvider } from '../../lib/client/AccessTokenProvider'
import type { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { LexofficeClientCommonOptions, LexofficeRequestInfo } from '../../lib/client/LexofficeClientOptions'
import { MemoryRateLimiter } from '../../lib/client/rateLimit/MemoryRateLimiter'
import type { RateLimiter } from '../../lib/client/rateLimit/RateLimiter'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { type ScheduleClock, scheduleClock } from '../helpers/scheduleClock'
import { clientOnClock } from './helpers/clientOnClock'
import { sandboxProvider } from './helpers/sandboxProvider'

let sandbox: Sandbox
let clock: ScheduleClock
beforeEach(async () => {
  // Pacing is the client's here: the sandbox, on real time, does not count the rate.
  sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: false } })
  clock = scheduleClock()
})
afterEach(() => sandbox.close())

/** A client whose transport times token reads on the test's clock. */
function clientOn(provider: AccessTokenProvider, options: LexofficeClientCommonOptions): LexofficeClient {
  return clientOnClock({ apiURL: sandbox.endpoints.apiURL, ...options, tokenProvider: provider }, clock)
}

/** A MemoryRateLimiter on the test's clock that records the instant of every slot it booked. */
function recordingLimiter(ratePerSecond: number): RateLimiter & { slots: number[]; intervalMs: number } {
  const inner = new MemoryRateLimiter({ ratePerSecond }, { now: clock.now, sleep: clock.sleep })
  const limiter = {
    slots: [] as number[],
    intervalMs: 1000 / ratePerSecond,
    acquire: async (key: string, signal?: AbortSignal) => {
      const at = clock.now()
      const wait = await inner.acquire(key, signal)
      limiter.slots.push(at + wait)
      return wait
    },
  }
  return limiter
}

test('calls released together by one slow token read are booked new slots, one interval apart, after the read', async () => {
  const tokens = await sandboxProvider(sandbox)
  // A refresh that the three queued calls all wait for: it takes 1 s (on the clock) and completes
  // when the third one asks, after its slot (two intervals after the first).
  const waiting: Array<() => void> = []
  let refreshing = true
  let refreshedAt = 0
  const provider = {
    getAccessToken: async (): Promise<string> => {
      if (refreshing) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve)
          if (waiting.length === 3) {
            refreshing = false
            clock.advance(1000)
            refreshedAt = clock.now()
            for (const release of waiting) release()
          }
        })
      }
      return tokens.getAccessToken()
    },
  }
  const limiter = recordingLimiter(2)
  const requests: LexofficeRequestInfo[] = []
  const client = clientOn(provider, {
    connectionKey: 'late-token-conn',
    rateLimit: { limiter },
    hooks: { onRequest: (i) => requests.push(i) },
  })
  const start = clock.now()
  const results = await Promise.allSettled([0, 1, 2].map(() => client.contacts.list({ page: 0, size: 1 })))
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled'])
  const interval = limiter.intervalMs
  // The first slots, spaced; all three had passed when the refresh ended ...
  expect(limiter.slots.slice(0, 3)).toEqual([start, start + interval, start + 2 * interval])
  // ... so each booked a new one: after the refresh, one interval apart, not three at once.
  const sent = limiter.slots.slice(3)
  expect(sent).toHaveLength(3)
  expect(sent[0]).toBeGreaterThanOrEqual(refreshedAt)
  expect([sent[1] - sent[0], sent[2] - sent[1]]).toEqual([interval, interval])
  // Each call was sent once (a re-booked slot is not a new attempt).
  expect(requests.map((r) => r.attempt)).toEqual([1, 1, 1])
})

test('a prompt token read keeps its slot: one slot per call', async () => {
  const tokens = await sandboxProvider(sandbox)
  const limiter = recordingLimiter(2)
  const client = clientOn(tokens, { connectionKey: 'prompt-conn', rateLimit: { limiter } })
  const start = clock.now()
  await Promise.all([0, 1, 2].map(() => client.contacts.list({ page: 0, size: 1 })))
  expect(limiter.slots).toEqual([start, start + 500, start + 1000])
})

test('a provider that is slow on every read is not re-booked forever: at most 3 slots, then the call is sent', async () => {
  const tokens = await sandboxProvider(sandbox)
  const limiter = recordingLimiter(50)
  // A slow token service: every read takes 150 ms on the clock (more than a slot's 100 ms grace).
  const slow = {
    getAccessToken: (): Promise<string> => {
      clock.advance(150)
      return tokens.getAccessToken()
    },
  }
  const requests: LexofficeRequestInfo[] = []
  const client = clientOn(slow, { connectionKey: 'slow-conn', rateLimit: { limiter }, hooks: { onRequest: (i) => requests.push(i) } })
  await expect(client.contacts.list({ page: 0, size: 1 })).resolves.toBeDefined()
  expect(limiter.slots).toHaveLength(3)
  expect(requests.map((r) => r.attempt)).toEqual([1])
})

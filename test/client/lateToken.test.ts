/**
 * The client takes the rate-limit slot first and reads the token then (tokenAfterSlot.test.ts).
 * When that read is slow (the token is being refreshed), the slot is stale by the time the token
 * comes: calls whose slots were spaced out would leave together and arrive as a burst. Found by
 * the soak: three calls of one connection waited for the same refresh and reached the sandbox
 * within 48 ms; its bucket (2 per second, burst 2) refused the third. A call whose token read
 * outlasted its slot must book a new slot before it is sent.
 */
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import type { LexofficeRequestInfo } from '../../lib/client/LexofficeClientOptions'
import { MemoryRateLimiter } from '../../lib/client/rateLimit/MemoryRateLimiter'
import type { RateLimiter } from '../../lib/client/rateLimit/RateLimiter'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { sandboxProvider } from './helpers/sandboxProvider'

let sandbox: Sandbox
beforeEach(async () => {
  // The sandbox's default API limit: lexoffice's 2 requests per second per connection, burst 2.
  sandbox = await createSandbox({ autoApprove: true })
})
afterEach(() => sandbox.close())

test('calls released together by one slow token read are spaced again: the sandbox refuses none', async () => {
  const tokens = await sandboxProvider(sandbox)
  // A refresh that the three queued calls all wait for; it completes when the third one asks,
  // i.e. about two slots (~1 s) after the first call's slot came.
  const waiting: Array<() => void> = []
  let refreshing = true
  const provider = {
    getAccessToken: async (): Promise<string> => {
      if (refreshing) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve)
          if (waiting.length === 3) {
            refreshing = false
            for (const release of waiting) release()
          }
        })
      }
      return tokens.getAccessToken()
    },
  }
  const requests: LexofficeRequestInfo[] = []
  const client = createLexofficeClient(provider, {
    apiURL: sandbox.endpoints.apiURL,
    connectionKey: 'late-token-conn',
    rateLimit: { limiter: new MemoryRateLimiter() },
    // A 429 must fail the call here, not be retried away.
    retry: { retries: 0, rateLimitRetries: 0 },
    hooks: { onRequest: (i) => requests.push(i) },
  })
  const results = await Promise.allSettled([0, 1, 2].map(() => client.contacts.list({ page: 0, size: 1 })))
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled'])
  expect(sandbox.api.rateLimitStats().limited).toBe(0)
  expect(sandbox.api.rateLimitStats().allowed).toBe(3)
  // Each call was sent once (a re-booked slot is not a new attempt).
  expect(requests.map((r) => r.attempt)).toEqual([1, 1, 1])
})

/** A MemoryRateLimiter that counts the slots booked. */
function countingLimiter(ratePerSecond?: number): RateLimiter & { booked: number } {
  const inner = new MemoryRateLimiter(ratePerSecond === undefined ? {} : { ratePerSecond })
  const limiter = {
    booked: 0,
    acquire: (key: string) => {
      limiter.booked++
      return inner.acquire(key)
    },
  }
  return limiter
}

test('a prompt token read keeps its slot: one slot per call', async () => {
  const tokens = await sandboxProvider(sandbox)
  const limiter = countingLimiter()
  const client = createLexofficeClient(tokens, { apiURL: sandbox.endpoints.apiURL, connectionKey: 'prompt-conn', rateLimit: { limiter } })
  await Promise.all([0, 1, 2].map(() => client.contacts.list({ page: 0, size: 1 })))
  expect(limiter.booked).toBe(3)
  expect(sandbox.api.rateLimitStats()).toEqual({ allowed: 3, limited: 0 })
})

test('a provider that is slow on every read is not re-booked forever: at most 3 slots, then the call is sent', async () => {
  const tokens = await sandboxProvider(sandbox)
  const limiter = countingLimiter(50)
  // Models a slow token service (every read takes 150 ms), not a synchronisation.
  const slow = { getAccessToken: () => new Promise<string>((resolve) => setTimeout(() => resolve(tokens.getAccessToken()), 150)) }
  const client = createLexofficeClient(slow, { apiURL: sandbox.endpoints.apiURL, connectionKey: 'slow-conn', rateLimit: { limiter } })
  await expect(client.contacts.list({ page: 0, size: 1 })).resolves.toBeDefined()
  expect(limiter.booked).toBe(3)
  expect(sandbox.api.rateLimitStats().allowed).toBe(1)
})

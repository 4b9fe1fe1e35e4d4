import { randomUUID } from 'node:crypto'
import { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { RateLimitOptions } from '../../lib/client/LexofficeClientOptions'
import { MemoryRateLimiter } from '../../lib/client/rateLimit/MemoryRateLimiter'
import { expectedWaits, scheduleClock } from '../helpers/scheduleClock'
import { clientOnClock } from './helpers/clientOnClock'
import { startTestServer, type TestServer } from './helpers/testServer'

/**
 * The rate limit's scope. lexoffice does not say whether its 2 requests per second are per
 * connection or per app: by default (`scope: 'client'`) all connections of the app share one
 * budget; `scope: 'connection'` gives each connection its own. Proven on the limiter's schedule
 * (a schedule clock: no real-time waits, nothing that depends on the machine's speed): one budget
 * is one schedule of waits, three budgets are three.
 */
const RATE = 2.5 // 400 ms apart

let server: TestServer
beforeAll(async () => {
  server = await startTestServer(() => ({ status: 200, body: { organizationId: 'org' } }))
})
afterAll(() => server.close())

/** One client per connection, each with a token provider of its own, firing `calls` at once; resolves the waits, sorted. */
async function fire(connections: string[], rateLimit: RateLimitOptions, calls = 2): Promise<number[]> {
  const clock = scheduleClock()
  const limiter = new MemoryRateLimiter({ ratePerSecond: RATE }, { now: clock.now, sleep: clock.sleep })
  const clients = connections.map((key) =>
    clientOnClock(
      {
        tokenProvider: { getAccessToken: () => Promise.resolve(`token-${key}`) },
        connectionKey: key,
        apiURL: server.url,
        rateLimit: { ...rateLimit, limiter },
        retry: { retries: 0, rateLimitRetries: 0 },
      },
      clock,
    ),
  )
  const results = await Promise.allSettled(clients.flatMap((c) => Array.from({ length: calls }, () => c.profile.get())))
  expect(results.filter((r) => r.status === 'rejected')).toEqual([])
  return clock.waits.sort((a, b) => a - b)
}

test("default scope 'client': three connections share the app's budget (one schedule)", async () => {
  expect(await fire(['conn-a', 'conn-b', 'conn-c'], { clientId: `app-${randomUUID()}` })).toEqual(expectedWaits(6, RATE, 1))
})

test("scope 'connection': each connection has its own budget (three schedules)", async () => {
  expect(await fire(['conn-a', 'conn-b', 'conn-c'], { scope: 'connection' })).toEqual([0, 0, 0, 400, 400, 400])
})

test("scope 'client' keys the budget by clientId: two apps have two budgets", async () => {
  const clock = scheduleClock()
  const limiter = new MemoryRateLimiter({ ratePerSecond: RATE }, { now: clock.now, sleep: clock.sleep })
  const client = (clientId: string): LexofficeClient =>
    new LexofficeClient({
      tokenProvider: { getAccessToken: () => Promise.resolve(clientId) },
      apiURL: server.url,
      rateLimit: { limiter, clientId },
      retry: { retries: 0, rateLimitRetries: 0 },
    })
  const one = client(`one-${randomUUID()}`)
  const two = client(`two-${randomUUID()}`)
  await Promise.all([one.profile.get(), two.profile.get(), one.profile.get(), two.profile.get()])
  expect(clock.waits.sort((a, b) => a - b)).toEqual([0, 0, 400, 400])
})

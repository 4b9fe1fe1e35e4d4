import { randomUUID } from 'node:crypto'
import { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { RateLimitOptions } from '../../lib/client/LexofficeClientOptions'
import { startTestServer, strictBucket, type TestServer } from './helpers/testServer'

/**
 * The rate limit's scope. lexoffice does not say whether its 2 requests per second are per
 * connection or per app: by default (`scope: 'client'`) all connections of the app share one
 * budget; `scope: 'connection'` gives each connection its own. The server here counts per app
 * (a strict bucket for everything it receives), so the default never trips it and per-connection
 * budgets do. Behaviour, not timings: the client paces at a quarter of the server's rate.
 */
const SERVER_RATE = 10
// A quarter of the server's rate: only a scheduling delay of over 300 ms on this machine could
// bring two paced requests within the server's 100 ms.
const CLIENT_RATE = 2.5

let server: TestServer
let bucket = strictBucket(SERVER_RATE, 1)
let rejected = 0
beforeAll(async () => {
  server = await startTestServer((req) => {
    if (req.path === '/warmup') return { status: 204 }
    if (bucket.take()) return { status: 200, body: { organizationId: 'org' } }
    rejected++
    return { status: 429, body: { message: 'Rate limit exceeded' } }
  })
})
afterAll(() => server.close())
beforeEach(async () => {
  await fetch(`${server.url}/warmup`)
  bucket = strictBucket(SERVER_RATE, 1)
  rejected = 0
})

/** One client per connection, each with a token provider of its own, firing `calls` at once. */
async function fire(connections: string[], rateLimit: RateLimitOptions, calls = 2): Promise<void> {
  const clients = connections.map(
    (key) =>
      new LexofficeClient({
        tokenProvider: { getAccessToken: () => Promise.resolve(`token-${key}`) },
        connectionKey: key,
        apiURL: server.url,
        rateLimit: { ratePerSecond: CLIENT_RATE, ...rateLimit },
        retry: { retries: 0, rateLimitRetries: 0 },
      }),
  )
  await Promise.allSettled(clients.flatMap((c) => Array.from({ length: calls }, () => c.profile.get())))
}

test("default scope 'client': three connections share the app's budget, the server refuses nothing", async () => {
  await fire(['conn-a', 'conn-b', 'conn-c'], { clientId: `app-${randomUUID()}` })
  expect(rejected).toBe(0)
})

test("scope 'connection' (control): each connection has its own budget, and together they trip the server", async () => {
  const suffix = randomUUID()
  await fire([`a-${suffix}`, `b-${suffix}`, `c-${suffix}`], { scope: 'connection' })
  expect(rejected).toBeGreaterThan(0)
})

test("scope 'client' keys the budget by clientId: two apps have two budgets", async () => {
  const one = new LexofficeClient({
    tokenProvider: { getAccessToken: () => Promise.resolve('t1') },
    apiURL: server.url,
    rateLimit: { ratePerSecond: CLIENT_RATE, clientId: `one-${randomUUID()}` },
    retry: { retries: 0, rateLimitRetries: 0 },
  })
  const two = new LexofficeClient({
    tokenProvider: { getAccessToken: () => Promise.resolve('t2') },
    apiURL: server.url,
    rateLimit: { ratePerSecond: CLIENT_RATE, clientId: `two-${randomUUID()}` },
    retry: { retries: 0, rateLimitRetries: 0 },
  })
  // Both first slots are free at once: two requests arrive together and the burst-1 server refuses one.
  await Promise.allSettled([one.profile.get(), two.profile.get(), one.profile.get(), two.profile.get()])
  expect(rejected).toBeGreaterThan(0)
})

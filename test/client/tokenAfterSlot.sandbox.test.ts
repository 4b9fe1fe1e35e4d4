/**
 * A call queued behind others for its rate-limit slot must not go out with a token read before
 * it waited: with lexoffice's 2 req/s, a long queue outlives short access tokens. The client
 * takes the slot first and reads the token then, also for the retry after a 401.
 */
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { RateLimiter } from '../../lib/client/rateLimit/RateLimiter'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { sandboxProvider } from './helpers/sandboxProvider'
import { startTestServer, type TestServer } from './helpers/testServer'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer(() => ({ status: 200, body: { organizationId: 'org' } }))
})
afterAll(() => server.close())

test('the token is read after the rate-limit slot was granted, not before', async () => {
  const order: string[] = []
  let grant!: () => void
  const granted = new Promise<void>((resolve) => (grant = resolve))
  const limiter: RateLimiter = {
    async acquire() {
      order.push('acquire:start')
      await granted
      order.push('acquire:granted')
      return 0
    },
  }
  let version = 0
  const client = new LexofficeClient({
    apiURL: server.url,
    connectionKey: 'c1',
    rateLimit: { limiter },
    tokenProvider: {
      async getAccessToken() {
        order.push('token')
        return `token-v${version}`
      },
    },
  })
  const call = client.profile.get()
  // While the call waits for its slot, the connection's token is refreshed elsewhere.
  await new Promise((resolve) => setImmediate(resolve))
  version = 1
  grant()
  await call
  expect(order).toEqual(['acquire:start', 'acquire:granted', 'token'])
  expect(server.seen.at(-1)!.headers.authorization).toBe('Bearer token-v1')
})

describe('the retry after a 401', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await createSandbox({ autoApprove: true })
  })
  afterEach(() => sandbox.close())

  test('gets its new token after its slot: a rotation while it waited does not fail the call', async () => {
    const tokens = await sandboxProvider(sandbox)
    let acquires = 0
    const limiter: RateLimiter = {
      async acquire() {
        // While the retry waits for its slot, the connection's token is rotated elsewhere (another
        // process's refresh); the sandbox, like lexoffice, then rejects the previous access token.
        if (++acquires === 2) await tokens.refreshAfterUnauthorized!(tokens.current())
        return 0
      },
    }
    const statuses: Array<number | undefined> = []
    const client = createLexofficeClient(tokens, {
      apiURL: sandbox.endpoints.apiURL,
      connectionKey: 'retry-conn',
      rateLimit: { limiter },
      hooks: { onResponse: (i) => statuses.push(i.status) },
    })
    sandbox.expireAccessTokens()
    await expect(client.profile.get()).resolves.toMatchObject({ organizationId: sandbox.organization.organizationId })
    expect(statuses).toEqual([401, 200])
    expect(acquires).toBe(2)
  })
})

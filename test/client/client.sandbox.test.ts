import { inspect } from 'node:util'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import type { LexofficeResponseInfo } from '../../lib/client/LexofficeClientOptions'
import { LexofficeApiError } from '../../lib/errors'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import { connectUser, sandboxOAuth } from '../refresher/integrationHelpers'
import { REDIRECT as SANDBOX_TEST_REDIRECT } from '../sandbox/helpers'
import { sandboxProvider } from './helpers/sandboxProvider'

/**
 * Pacing is not these tests' subject (resources.sandbox.test.ts and test/client/pacing.test.ts prove
 * it): with the default 2 req/s per connection key, shared by every test of this file, each call
 * waited up to 500 ms in real time. Neither the client nor the sandbox paces here.
 */
const UNPACED = { rateLimit: false } as const

describe('LexofficeClient against the sandbox', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: false } })
  })
  afterEach(() => sandbox.close())

  test('profile.get with an OAuth token', async () => {
    const provider = await sandboxProvider(sandbox)
    const client = createLexofficeClient(provider, { apiURL: sandbox.endpoints.apiURL, connectionKey: 'sandbox-conn', ...UNPACED })
    const profile = await client.profile.get()
    expect(profile.organizationId).toBe(sandbox.organization.organizationId)
    expect(profile.connectionId).toBe(sandbox.connections()[0]?.connectionId)
    expect(profile.created.userEmail).toBe(sandbox.user.userEmail)
  })

  test('an early-invalidated token: 401 -> one refresh (rotation) -> retry succeeds', async () => {
    const provider = await sandboxProvider(sandbox)
    const responses: LexofficeResponseInfo[] = []
    const client = createLexofficeClient(provider, {
      apiURL: sandbox.endpoints.apiURL,
      connectionKey: 'sandbox-conn',
      ...UNPACED,
      hooks: { onResponse: (i) => responses.push(i) },
    })
    const before = provider.current()
    sandbox.expireAccessTokens()
    await expect(client.profile.get()).resolves.toMatchObject({ organizationId: sandbox.organization.organizationId })
    expect(provider.refreshes).toBe(1)
    expect(provider.current()).not.toBe(before)
    expect(responses.map((r) => r.status)).toEqual([401, 200])
  })

  test('a revoked connection: 401, one refresh attempt fails, the typed error surfaces without secrets', async () => {
    const provider = await sandboxProvider(sandbox)
    const token = provider.current()
    const client = createLexofficeClient(provider, { apiURL: sandbox.endpoints.apiURL, connectionKey: 'sandbox-conn', ...UNPACED })
    const [conn] = sandbox.connections()
    sandbox.revokeConnection(conn.connectionId)
    const err: unknown = await client.profile.get().catch((e: unknown) => e)
    // The sandbox refuses the refresh of a revoked connection; our minimal provider throws then.
    expect(provider.refreshes).toBe(1)
    expect(err).toBeInstanceOf(Error)
    expect(inspect(err)).not.toContain(token)

    // With a provider that cannot refresh, the 401 itself is the typed error.
    const staticClient = createLexofficeClient(
      { getAccessToken: async () => token },
      { apiURL: sandbox.endpoints.apiURL, connectionKey: 'sandbox-conn', ...UNPACED },
    )
    const apiErr: unknown = await staticClient.profile.get().catch((e: unknown) => e)
    expect(apiErr).toBeInstanceOf(LexofficeApiError)
    expect((apiErr as LexofficeApiError).code).toBe('API_UNAUTHORIZED')
    expect(JSON.stringify(apiErr)).not.toContain(token)
  })

  test("with the real TokenManager: manager.providerFor(key) drives the client's 401 refresh", async () => {
    const manager = new TokenManager({ store: new MemoryTokenStore(), oauth: sandboxOAuth(sandbox), refreshJitterMs: 0 })
    sandbox.addRedirectUri(SANDBOX_TEST_REDIRECT)
    const { secrets } = await connectUser(sandbox, manager, 'user-1')
    const hookDump: string[] = []
    const client = createLexofficeClient(manager.providerFor('user-1'), {
      apiURL: sandbox.endpoints.apiURL,
      connectionKey: 'user-1',
      ...UNPACED,
      hooks: { onRequest: (i) => hookDump.push(JSON.stringify(i)), onResponse: (i) => hookDump.push(JSON.stringify(i)) },
    })
    await expect(client.profile.get()).resolves.toMatchObject({ organizationId: sandbox.organization.organizationId })
    expect(sandbox.tokenCalls('refresh_token')).toBe(0)

    sandbox.expireAccessTokens()
    await expect(client.profile.get()).resolves.toMatchObject({ organizationId: sandbox.organization.organizationId })
    expect(sandbox.tokenCalls('refresh_token')).toBe(1)
    for (const text of [...hookDump, inspect(client), JSON.stringify(client)])
      for (const secret of secrets) expect(text).not.toContain(secret)
  })
})

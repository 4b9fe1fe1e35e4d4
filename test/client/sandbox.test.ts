import { inspect } from 'node:util'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import type { LexofficeResponseInfo } from '../../lib/client/LexofficeClientOptions'
import { LexofficeApiError } from '../../lib/errors'
import { sandboxProvider } from './helpers/sandboxProvider'

describe('LexofficeClient against the sandbox', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await createSandbox({ autoApprove: true })
  })
  afterEach(() => sandbox.close())

  test('profile.get with an OAuth token', async () => {
    const provider = await sandboxProvider(sandbox)
    const client = createLexofficeClient(provider, { apiURL: sandbox.endpoints.apiURL, connectionKey: 'sandbox-conn' })
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
    const client = createLexofficeClient(provider, { apiURL: sandbox.endpoints.apiURL, connectionKey: 'sandbox-conn' })
    const [conn] = sandbox.connections()
    sandbox.revokeConnection(conn?.connectionId ?? '')
    const err: unknown = await client.profile.get().catch((e: unknown) => e)
    // The sandbox refuses the refresh of a revoked connection; our minimal provider throws then.
    expect(provider.refreshes).toBe(1)
    expect(err).toBeInstanceOf(Error)
    expect(inspect(err)).not.toContain(token)

    // With a provider that cannot refresh, the 401 itself is the typed error.
    const staticClient = createLexofficeClient({ getAccessToken: async () => token }, { apiURL: sandbox.endpoints.apiURL, connectionKey: 'sandbox-conn' })
    const apiErr: unknown = await staticClient.profile.get().catch((e: unknown) => e)
    expect(apiErr).toBeInstanceOf(LexofficeApiError)
    expect((apiErr as LexofficeApiError).code).toBe('API_UNAUTHORIZED')
    expect(JSON.stringify(apiErr)).not.toContain(token)
  })
})

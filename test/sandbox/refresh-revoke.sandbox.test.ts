import { createSandbox, type Sandbox, type SandboxConnectionRevokedEvent, type SandboxTokenRefreshedEvent } from '../../lib/sandbox'
import { REDIRECT, basic, login, postForm, profile, refresh, type Tokens } from './helpers'

async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error
}

function revoke(sandbox: Sandbox, form: Record<string, string>, auth = basic('sandbox-client', 'sandbox-secret')): Promise<Response> {
  return postForm(sandbox.endpoints.revokeURL, form, auth ? { authorization: auth } : {})
}

describe('sandbox: refresh_token grant, revocation, connection controls', () => {
  let sandbox: Sandbox
  let clock: number
  beforeEach(async () => {
    clock = Date.UTC(2026, 0, 15, 9, 0, 0)
    // The clock stands still, so the rate limit (which /v1/profile counts against) is off.
    sandbox = await createSandbox({ autoApprove: true, now: () => clock, api: { rateLimit: false } })
    sandbox.addRedirectUri(REDIRECT)
  })
  afterEach(() => sandbox.close())

  it('rotates both tokens on every refresh and emits token.refreshed', async () => {
    const events: SandboxTokenRefreshedEvent[] = []
    sandbox.on('token.refreshed', (e) => events.push(e))
    let tokens = await login(sandbox)
    const seen = new Set([tokens.access_token, tokens.refresh_token])
    for (let i = 1; i <= 3; i++) {
      const res = await refresh(sandbox, tokens.refresh_token)
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toBe('no-store')
      const next = (await res.json()) as Tokens
      expect(seen.has(next.access_token) || seen.has(next.refresh_token)).toBe(false)
      expect(next.refresh_token).toHaveLength(128)
      expect(next.scope).toBe('profile.read contacts.read')
      expect((await profile(sandbox, tokens.access_token)).status).toBe(401)
      expect((await profile(sandbox, next.access_token)).status).toBe(200)
      seen.add(next.access_token).add(next.refresh_token)
      tokens = next
    }
    const [conn] = sandbox.connections()
    expect(conn).toMatchObject({ state: 'active', refreshCount: 3 })
    expect(events.map((e) => e.refreshCount)).toEqual([1, 2, 3])
    expect(events[0]).toEqual({
      connectionId: conn.connectionId,
      organizationId: sandbox.organization.organizationId,
      clientID: 'sandbox-client',
      refreshCount: 1,
    })
  })

  it('reuse detection: an already rotated refresh token revokes the whole connection', async () => {
    const revoked: SandboxConnectionRevokedEvent[] = []
    sandbox.on('connection.revoked', (e) => revoked.push(e))
    const first = await login(sandbox)
    const second = (await (await refresh(sandbox, first.refresh_token)).json()) as Tokens

    const reuse = await refresh(sandbox, first.refresh_token)
    expect(reuse.status).toBe(400)
    expect(await errorOf(reuse)).toBe('invalid_grant')
    // Both current tokens are dead now.
    expect((await profile(sandbox, second.access_token)).status).toBe(401)
    expect(await errorOf(await refresh(sandbox, second.refresh_token))).toBe('invalid_grant')
    const [conn] = sandbox.connections()
    expect(conn).toMatchObject({ state: 'revoked', revokedReason: 'refresh_token_reuse' })
    expect(revoked).toEqual([
      {
        connectionId: conn.connectionId,
        organizationId: sandbox.organization.organizationId,
        clientID: 'sandbox-client',
        reason: 'refresh_token_reuse',
      },
    ])
  })

  it('two concurrent refreshes with the same token destroy the connection (as lexoffice documents)', async () => {
    const tokens = await login(sandbox)
    const answers = await Promise.all([refresh(sandbox, tokens.refresh_token), refresh(sandbox, tokens.refresh_token)])
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400])
    const winner = (await answers.find((r) => r.status === 200)!.json()) as Tokens
    expect((await profile(sandbox, winner.access_token)).status).toBe(401)
    expect(sandbox.connections()[0]).toMatchObject({ state: 'revoked', revokedReason: 'refresh_token_reuse' })
  })

  it('keeps connections apart: reuse on one does not touch another', async () => {
    const a = await login(sandbox)
    const b = await login(sandbox)
    await refresh(sandbox, a.refresh_token)
    await refresh(sandbox, a.refresh_token)
    expect((await profile(sandbox, b.access_token)).status).toBe(200)
    expect(sandbox.connections().map((c) => c.state)).toEqual(['revoked', 'active'])
  })

  it('refuses refresh tokens of another client, unknown ones and a missing one', async () => {
    const tokens = await login(sandbox)
    sandbox.registerClient({ clientID: 'other', clientSecret: 'other-secret', redirectUris: [] })
    const foreign = await postForm(
      sandbox.endpoints.tokenURL,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { authorization: basic('other', 'other-secret') },
    )
    expect(await errorOf(foreign)).toBe('invalid_grant')
    expect(await errorOf(await refresh(sandbox, 'x'.repeat(128)))).toBe('invalid_grant')
    expect(await errorOf(await refresh(sandbox, ''))).toBe('invalid_request')
    // The rightful owner can still refresh.
    expect((await refresh(sandbox, tokens.refresh_token)).status).toBe(200)
  })

  describe('POST /oauth2/revoke', () => {
    it('revoking the refresh token ends the connection and its access token', async () => {
      const revoked: string[] = []
      sandbox.on('connection.revoked', (e) => revoked.push(e.reason))
      const tokens = await login(sandbox)
      const res = await revoke(sandbox, { token: tokens.refresh_token, token_type_hint: 'refresh_token' })
      expect(res.status).toBe(200)
      expect((await profile(sandbox, tokens.access_token)).status).toBe(401)
      expect(await errorOf(await refresh(sandbox, tokens.refresh_token))).toBe('invalid_grant')
      expect(revoked).toEqual(['revoked_by_client'])
      // Revoking again is harmless.
      expect((await revoke(sandbox, { token: tokens.refresh_token })).status).toBe(200)
      expect(revoked).toHaveLength(1)
    })

    it('revoking the access token ends just that token', async () => {
      const tokens = await login(sandbox)
      expect((await revoke(sandbox, { token: tokens.access_token })).status).toBe(200)
      expect((await profile(sandbox, tokens.access_token)).status).toBe(401)
      expect((await refresh(sandbox, tokens.refresh_token)).status).toBe(200)
    })

    it('answers 200 for an unknown token (RFC 7009 §2.2)', async () => {
      expect((await revoke(sandbox, { token: 'unknown' })).status).toBe(200)
    })

    it('requires Basic client auth and a token', async () => {
      const tokens = await login(sandbox)
      const noAuth = await revoke(sandbox, { token: tokens.refresh_token }, '')
      expect(noAuth.status).toBe(401)
      expect(await errorOf(noAuth)).toBe('invalid_client')
      expect(await errorOf(await revoke(sandbox, {}))).toBe('invalid_request')
      expect(await errorOf(await revoke(sandbox, { token: tokens.refresh_token, client_secret: 'sandbox-secret' }))).toBe('invalid_request')
      expect(sandbox.connections()[0].state).toBe('active')
    })

    it("refuses another client's token and leaves it alive", async () => {
      const tokens = await login(sandbox)
      sandbox.registerClient({ clientID: 'other', clientSecret: 'other-secret', redirectUris: [] })
      const res = await revoke(sandbox, { token: tokens.refresh_token }, basic('other', 'other-secret'))
      expect(res.status).toBe(400)
      expect(await errorOf(res)).toBe('unauthorized_client')
      expect((await profile(sandbox, tokens.access_token)).status).toBe(200)
    })
  })

  describe('test controls', () => {
    it('revokeConnection() kills both tokens and emits the reason', async () => {
      const revoked: SandboxConnectionRevokedEvent[] = []
      sandbox.on('connection.revoked', (e) => revoked.push(e))
      const tokens = await login(sandbox)
      const { connectionId } = sandbox.connections()[0]
      expect(sandbox.revokeConnection(connectionId, 'user_disconnected')).toBe(true)
      expect(sandbox.revokeConnection(connectionId)).toBe(false)
      expect(sandbox.revokeConnection('no-such-connection')).toBe(false)
      expect((await profile(sandbox, tokens.access_token)).status).toBe(401)
      expect(await errorOf(await refresh(sandbox, tokens.refresh_token))).toBe('invalid_grant')
      expect(revoked.map((e) => [e.connectionId, e.reason])).toEqual([[connectionId, 'user_disconnected']])
    })

    it('expireAccessTokens() makes the access token fail while refresh still works', async () => {
      const a = await login(sandbox)
      const b = await login(sandbox)
      sandbox.expireAccessTokens(sandbox.connections()[0].connectionId)
      expect((await profile(sandbox, a.access_token)).status).toBe(401)
      expect((await profile(sandbox, b.access_token)).status).toBe(200)
      sandbox.expireAccessTokens()
      expect((await profile(sandbox, b.access_token)).status).toBe(401)
      const fresh = (await (await refresh(sandbox, a.refresh_token)).json()) as Tokens
      expect((await profile(sandbox, fresh.access_token)).status).toBe(200)
    })

    it('access tokens expire after their TTL (injected clock); setAccessTokenTtl changes new ones', async () => {
      const tokens = await login(sandbox)
      clock += 14_400_000 - 1
      expect((await profile(sandbox, tokens.access_token)).status).toBe(200)
      clock += 1
      expect((await profile(sandbox, tokens.access_token)).status).toBe(401)
      sandbox.setAccessTokenTtl(2)
      const short = (await (await refresh(sandbox, tokens.refresh_token)).json()) as Tokens
      expect(short.expires_in).toBe(2)
      clock += 2000
      expect((await profile(sandbox, short.access_token)).status).toBe(401)
      expect(() => sandbox.setAccessTokenTtl(0)).toThrow(TypeError)
    })

    it('connections() shows no secrets and emits connection.created', async () => {
      const created: string[] = []
      sandbox.on('connection.created', (e) => created.push(e.connectionId))
      const tokens = await login(sandbox)
      const infos = sandbox.connections()
      expect(created).toEqual([infos[0].connectionId])
      expect(infos[0]).toEqual({
        connectionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        organizationId: sandbox.organization.organizationId,
        userId: sandbox.user.userId,
        clientID: 'sandbox-client',
        connectionName: 'Sandbox Demo App',
        scopes: ['profile.read', 'contacts.read'],
        createdAt: clock,
        state: 'active',
        refreshCount: 0,
        accessTokenExpiresAt: clock + 14_400_000,
      })
      const dump = JSON.stringify(infos)
      expect(dump).not.toContain(tokens.access_token)
      expect(dump).not.toContain(tokens.refresh_token)
    })
  })
})

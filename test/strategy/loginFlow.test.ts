/**
 * Full logins through Express + express-session + passport + supertest against a small
 * lexoffice stand-in on port 0 (test/strategy/helpers/fakeLexoffice.ts).
 */
import { type FakeLexoffice, startFakeLexoffice } from './helpers/fakeLexoffice'
import { type TestApp, approve, onRoute, startLogin, startTestApp } from './helpers/app'

describe('LexofficeStrategy login flow (Express 5)', () => {
  let lx: FakeLexoffice
  let app: TestApp
  beforeEach(async () => {
    lx = await startFakeLexoffice()
    app = await startTestApp({ endpoints: lx.endpoints, client: lx.client, register: (u) => lx.addRedirectUri(u) })
  })
  afterEach(async () => {
    await app.close()
    await lx.close()
  })

  it('redirects with PKCE S256, state, scope and client_id, and no secret', async () => {
    const agent = app.agent()
    const res = await agent.get('/login')
    expect(res.status).toBe(302)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['set-cookie']).toBeDefined()
    const url = new URL(res.headers.location as string)
    expect(url.origin + url.pathname).toBe(lx.endpoints.authorizationURL)
    const q = url.searchParams
    expect(q.get('response_type')).toBe('code')
    expect(q.get('client_id')).toBe(lx.client.clientID)
    expect(q.get('redirect_uri')).toBe(app.callbackURL)
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(q.get('scope')).toBe('profile.read')
    expect(res.headers.location).not.toContain(lx.client.clientSecret)
    expect([...q.keys()]).not.toContain('code_verifier')
  })

  it('logs in: redirect -> consent -> callback -> token -> profile -> req.user, with a new session id', async () => {
    const agent = app.agent()
    const authz = await startLogin(agent)
    const before = (await agent.get('/me')).body.sessionID as string
    const callback = await approve(authz.href)
    const res = await agent.get(callback)
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.body.user).toEqual({ id: 'user-1', organizationId: expect.any(String), email: 'erika1@example.com' })
    expect(res.body.info).toEqual({ returnTo: '/' })
    expect(res.body.sessionAfter).not.toBe(res.body.sessionBefore)
    expect(res.body.sessionBefore).toBe(before)
    expect(lx.tokenCalls).toHaveLength(1)
    expect(lx.profileCalls).toBe(1)

    const me = await agent.get('/me')
    expect(me.body.user).toMatchObject({ id: 'user-1' })
    expect(me.body.sessionID).toBe(res.body.sessionAfter)
    expect(me.body.pending).toBe(0)

    // The verify callback got the validated token response with an absolute expiry.
    const [accessToken, refreshToken, params, profile] = app.verifyCalls[0] as [
      string,
      string,
      Record<string, unknown>,
      Record<string, unknown>,
    ]
    expect(accessToken).toMatch(/^AT-/)
    expect(refreshToken).toMatch(/^RT-/)
    expect(params.expiresAt).toBeGreaterThan(Date.now() + 14_000_000)
    expect(profile).toMatchObject({
      provider: 'lexoffice',
      id: 'user-1',
      displayName: 'Erika Muster',
      emails: [{ value: 'erika1@example.com' }],
      companyName: 'Muster GmbH',
      connectionId: expect.any(String),
      organizationId: expect.any(String),
    })
    expect(typeof profile._raw).toBe('string')
    expect(profile._json).toMatchObject({ companyName: 'Muster GmbH' })
  })

  it('the old session id no longer carries the user after login', async () => {
    const agent = app.agent()
    const login = await agent.get('/login')
    const oldCookie = (login.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!
    const res = await agent.get(await approve(login.headers.location as string))
    expect(res.status).toBe(200)
    const newCookie = (res.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!
    expect(newCookie).not.toBe(oldCookie)
    const fresh = await app.agent().get('/me').set('Cookie', newCookie)
    expect(fresh.body.user).toMatchObject({ id: 'user-1' })
    const stale = await app.agent().get('/me').set('Cookie', oldCookie)
    expect(stale.body.user).toBeNull()
    expect(stale.body.sessionID).not.toBe(res.body.sessionBefore) // the old session is gone from the store
  })

  it('sends the token request with HTTP Basic only: no client_secret or client_id in the body', async () => {
    const agent = app.agent()
    const authz = await startLogin(agent)
    await agent.get(await approve(authz.href)).expect(200)
    const call = lx.tokenCalls[0]!
    expect(call.headers.authorization).toBe('Basic ' + Buffer.from(`${lx.client.clientID}:${lx.client.clientSecret}`).toString('base64'))
    expect(call.body).not.toContain(lx.client.clientSecret)
    expect(call.form.has('client_secret')).toBe(false)
    expect(call.form.has('client_id')).toBe(false)
    expect(call.form.get('grant_type')).toBe('authorization_code')
    expect(call.form.get('redirect_uri')).toBe(app.callbackURL)
    expect(call.form.get('code_verifier')).toMatch(/^[A-Za-z0-9._~-]{43,128}$/)
  })

  it('uses the stored redirect_uri even with a forged X-Forwarded-Host', async () => {
    const agent = app.agent()
    const authz = await agent.get('/login').set('X-Forwarded-Host', 'evil.example').set('X-Forwarded-Proto', 'https')
    const url = new URL(authz.headers.location as string)
    expect(url.searchParams.get('redirect_uri')).toBe(app.callbackURL)
    await agent
      .get(await approve(url.href))
      .set('X-Forwarded-Host', 'evil.example')
      .expect(200)
    expect(lx.tokenCalls[0]!.form.get('redirect_uri')).toBe(app.callbackURL)
  })

  it('two tabs started in one session both finish, in either order', async () => {
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      const agent = app.agent()
      const tabs = [await startLogin(agent), await startLogin(agent)]
      expect(tabs[0]!.searchParams.get('state')).not.toBe(tabs[1]!.searchParams.get('state'))
      const callbacks = [await approve(tabs[0]!.href), await approve(tabs[1]!.href)]
      const first = await agent.get(callbacks[order[0]!]!)
      expect(first.status).toBe(200)
      expect((await agent.get('/me')).body.pending).toBe(1) // the other tab survived the regeneration
      const second = await agent.get(callbacks[order[1]!]!)
      expect(second.status).toBe(200)
      expect(second.body.sessionAfter).not.toBe(first.body.sessionAfter)
      expect((await agent.get('/me')).body.pending).toBe(0)
    }
  })

  it('keeps at most maxPendingLogins (5): the oldest tab is dropped first', async () => {
    const agent = app.agent()
    const tabs: URL[] = []
    for (let i = 0; i < 6; i++) tabs.push(await startLogin(agent))
    const callbacks: string[] = []
    for (const t of tabs) callbacks.push(await approve(t.href))
    const oldest = await agent.get(callbacks[0]!)
    expect(oldest.status).toBe(403)
    expect(oldest.body.code).toBe('STATE_MISMATCH')
    expect((await agent.get(callbacks[5]!)).status).toBe(200)
    expect(lx.tokenCalls).toHaveLength(1)
  })

  it('preserves returnTo through the login and the session regeneration', async () => {
    const agent = app.agent()
    const authz = await startLogin(agent, '/login?returnTo=%2Finvoices%3Fpage%3D2')
    const res = await agent.get(await approve(authz.href))
    expect(res.status).toBe(200)
    expect(res.body.info.returnTo).toBe('/invoices?page=2')
    expect(res.body.returnTo).toBe('/invoices?page=2')
  })

  it("works with passport's successReturnToOrRedirect", async () => {
    const agent = app.agent()
    const authz = await startLogin(agent, '/login?returnTo=/reports/2026')
    const res = await agent.get(onRoute(await approve(authz.href), '/callback-redirect'))
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/reports/2026')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
  })

  it('falls back to successReturnToOrRedirect default when no returnTo was given', async () => {
    const agent = app.agent()
    const authz = await startLogin(agent)
    const res = await agent.get(onRoute(await approve(authz.href), '/callback-redirect'))
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/home')
  })

  it.each(['//evil.com', '/\\evil.com', 'https://evil.com', 'javascript:alert(1)', '%0d%0a/', '/%0d%0aSet-Cookie:x=y'])(
    'refuses the open redirect returnTo=%s and sends the user to /',
    async (value) => {
      const agent = app.agent()
      const authz = await startLogin(agent, '/login?returnTo=' + encodeURIComponent(value))
      const res = await agent.get(await approve(authz.href))
      expect(res.status).toBe(200)
      expect(res.body.info.returnTo).toBe('/')
      expect(res.body.returnTo).toBeUndefined()
    },
  )

  it('refuses returnTo given as an array', async () => {
    const agent = app.agent()
    const authz = await startLogin(agent, '/login?returnTo=/a&returnTo=/b')
    const res = await agent.get(onRoute(await approve(authz.href), '/callback-redirect'))
    expect(res.headers.location).toBe('/home')
  })

  it('a replayed callback after success fails with STATE_MISMATCH and makes no token request', async () => {
    const agent = app.agent()
    const callback = await approve((await startLogin(agent)).href)
    await agent.get(callback).expect(200)
    const replay = await agent.get(callback)
    expect(replay.status).toBe(403)
    expect(replay.body.code).toBe('STATE_MISMATCH')
    expect(lx.tokenCalls).toHaveLength(1)
  })
})

describe('LexofficeStrategy login flow (Express 4)', () => {
  it('logs in end to end', async () => {
    const lx = await startFakeLexoffice()
    const app = await startTestApp({
      express: 'express4',
      endpoints: lx.endpoints,
      client: lx.client,
      register: (u) => lx.addRedirectUri(u),
    })
    try {
      const agent = app.agent()
      const authz = await startLogin(agent, '/login?returnTo=/dashboard')
      const res = await agent.get(await approve(authz.href))
      expect(res.status).toBe(200)
      expect(res.body.user).toMatchObject({ id: 'user-1' })
      expect(res.body.info.returnTo).toBe('/dashboard')
      expect(res.body.sessionAfter).not.toBe(res.body.sessionBefore)
      expect((await agent.get('/me')).body.user).toMatchObject({ id: 'user-1' })
    } finally {
      await app.close()
      await lx.close()
    }
  })
})

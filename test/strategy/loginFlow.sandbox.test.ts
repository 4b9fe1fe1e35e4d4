/**
 * Full logins through Express + express-session + passport + supertest against the package's
 * sandbox, through the ready-made routes (`lexoffice.routes()`) and through a plain
 * `passport.authenticate('lexoffice')` with passport's own success options. What the strategy
 * sends is read from the HTTP requests the configuration made (the `fetch` test seam).
 */
import type { RequestHandler } from 'express'
import { ErrorCodes } from '../../lib/errors'
import {
  type Agent,
  type TestApp,
  type TestAppOptions,
  approve,
  mountSessionView,
  sessionOf,
  startLogin,
  startTestApp,
} from '../helpers/lexofficeApp'

const json = { accept: 'application/json' }

/** An app with the sign-in routes and `GET /me` (see mountSessionView). */
function signInApp(extra: Partial<TestAppOptions> = {}): Promise<TestApp> {
  return startTestApp({
    recordHttp: true,
    ...extra,
    setup(app, lexoffice, passport) {
      app.use(lexoffice.routes({ passport }))
      mountSessionView(app, lexoffice)
    },
  })
}

function tokenRequests(t: TestApp): Array<{ headers: Partial<Record<string, string>>; body: string; form: URLSearchParams }> {
  return t.calls.filter((c) => c.url === t.sandbox.endpoints.tokenURL).map((c) => ({ ...c, form: new URLSearchParams(c.body) }))
}

function cookieOf(res: { headers: Record<string, unknown> }): string {
  return (res.headers['set-cookie'] as string[])[0].split(';')[0]
}

describe.each(['express5', 'express4'] as const)('login flow through lexoffice.routes() (%s)', (express) => {
  let t: TestApp
  beforeEach(async () => {
    t = await signInApp({ express })
  })
  afterEach(() => t.close())

  it('redirects with PKCE S256, state, scope and client_id, no secret, no-store, and sets the session cookie', async () => {
    const res = await t.agent().get('/auth/lexoffice')
    expect(res.status).toBe(302)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['set-cookie']).toBeDefined()
    const url = new URL(res.headers.location)
    expect(url.origin + url.pathname).toBe(t.sandbox.endpoints.authorizationURL)
    const q = url.searchParams
    expect(q.get('response_type')).toBe('code')
    expect(q.get('client_id')).toBe(t.sandbox.client.clientID)
    expect(q.get('redirect_uri')).toBe(`${t.origin}/auth/lexoffice/callback`)
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(q.get('scope')).toBe('profile.read contacts.read')
    expect(res.headers.location).not.toContain(t.sandbox.client.clientSecret)
    expect([...q.keys()]).not.toContain('code_verifier')
  })

  it('logs in: redirect -> consent -> callback -> token -> profile -> stored connection -> req.user, with a new session id', async () => {
    const agent = t.agent()
    const authz = await startLogin(agent, '/auth/lexoffice?returnTo=/invoices')
    const before = await sessionOf(agent)
    expect(before.pending).toBe(1)
    const res = await agent.get(await approve(authz.href))
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/invoices')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['referrer-policy']).toBe('no-referrer')

    const after = await sessionOf(agent)
    const { organizationId, companyName } = t.sandbox.organization
    const key = `user:${organizationId}:${t.sandbox.user.userId}`
    expect(after.user).toEqual({
      id: t.sandbox.user.userId,
      name: t.sandbox.user.userName,
      email: t.sandbox.user.userEmail,
      organizationId,
      companyName,
      connectionId: expect.any(String) as unknown,
      connectionKey: key,
    })
    expect(after.sessionID).not.toBe(before.sessionID)
    expect(after.pending).toBe(0)
    expect(after.connection).toBe(key)
    expect(t.sandbox.tokenCalls('authorization_code')).toBe(1)
    expect(t.sandbox.requests.filter((r) => r.path === '/v1/profile')).toHaveLength(1)
    expect(t.sandbox.connections().map((c) => c.connectionId)).toContain(after.user!.connectionId)
    expect(await t.lexoffice.manager.tokenInfo(key)).toMatchObject({
      state: 'active',
      connectionId: after.user!.connectionId,
      details: { organizationId, companyName, userId: t.sandbox.user.userId },
    })
  })

  it('the old session id no longer carries the user after login', async () => {
    const agent = t.agent()
    const login = await agent.get('/auth/lexoffice')
    const oldCookie = cookieOf(login)
    const before = await sessionOf(agent)
    const res = await agent.get(await approve(login.headers.location))
    expect(res.status).toBe(302)
    const newCookie = cookieOf(res)
    expect(newCookie).not.toBe(oldCookie)
    const fresh = await sessionOf(t.agent().set('Cookie', newCookie))
    expect(fresh.user).toMatchObject({ id: t.sandbox.user.userId })
    const stale = await sessionOf(t.agent().set('Cookie', oldCookie))
    expect(stale.user).toBeNull()
    expect(stale.sessionID).not.toBe(before.sessionID) // the old session is gone from the store
  })

  it('sends the token request with HTTP Basic only: no client_secret or client_id in the body', async () => {
    const agent = t.agent()
    expect((await agent.get(await approve((await startLogin(agent)).href))).status).toBe(302)
    const calls = tokenRequests(t)
    expect(calls).toHaveLength(1)
    const call = calls[0]
    const { clientID, clientSecret } = t.sandbox.client
    expect(call.headers.authorization).toBe('Basic ' + Buffer.from(`${clientID}:${clientSecret}`).toString('base64'))
    expect(call.body).not.toContain(clientSecret)
    expect(call.form.has('client_secret')).toBe(false)
    expect(call.form.has('client_id')).toBe(false)
    expect(call.form.get('grant_type')).toBe('authorization_code')
    expect(call.form.get('redirect_uri')).toBe(`${t.origin}/auth/lexoffice/callback`)
    expect(call.form.get('code_verifier')).toMatch(/^[A-Za-z0-9._~-]{43,128}$/)
    // The sandbox, like lexoffice, refuses a client_secret in the body: it accepted this one.
    expect(t.sandbox.requests.filter((r) => r.path === '/oauth2/token').map((r) => r.status)).toEqual([200])
  })

  it('uses the configured redirect_uri even with a forged X-Forwarded-Host', async () => {
    const agent = t.agent()
    const authz = await agent.get('/auth/lexoffice').set('X-Forwarded-Host', 'evil.example').set('X-Forwarded-Proto', 'https')
    const url = new URL(authz.headers.location)
    expect(url.searchParams.get('redirect_uri')).toBe(`${t.origin}/auth/lexoffice/callback`)
    const res = await agent.get(await approve(url.href)).set('X-Forwarded-Host', 'evil.example')
    expect(res.status).toBe(302)
    expect(tokenRequests(t)[0].form.get('redirect_uri')).toBe(`${t.origin}/auth/lexoffice/callback`)
  })

  it('two tabs started in one session both finish, in either order, each with a new session id', async () => {
    for (const order of [
      [0, 1],
      [1, 0],
    ] as const) {
      const agent = t.agent()
      const tabs = [await startLogin(agent, '/auth/lexoffice?returnTo=/a'), await startLogin(agent, '/auth/lexoffice?returnTo=/b')]
      expect(tabs[0].searchParams.get('state')).not.toBe(tabs[1].searchParams.get('state'))
      const callbacks = [await approve(tabs[0].href), await approve(tabs[1].href)]
      const first = await agent.get(callbacks[order[0]])
      expect(first.status).toBe(302)
      expect(first.headers.location).toBe(order[0] === 0 ? '/a' : '/b')
      const between = await sessionOf(agent)
      expect(between.pending).toBe(1) // the other tab survived the regeneration
      const second = await agent.get(callbacks[order[1]])
      expect(second.status).toBe(302)
      expect(second.headers.location).toBe(order[1] === 0 ? '/a' : '/b')
      const end = await sessionOf(agent)
      expect(end.sessionID).not.toBe(between.sessionID)
      expect(end.pending).toBe(0)
    }
    expect(t.sandbox.tokenCalls('authorization_code')).toBe(4)
  })

  it('keeps at most maxPendingLogins (5): the oldest tab is dropped first', async () => {
    const agent = t.agent()
    const tabs: URL[] = []
    for (let i = 0; i < 6; i++) tabs.push(await startLogin(agent))
    const callbacks: string[] = []
    for (const tab of tabs) callbacks.push(await approve(tab.href))
    const oldest = await agent.get(callbacks[0]).set(json)
    expect(oldest.status).toBe(403)
    expect((oldest.body as { code: string }).code).toBe(ErrorCodes.STATE_MISMATCH)
    expect((await agent.get(callbacks[5])).status).toBe(302)
    expect(t.sandbox.tokenCalls()).toBe(1)
  })

  it('a replayed callback after success fails with STATE_MISMATCH and makes no token request', async () => {
    const agent = t.agent()
    const callback = await approve((await startLogin(agent)).href)
    expect((await agent.get(callback)).status).toBe(302)
    const replay = await agent.get(callback).set(json)
    expect(replay.status).toBe(403)
    expect((replay.body as { code: string }).code).toBe(ErrorCodes.STATE_MISMATCH)
    expect(t.sandbox.tokenCalls()).toBe(1)
  })
})

describe('concurrent logins', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await signInApp({ sandboxOptions: { autoApprove: true, organizations: [{ companyName: 'Second GmbH' }] } })
  })
  afterEach(() => t.close())

  it("two browsers' callbacks in flight at once each complete their own login, never the other's", async () => {
    const [first, second] = t.sandbox.organizations().map((o) => o.organizationId)
    const a = t.agent()
    const b = t.agent()
    t.sandbox.useOrganization(first)
    const callbackA = await approve((await startLogin(a, '/auth/lexoffice?returnTo=/a')).href)
    t.sandbox.useOrganization(second)
    const callbackB = await approve((await startLogin(b, '/auth/lexoffice?returnTo=/b')).href)
    // A's code exchange is slow; B's whole login runs while A's is in flight.
    t.sandbox.failNextTokenCalls([{ kind: 'delay', ms: 300 }])
    const answerA = a.get(callbackA).then((res) => res)
    while (t.sandbox.tokenCalls() === 0) await new Promise((resolve) => setImmediate(resolve))
    const resB = await b.get(callbackB)
    const resA = await answerA
    expect([resA.status, resA.headers.location]).toEqual([302, '/a'])
    expect([resB.status, resB.headers.location]).toEqual([302, '/b'])
    expect((await sessionOf(a)).user).toMatchObject({ organizationId: first })
    expect((await sessionOf(b)).user).toMatchObject({ organizationId: second })
  })
})

describe('returnTo', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await signInApp()
  })
  afterEach(() => t.close())

  it('is preserved through the login and the session regeneration', async () => {
    const agent = t.agent()
    const res = await agent.get(await approve((await startLogin(agent, '/auth/lexoffice?returnTo=%2Finvoices%3Fpage%3D2')).href))
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/invoices?page=2')
  })

  it.each(['//evil.com', '/\\evil.com', 'https://evil.com', 'javascript:alert(1)', '%0d%0a/', '/%0d%0aSet-Cookie:x=y'])(
    'refuses the open redirect returnTo=%s and sends the user to /',
    async (value) => {
      const agent = t.agent()
      const res = await agent.get(await approve((await startLogin(agent, '/auth/lexoffice?returnTo=' + encodeURIComponent(value))).href))
      expect(res.status).toBe(302)
      expect(res.headers.location).toBe('/')
      expect((await sessionOf(agent)).returnTo).toBeNull()
    },
  )

  it('is used once: a later login without returnTo (e.g. a reconnect after disconnect) goes to /', async () => {
    const agent = t.agent()
    const first = await agent.get(await approve((await startLogin(agent, '/auth/lexoffice?returnTo=/invoices')).href))
    expect(first.headers.location).toBe('/invoices')
    expect((await sessionOf(agent)).returnTo).toBeNull()
    const again = await agent.get(await approve((await startLogin(agent)).href))
    expect(again.headers.location).toBe('/')
  })

  it('refuses returnTo given twice and sends the user to /', async () => {
    const agent = t.agent()
    const res = await agent.get(await approve((await startLogin(agent, '/auth/lexoffice?returnTo=/a&returnTo=/b')).href))
    expect(res.headers.location).toBe('/')
  })
})

describe("with plain passport.authenticate('lexoffice') and passport's success options", () => {
  let t: TestApp
  beforeEach(async () => {
    t = await startTestApp({
      setup(app, lexoffice, passport) {
        passport.use(lexoffice.strategy)
        app.get('/auth/lexoffice', passport.authenticate('lexoffice') as RequestHandler)
        app.get(
          '/auth/lexoffice/callback',
          passport.authenticate('lexoffice', { successReturnToOrRedirect: '/home', failureRedirect: '/failed' }) as RequestHandler,
        )
        mountSessionView(app, lexoffice)
      },
    })
  })
  afterEach(() => t.close())

  async function login(agent: Agent, path: string): Promise<{ status: number; location: unknown; headers: Record<string, unknown> }> {
    const res = await agent.get(await approve((await startLogin(agent, path)).href))
    return { status: res.status, location: res.headers.location, headers: res.headers }
  }

  it('successReturnToOrRedirect uses the preserved returnTo, and logs the user in with a new session', async () => {
    const agent = t.agent()
    const before = await sessionOf(agent)
    const res = await login(agent, '/auth/lexoffice?returnTo=/reports/2026')
    expect(res.status).toBe(302)
    expect(res.location).toBe('/reports/2026')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    const after = await sessionOf(agent)
    expect(after.user).toMatchObject({ id: t.sandbox.user.userId, connectionKey: after.connection })
    expect(after.sessionID).not.toBe(before.sessionID)
  })

  it('falls back to the successReturnToOrRedirect default when no returnTo was given, or an unsafe one', async () => {
    expect((await login(t.agent(), '/auth/lexoffice')).location).toBe('/home')
    expect((await login(t.agent(), '/auth/lexoffice?returnTo=//evil.com')).location).toBe('/home')
    expect((await login(t.agent(), '/auth/lexoffice?returnTo=/a&returnTo=/b')).location).toBe('/home')
  })
})

/**
 * Sign in with lexoffice through `lexoffice.routes()`: login, callback, req.lexoffice, the guard,
 * logout and disconnect, on Express 4 and 5 against the sandbox.
 */
import type { Lexoffice } from '../../lib/config/Lexoffice'
import { type TestApp, logIn, startTestApp } from '../helpers/lexofficeApp'

const html = { accept: 'text/html' }

/** The signed-in user as `/me` answers it (the fields these tests read). */
interface MeUser {
  id: string
  connectionId: string
  connectionKey: string
}

describe.each(['express5', 'express4'] as const)('sign in with lexoffice (%s)', (express) => {
  let t: TestApp
  beforeEach(async () => {
    t = await startTestApp({
      express,
      setup(app, lexoffice: Lexoffice, passport) {
        app.use(lexoffice.routes({ passport }))
        app.get('/contacts', lexoffice.required(), (req, res, next) => {
          req.lexoffice.client.contacts.list({ page: 0, size: 2 }).then((page) => res.json(page), next)
        })
        app.get('/me', (req, res) => res.json({ user: req.user ?? null }))
        app.get('/boom', (req, res, next) => {
          // A handler that uses the API without the guard: a lost connection must still get the package's answer.
          req.lexoffice.client.contacts.list().then((page) => res.json(page), next)
        })
      },
    })
  })
  afterEach(() => t.close())

  it('logs in, stores the connection, and calls the API through req.lexoffice', async () => {
    const agent = t.agent()
    const callback = await logIn(agent, '/auth/lexoffice?returnTo=/contacts')
    expect(callback.status).toBe(302)
    expect(callback.headers.location).toBe('/contacts')
    const me = await agent.get('/me')
    expect(me.body.user).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      email: expect.any(String),
      organizationId: expect.any(String),
      companyName: expect.any(String),
      connectionId: expect.any(String),
      connectionKey: expect.stringMatching(/^user:/),
    })
    const contacts = await agent.get('/contacts')
    expect(contacts.status).toBe(200)
    expect(contacts.body.content).toHaveLength(2)
    const status = await t.lexoffice.manager.tokenInfo((me.body as { user: MeUser }).user.connectionKey)
    expect(status).toMatchObject({ state: 'active', details: { userId: me.body.user.id, organizationId: me.body.user.organizationId } })
  })

  it('the guard sends a browser without a connection to the login, and answers JSON clients 401', async () => {
    const browser = await t.agent().get('/contacts').set(html)
    expect(browser.status).toBe(302)
    expect(browser.headers.location).toBe('/auth/lexoffice?returnTo=%2Fcontacts')
    const api = await t.agent().get('/contacts').set('accept', 'application/json')
    expect(api.status).toBe(401)
    expect(api.body).toEqual({ error: 'lexoffice_not_connected', code: 'NOT_CONNECTED', message: expect.any(String) })
  })

  it('after lexoffice revoked the connection: the guard explains and offers a reconnect, never a stack trace', async () => {
    const agent = t.agent()
    await logIn(agent)
    const { user } = (await agent.get('/me')).body as { user: MeUser }
    t.sandbox.revokeConnection(user.connectionId)
    // The first API call finds out (401 -> refresh -> invalid_grant) and the error handler answers.
    const boom = await agent.get('/boom').set('accept', 'application/json')
    expect(boom.status).toBe(401)
    expect(boom.body).toMatchObject({ error: 'lexoffice_auth_lost', code: 'AUTH_LOST' })
    expect(boom.text).not.toMatch(/at .*\.ts:\d+/)
    const browser = await agent.get('/contacts').set(html)
    expect(browser.status).toBe(302)
    expect(browser.headers.location).toMatch(/^\/auth\/lexoffice\?reason=invalid_grant&returnTo=%2Fcontacts$/)
    const page = await agent.get(browser.headers.location).set(html)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Connect lexoffice again')
    expect(page.text).toContain('href="/auth/lexoffice?returnTo=%2Fcontacts"')
    // Reconnecting works and the guard lets the request through again.
    await logIn(agent, '/auth/lexoffice?returnTo=/contacts')
    expect((await agent.get('/contacts')).status).toBe(200)
  })

  it('logout ends the session; disconnect revokes the connection and keeps the session', async () => {
    const agent = t.agent()
    await logIn(agent)
    const { user } = (await agent.get('/me')).body as { user: MeUser }
    const disconnected = await agent.post('/auth/lexoffice/disconnect').set({ ...html, origin: t.origin })
    expect(disconnected.status).toBe(303)
    expect(await t.lexoffice.manager.tokenInfo(user.connectionKey)).toBeUndefined()
    expect(t.sandbox.connections().find((c) => c.connectionId === user.connectionId)?.state).toBe('revoked')
    expect((await agent.get('/me')).body.user).toEqual(user)
    const out = await agent.post('/auth/lexoffice/logout').set({ ...html, origin: t.origin })
    expect(out.status).toBe(303)
    expect((await agent.get('/me')).body.user).toBeNull()
  })

  it('refuses a cross-site logout', async () => {
    const agent = t.agent()
    await logIn(agent)
    const res = await agent.post('/auth/lexoffice/logout').set({ origin: 'https://evil.example' })
    expect(res.status).toBe(403)
    expect((await agent.get('/me')).body.user).not.toBeNull()
  })

  it('a refused login gets a page with the reason, not a stack trace', async () => {
    const agent = t.agent()
    await agent.get('/auth/lexoffice')
    const res = await agent.get('/auth/lexoffice/callback?error=access_denied&state=x').set(html)
    expect(res.status).toBe(403)
    expect(res.text).toContain('STATE_MISMATCH')
    expect(res.text).not.toMatch(/at .*\.ts:\d+/)
  })
})

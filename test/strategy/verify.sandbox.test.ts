/**
 * `verify` after the tokens were stored: it receives the stored connection (never a token) and
 * the request, its result is `req.user`, `false` refuses and revokes the connection, and an error
 * it throws reaches the app's error handler.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { ErrorCodes } from '../../lib/errors'
import type { LexofficeConnection, LexofficeVerify } from '../../lib/strategy/LexofficeConnection'
import { LexofficeStrategy } from '../../lib/strategy/LexofficeStrategy'
import { type TestApp, type TestAppOptions, approve, mountSessionView, sessionOf, startLogin, startTestApp } from '../helpers/lexofficeApp'

const NOW = Date.UTC(2026, 0, 15, 9, 30)

let t: TestApp
/** Errors that reached the app's own error handler. */
let handled: unknown[] = []
beforeEach(() => {
  handled = []
})
afterEach(() => t.close())

interface Seen {
  connection: LexofficeConnection
  url: string | undefined
  storedState: string | undefined
}

/** An app with the sign-in routes, whose strategy uses the configuration's `verify`. */
async function withVerify(verify: LexofficeVerify, extra: Partial<TestAppOptions> = {}): Promise<TestApp> {
  t = await startTestApp({
    hooks: { now: () => NOW },
    ...extra,
    lexoffice: { ...extra.lexoffice, verify },
    setup(app, lexoffice, passport) {
      app.use(lexoffice.routes({ passport }))
      mountSessionView(app, lexoffice)
      app.use((err: { status?: number; code?: string }, _req: Request, res: Response, next: NextFunction) => {
        handled.push(err)
        if (err.code === 'DB_DOWN') res.status(err.status ?? 500).json({ code: err.code })
        else next(err)
      })
    },
  })
  return t
}

async function login(): Promise<{ status: number; body: { code?: string }; agent: ReturnType<TestApp['agent']> }> {
  const agent = t.agent()
  const res = await agent.get(await approve((await startLogin(agent)).href)).set('accept', 'application/json')
  return { status: res.status, body: res.body as { code?: string }, agent }
}

it('receives the stored connection and the request, never a token; its result is req.user', async () => {
  const seen: Seen[] = []
  await withVerify(async (connection, req) => {
    seen.push({ connection, url: req.url, storedState: (await t.lexoffice.manager.tokenInfo(connection.key))?.state })
    return { appUserId: `app-${connection.user.id}`, org: connection.organizationId }
  })
  const { status, agent } = await login()
  expect(status).toBe(302)
  expect(seen).toHaveLength(1)
  const { organizationId, companyName } = t.sandbox.organization
  const { userId, userName, userEmail } = t.sandbox.user
  expect(seen[0].connection).toEqual({
    key: `user:${organizationId}:${userId}`,
    organizationId,
    connectionId: t.sandbox.connections()[0].connectionId,
    companyName,
    user: { id: userId, name: userName, email: userEmail },
    scope: 'profile.read contacts.read',
    connectedAt: NOW,
  })
  expect(seen[0].url).toMatch(/^\/auth\/lexoffice\/callback\?/)
  expect(seen[0].storedState).toBe('active') // verify runs after the tokens were stored
  const passed = JSON.stringify(seen[0].connection)
  const secrets = t.sandbox.knownSecrets()
  expect(secrets.length).toBeGreaterThanOrEqual(5) // client secret, code, verifier, access and refresh token
  for (const secret of secrets) expect(passed).not.toContain(secret)
  expect((await sessionOf(agent)).user).toEqual({ appUserId: `app-${userId}`, org: organizationId })
})

it("new LexofficeStrategy(lexoffice, verify) with passport.use and passport.authenticate('lexoffice') uses its own verify", async () => {
  const configured = jest.fn(() => ({ from: 'config' }))
  t = await startTestApp({
    lexoffice: { verify: configured },
    setup(app, lexoffice, passport) {
      passport.use(new LexofficeStrategy(lexoffice, (connection) => ({ from: 'strategy', key: connection.key })))
      app.get('/auth/lexoffice', passport.authenticate('lexoffice') as RequestHandler)
      app.get('/auth/lexoffice/callback', passport.authenticate('lexoffice', { successRedirect: '/' }) as RequestHandler)
      mountSessionView(app, lexoffice)
    },
  })
  const { status, agent } = await login()
  expect(status).toBe(302)
  expect((await sessionOf(agent)).user).toEqual({
    from: 'strategy',
    key: `user:${t.sandbox.organization.organizationId}:${t.sandbox.user.userId}`,
  })
  expect(configured).not.toHaveBeenCalled()
})

it.each([false, null, undefined])(
  'verify answering %p refuses with 403 CONNECTION_REFUSED, revokes the connection and stores nothing',
  async (answer) => {
    await withVerify(() => answer)
    const { status, body, agent } = await login()
    expect({ status, code: body.code }).toEqual({ status: 403, code: ErrorCodes.CONNECTION_REFUSED })
    expect((await sessionOf(agent)).user).toBeNull()
    expect(await t.lexoffice.manager.store.list?.()).toEqual([])
    expect(t.sandbox.connections().map((c) => c.state)).toEqual(['revoked'])
  },
)

it('an error verify throws reaches the app error handler once, with its status; nobody is logged in', async () => {
  await withVerify(() => {
    throw Object.assign(new Error('db down'), { status: 503, code: 'DB_DOWN' })
  })
  const { status, body, agent } = await login()
  expect({ status, code: body.code }).toEqual({ status: 503, code: 'DB_DOWN' })
  expect(handled).toHaveLength(1)
  expect((await sessionOf(agent)).user).toBeNull()
  // No session points at the new connection: it is revoked and removed, not left alive.
  expect(await t.lexoffice.manager.listConnections()).toEqual([])
  expect(t.sandbox.connections().map((c) => c.state)).toEqual(['revoked'])
})

it('routes({ strategy }) logs in with that strategy and its verify; a strategy of another configuration is refused', async () => {
  const own = await startTestApp({
    hooks: { now: () => NOW },
    setup(app, lexoffice, passport) {
      const strategy = new LexofficeStrategy(lexoffice, (connection) => ({ mine: connection.user.id }))
      app.use(lexoffice.routes({ passport, strategy }))
      mountSessionView(app, lexoffice)
    },
  })
  t = own
  const { agent } = await login()
  expect((await sessionOf(agent)).user).toEqual({ mine: expect.any(String) })
  const other = await startTestApp({ setup: () => undefined })
  try {
    expect(() => own.lexoffice.routes({ strategy: other.lexoffice.strategy })).toThrow(/built on this configuration/)
  } finally {
    await other.close()
  }
})

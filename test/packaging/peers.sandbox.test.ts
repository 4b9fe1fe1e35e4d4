/**
 * The lowest and highest peer versions the package declares, in one sign-in: passport 0.6 (the
 * `passport06` alias) and 0.7, on Express 4 and 5. Node 22 is declared (engines >=20) but not run here.
 */
import { type TestApp, logIn, startTestApp } from '../helpers/lexofficeApp'

describe.each([
  ['passport06', 'express4'],
  ['passport06', 'express5'],
  ['passport07', 'express4'],
] as const)('%s on %s', (passport, express) => {
  let t: TestApp
  beforeEach(async () => {
    t = await startTestApp({
      express,
      passport,
      setup(app, lexoffice, pp) {
        app.use(lexoffice.routes({ passport: pp }))
        app.get('/me', (req, res, next) => {
          req.lexoffice.isConnected().then((connected) => res.json({ user: req.user ?? null, connected }), next)
        })
      },
    })
  })
  afterEach(() => t.close())

  it('signs in, keeps the user in the session and the connection on the request', async () => {
    const agent = t.agent()
    const callback = await logIn(agent)
    expect(callback.status).toBe(302)
    const me = await agent.get('/me')
    const body = me.body as { user: { connectionKey?: unknown } | null; connected: boolean }
    expect(body.connected).toBe(true)
    expect(body.user?.connectionKey).toMatch(/^user:/)
    expect(t.errors).toEqual([])
  })
})

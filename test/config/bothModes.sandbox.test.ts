/**
 * Both modes on one configuration: `lexoffice.routes()` (sign in with lexoffice) and
 * `lexoffice.connectRoutes({ owner })` (users of the app's own login connect organisations) in one
 * app. A request with an owner uses the owner's connections; one without is a sign-in and uses the
 * session's connection. The guard and the error handler send each to its own (re)connect route.
 */
import type { Express, NextFunction, Request, Response } from 'express'
import type { Lexoffice } from '../../lib/config/Lexoffice'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { type TestApp, approve, logIn, startTestApp } from '../helpers/lexofficeApp'

const html = { accept: 'text/html' }
const json = { accept: 'application/json' }

let sandbox: Sandbox
let t: TestApp
beforeAll(async () => {
  sandbox = await createSandbox({
    autoApprove: true,
    organization: { companyName: 'Alpha GmbH' },
    organizations: [{ companyName: 'Beta AG' }],
  })
})
afterAll(() => sandbox.close())

interface Profile {
  companyName: string
}

beforeEach(async () => {
  t = await startTestApp({
    sandbox,
    setup(app: Express, lexoffice: Lexoffice, passport) {
      // The app's own login: POST /login?as=<id> makes req.user = { id, own: true }.
      app.post('/login', (req: Request, res: Response, next: NextFunction) => {
        req.logIn({ id: typeof req.query.as === 'string' ? req.query.as : '', own: true }, (err: unknown) =>
          err ? next(err) : res.end('ok'),
        )
      })
      app.use(lexoffice.routes({ passport }))
      app.use(lexoffice.connectRoutes({ passport, owner: (req) => ownerOf(req.user) }))
      app.get('/contacts', lexoffice.required(), (req: Request, res: Response, next: NextFunction) => {
        Promise.all([req.lexoffice.client.profile.get() as Promise<Profile>, req.lexoffice.key(), req.lexoffice.connections()]).then(
          ([profile, key, list]) => res.json({ companyName: profile.companyName, key, connections: list.length }),
          next,
        )
      })
      app.get('/unguarded', (req: Request, res: Response, next: NextFunction) => {
        req.lexoffice.client.profile.get().then((profile) => res.json(profile), next)
      })
    },
  })
})

function ownerOf(user: Express.User | undefined): string | undefined {
  const u = user as { id?: string; own?: boolean } | undefined
  return u?.own === true ? u.id : undefined
}

function location(res: { headers: Record<string, unknown> }): unknown {
  return res.headers.location
}

afterEach(() => t.close())

it('a lexoffice sign-in uses its session connection; an app user connects and uses their own', async () => {
  const signedIn = t.agent()
  await logIn(signedIn)
  const viaSignIn = await signedIn.get('/contacts')
  expect(viaSignIn.status).toBe(200)
  expect(viaSignIn.body).toMatchObject({ connections: 1 })
  expect((viaSignIn.body as { key: string }).key).toMatch(/^user:/)

  const own = t.agent()
  await own.post('/login?as=alice')
  const before = await own.get('/contacts').set(html)
  expect(before.status).toBe(302)
  expect(location(before)).toBe('/lexoffice/connect?returnTo=%2Fcontacts')
  const start = await own.get('/lexoffice/connect')
  sandbox.useOrganization(sandbox.organizations()[1].organizationId)
  expect((await own.get(await approve(String(location(start))))).status).toBe(302)
  const viaConnect = await own.get('/contacts')
  expect(viaConnect.status).toBe(200)
  expect(viaConnect.body).toEqual({
    companyName: 'Beta AG',
    key: `owner:alice:${sandbox.organizations()[1].organizationId}`,
    connections: 1,
  })
  sandbox.useOrganization(sandbox.organization.organizationId)

  // Anonymous: the sign-in answers (login), never the connect mode's "unauthenticated".
  const anonymous = await t.agent().get('/contacts').set(html)
  expect(anonymous.status).toBe(302)
  expect(location(anonymous)).toBe('/auth/lexoffice?returnTo=%2Fcontacts')
})

it('lost connections send each kind of user to its own reconnect page, from the guard and from the error handler', async () => {
  const signedIn = t.agent()
  await logIn(signedIn)
  const own = t.agent()
  await own.post('/login?as=bob')
  const start = await own.get('/lexoffice/connect')
  await own.get(await approve(String(location(start))))
  for (const c of sandbox.connections().filter((c) => c.state === 'active')) sandbox.revokeConnection(c.connectionId)

  // The first API call finds out (refresh gets invalid_grant); the error handler answers per mode.
  const lostSignIn = await signedIn.get('/unguarded').set(html)
  expect(lostSignIn.status).toBe(302)
  expect(location(lostSignIn)).toBe('/auth/lexoffice?reason=invalid_grant&returnTo=%2Funguarded')
  const lostConnect = await own.get('/unguarded').set(html)
  expect(lostConnect.status).toBe(302)
  expect(location(lostConnect)).toBe('/lexoffice/connect?reason=invalid_grant&returnTo=%2Funguarded')

  // The guard, now that the store knows.
  expect(location(await signedIn.get('/contacts').set(html))).toBe('/auth/lexoffice?reason=invalid_grant&returnTo=%2Fcontacts')
  expect(location(await own.get('/contacts').set(html))).toBe('/lexoffice/connect?reason=invalid_grant&returnTo=%2Fcontacts')
  expect((await own.get('/contacts').set(json)).body).toMatchObject({ error: 'lexoffice_auth_lost', code: 'AUTH_LOST' })

  // Connect mode's reconnect page says why and links to the connect route, like the sign-in one.
  const page = await own.get('/lexoffice/connect?reason=invalid_grant&returnTo=%2Fcontacts').set(html)
  expect(page.status).toBe(200)
  expect(page.text).toContain('Connect lexoffice again')
  expect(page.text).toContain('href="/lexoffice/connect?returnTo=%2Fcontacts"')
  const reconnect = await own.get('/lexoffice/connect?returnTo=%2Fcontacts')
  expect(location(await own.get(await approve(String(location(reconnect)))))).toBe('/contacts')
  expect((await own.get('/contacts')).status).toBe(200)
})

it("an app user's request never falls back to a sign-in connection, and a sign-in never to an owner's", async () => {
  const agent = t.agent()
  await logIn(agent)
  // The same browser signs in to the app's own login: passport regenerates the session.
  await agent.post('/login?as=carol')
  const res = await agent.get('/contacts').set(json)
  expect(res.status).toBe(401)
  expect(res.body).toMatchObject({ code: 'NOT_CONNECTED' })
})

/**
 * Connect mode: an app with its own login connects lexoffice organisations to its users
 * (`lexoffice.connectRoutes({ owner })`), lists and disconnects them, and `req.lexoffice` picks one.
 */
import type { Express } from 'express'
import type { Lexoffice } from '../../lib/config/Lexoffice'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { type TestApp, approve, startTestApp } from '../helpers/lexofficeApp'

const html = { accept: 'text/html' }

/** The app's own login: `POST /login?as=<id>` makes `req.user = { id }`. */
function ownLogin(app: Express): void {
  app.post('/login', (req, res, next) => {
    // keepSessionInfo: the session (and a pending lexoffice login in it) survives the switch of users.
    req.logIn({ id: req.query.as as string }, { keepSessionInfo: true, session: true }, (err: unknown) => (err ? next(err) : res.end('ok')))
  })
}

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

beforeEach(async () => {
  t = await startTestApp({
    sandbox,
    setup(app, lexoffice: Lexoffice, passport) {
      ownLogin(app)
      app.use(
        lexoffice.connectRoutes({ owner: (req) => (req.user as { id: string } | undefined)?.id, passport, path: '/settings/lexoffice' }),
      )
      app.get('/contacts', lexoffice.required(), (req, res, next) => {
        const ctx = req.query.org ? req.lexoffice.use(req.query.org as string) : req.lexoffice
        Promise.all([ctx.client.profile.get(), ctx.key()]).then(
          ([profile, key]) => res.json({ companyName: profile.companyName, key }),
          next,
        )
      })
      app.get('/me', (req, res) => res.json({ user: req.user ?? null }))
    },
  })
})
afterEach(() => t.close())

async function connect(agent: ReturnType<TestApp['agent']>, org?: string): Promise<void> {
  const start = await agent.get('/settings/lexoffice/connect?returnTo=/contacts')
  expect(start.status).toBe(302)
  sandbox.useOrganization(org ?? sandbox.organization.organizationId)
  const back = await agent.get(await approve(start.headers.location))
  expect(back.status).toBe(302)
  expect(back.headers.location).toBe('/contacts')
}

it('needs a signed-in app user', async () => {
  const res = await t.agent().get('/settings/lexoffice/connect').set('accept', 'application/json')
  expect(res.status).toBe(401)
  expect(res.body.error).toBe('unauthenticated')
})

it('connects an organisation without replacing req.user, and req.lexoffice uses it', async () => {
  const agent = t.agent()
  await agent.post('/login?as=app-user-7')
  const before = await agent.get('/contacts').set(html)
  expect(before.status).toBe(302)
  expect(before.headers.location).toBe('/settings/lexoffice/connect?returnTo=%2Fcontacts')
  await connect(agent)
  expect((await agent.get('/me')).body.user).toEqual({ id: 'app-user-7' })
  const res = await agent.get('/contacts')
  expect(res.status).toBe(200)
  expect(res.body.key).toMatch(/^owner:app-user-7:/)
  const list = await agent.get('/settings/lexoffice/connections')
  expect(list.body.connections).toEqual([
    expect.objectContaining({ state: 'active', organizationId: expect.any(String), companyName: expect.any(String) }),
  ])
})

it("one app user connects several organisations, chooses one per request, disconnects one; others' are invisible", async () => {
  const agent = t.agent()
  await agent.post('/login?as=u1')
  const orgs = sandbox.organizations().map((o) => o.organizationId)
  expect(orgs.length).toBeGreaterThanOrEqual(2)
  await connect(agent, orgs[0])
  await connect(agent, orgs[1])
  const listed = ((await agent.get('/settings/lexoffice/connections')).body.connections as Array<{ organizationId: string }>).map(
    (c) => c.organizationId,
  )
  expect(listed.sort()).toEqual([orgs[0], orgs[1]].sort())
  const chosen = await agent.get(`/contacts?org=${orgs[0]}`)
  expect(chosen.status).toBe(200)
  expect(chosen.body.key).toBe(`owner:u1:${orgs[0]}`)

  // Another app user sees none of them and cannot use them.
  const other = t.agent()
  await other.post('/login?as=u2')
  expect((await other.get('/settings/lexoffice/connections')).body.connections).toEqual([])
  const stolen = await other.get(`/contacts?org=${orgs[0]}`).set('accept', 'application/json')
  expect(stolen.status).toBe(401)
  const theirDisconnect = await other
    .post('/settings/lexoffice/disconnect')
    .type('form')
    .send({ connection: orgs[0] })
    .set('origin', t.origin)
  expect(theirDisconnect.status).toBe(200)
  expect(await t.lexoffice.manager.tokenInfo(`owner:u1:${orgs[0]}`)).toMatchObject({ state: 'active' })

  const gone = await agent
    .post('/settings/lexoffice/disconnect')
    .type('form')
    .send({ connection: orgs[0] })
    .set({ ...html, origin: t.origin })
  expect(gone.status).toBe(303)
  expect(await t.lexoffice.manager.tokenInfo(`owner:u1:${orgs[0]}`)).toBeUndefined()
  expect((await agent.get('/settings/lexoffice/connections')).body.connections).toHaveLength(1)
})

it('a callback for another app user than the one who started the login is refused', async () => {
  const agent = t.agent()
  await agent.post('/login?as=u1')
  const start = await agent.get('/settings/lexoffice/connect')
  const callback = await approve(start.headers.location)
  await agent.post('/login?as=u2')
  const res = await agent.get(callback).set('accept', 'application/json')
  expect(res.status).toBe(403)
  expect(res.body.code).toBe('OWNER_MISMATCH')
  expect((await agent.get('/settings/lexoffice/connections')).body.connections).toEqual([])
})

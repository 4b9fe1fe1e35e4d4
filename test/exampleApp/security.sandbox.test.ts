/**
 * The example app's security properties over HTTP (supertest against a real server on port 0,
 * signed in through the auto-approving sandbox, both ways): helmet headers, session cookie flags,
 * CSRF on every form post, one user's organisations out of another's reach, and 4xx pages
 * without stack traces for bad input.
 */
import { createPrivateKey, randomUUID } from 'node:crypto'
import request from 'supertest'
import { signLexofficePayload } from '../../lib/sandbox'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { readConfig } from '../../example-app/src/config'
import { type StartedExample, exampleSandboxOptions, startExample } from '../../example-app/src/startExample'
import { TEST_PRIVATE_KEY } from '../webhooks/fixtures/testKeys'
import { unpaced } from './helpers'

// The sandbox's webhook signing key, known here so that the test can sign events itself (the
// tests' fixed key: generating one costs 0.3-1 s of CPU).
const privateKey = createPrivateKey(TEST_PRIVATE_KEY)
let sandbox: Sandbox
let app: StartedExample
let httpsApp: StartedExample

/** What beforeAll started, closed in reverse order (also after a failed start). */
const started: Array<() => Promise<unknown>> = []

beforeAll(async () => {
  sandbox = await createSandbox(exampleSandboxOptions({ autoApprove: true, webhooks: { privateKey }, api: { rateLimit: false } }))
  started.push(() => sandbox.close())
  app = await startExample(readConfig({ PORT: '0' }), unpaced(sandbox))
  started.push(() => app.close())
  // Behind a TLS-terminating proxy: BASE_URL is https, the proxy sends X-Forwarded-Proto.
  httpsApp = await startExample(readConfig({ PORT: '0', BASE_URL: 'https://app.example.test' }), unpaced(sandbox))
  started.push(() => httpsApp.close())
})

afterAll(async () => {
  for (const close of started.reverse()) await close()
})

type Agent = ReturnType<typeof request.agent>

/** Follows the auto-approved authorization to the callback; expects the app's redirect home. */
async function authorize(agent: Agent, start: request.Response): Promise<void> {
  const answer = await fetch(start.headers.location, { redirect: 'manual' })
  expect(answer.status).toBe(302)
  const callback = new URL(answer.headers.get('location')!)
  expect(callback.searchParams.get('code')).toBeTruthy()
  await agent.get(`${callback.pathname}${callback.search}`).expect(302).expect('location', '/')
}

/** Signs a fresh agent in with lexoffice: /auth/lexoffice → sandbox (auto-approved) → callback → home. */
async function signedInAgent(): Promise<Agent> {
  const agent = request.agent(app.listenURL)
  await authorize(agent, await agent.get('/auth/lexoffice').expect(302))
  const home = await agent.get('/').expect(200)
  expect(home.text).toContain('data-testid="token-state"')
  return agent
}

/** Signs a fresh agent in with the demo login as `user` and connects the organisation `organizationId`. */
async function demoAgent(user: 'alice' | 'bob', organizationId?: string): Promise<Agent> {
  const agent = request.agent(app.listenURL)
  const login = await agent.get('/login').expect(200)
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfTokenOf(login.text), user })
    .expect(303)
    .expect('location', '/')
  if (organizationId !== undefined) {
    sandbox.useOrganization(organizationId)
    await authorize(agent, await agent.get('/lexoffice/connect').expect(302))
    sandbox.useOrganization(sandbox.organization.organizationId)
  }
  return agent
}

function csrfTokenOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html)
  if (!match) throw new Error('no CSRF token in the page')
  return match[1]
}

/** An answer that must not reveal internals: no stack frames, no file paths. */
function expectNoInternals(body: string): void {
  expect(body).not.toMatch(/\n\s+at /)
  expect(body).not.toMatch(/[\\/](?:work|home|node_modules|lib|example-app)[\\/]/)
  expect(body).not.toMatch(/Error:/)
}

function activeConnections(): number {
  return sandbox.connections().filter((c) => c.state === 'active').length
}

describe('headers', () => {
  test('helmet: CSP (forms post to the app only), nosniff, frame options, no referrer, no x-powered-by', async () => {
    const res = await request(app.listenURL).get('/').expect(200)
    const csp = res.headers['content-security-policy']
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("form-action 'self';")
    expect(csp).toContain("frame-ancestors 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.headers['x-powered-by']).toBeUndefined()
  })

  test('session cookie: HttpOnly, SameSite=Lax, path /, not Secure over http', async () => {
    const res = await request(app.listenURL).get('/auth/lexoffice').expect(302)
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('lexoffice-example.sid='))!
    expect(cookie).toMatch(/; HttpOnly/i)
    expect(cookie).toMatch(/; SameSite=Lax/i)
    expect(cookie).toMatch(/; Path=\//i)
    expect(cookie).not.toMatch(/; Secure/i)
  })

  test('with an https BASE_URL the cookie is Secure, and never sent over plain http', async () => {
    const viaTls = await request(httpsApp.listenURL).get('/auth/lexoffice').set('x-forwarded-proto', 'https').expect(302)
    const cookie = (viaTls.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('lexoffice-example.sid='))!
    expect(cookie).toMatch(/; Secure/i)
    expect(cookie).toMatch(/; HttpOnly/i)
    expect(cookie).toMatch(/; SameSite=Lax/i)
    const plain = await request(httpsApp.listenURL).get('/auth/lexoffice').expect(302)
    expect(plain.headers['set-cookie']).toBeUndefined()
  })
})

describe('CSRF', () => {
  test('form posts without the session token, or with a wrong one, are refused with 403 and change nothing', async () => {
    const agent = await signedInAgent()
    const connections = activeConnections()
    for (const path of [
      '/auth/lexoffice/logout',
      '/auth/lexoffice/disconnect',
      '/sandbox/revoke',
      '/sandbox/expire',
      '/logout',
      '/login',
    ]) {
      const missing = await agent.post(path).type('form').send({}).expect(403)
      expect(missing.text).toContain('Form expired')
      expectNoInternals(missing.text)
      await agent
        .post(path)
        .type('form')
        .send({ _csrf: 'x'.repeat(32) })
        .expect(403)
    }
    expect(activeConnections()).toBe(connections)
    // Still signed in, the connection untouched.
    const home = await agent.get('/').expect(200)
    expect(home.text).toContain('data-testid="token-state"')
  })

  test("another session's token is refused; the page's own token is accepted", async () => {
    const alice = await signedInAgent()
    const mallory = await signedInAgent()
    const malloryToken = csrfTokenOf((await mallory.get('/').expect(200)).text)
    await alice.post('/auth/lexoffice/logout').type('form').send({ _csrf: malloryToken }).expect(403)
    const aliceToken = csrfTokenOf((await alice.get('/').expect(200)).text)
    await alice
      .post('/auth/lexoffice/logout')
      .type('form')
      .send({ _csrf: aliceToken })
      .set('accept', 'text/html')
      .expect(303)
      .expect('location', '/')
    expect((await alice.get('/').expect(200)).text).toContain('data-testid="connect"')
  })

  test('a form of the app posted from another site is refused by the package too (Origin), even with a valid token', async () => {
    const agent = await signedInAgent()
    const token = csrfTokenOf((await agent.get('/').expect(200)).text)
    const res = await agent
      .post('/auth/lexoffice/disconnect')
      .type('form')
      .send({ _csrf: token })
      .set('origin', 'https://evil.example')
      .expect(403)
    expect(res.text).not.toContain('Form expired')
    expect((await agent.get('/').expect(200)).text).toContain('data-testid="token-state"')
  })
})

describe("connect mode: one user's organisations are out of another's reach", () => {
  test('Bob can neither pick, nor disconnect, nor revoke or expire at the sandbox one of Alice’s organisations', async () => {
    const organization = sandbox.organizations()[1].organizationId
    const alice = await demoAgent('alice', organization)
    const bob = await demoAgent('bob')
    const aliceHome = (await alice.get('/').expect(200)).text
    expect(aliceHome).toContain(`data-organization="${organization}"`)
    const token = csrfTokenOf((await bob.get('/').expect(200)).text)
    const picked = await bob.post('/organization').type('form').send({ _csrf: token, organization }).expect(400)
    expectNoInternals(picked.text)
    await bob.post('/lexoffice/disconnect').type('form').send({ _csrf: token, connection: organization }).set('accept', 'text/html')
    await bob.post('/sandbox/revoke').type('form').send({ _csrf: token, organization }).set('accept', 'text/html')
    await bob.post('/sandbox/expire').type('form').send({ _csrf: token, organization }).set('accept', 'text/html')
    const after = (await alice.get('/').expect(200)).text
    expect(after).toContain(`data-organization="${organization}"`)
    expect(after).toContain('data-testid="state-badge">active<')
    expect(after).toMatch(/data-testid="refresh-count">0</)
    const bobHome = (await bob.get('/').expect(200)).text
    expect(bobHome).toContain('data-testid="no-connections"')
    expect(bobHome).not.toContain(organization)
  })

  test('the demo login accepts only its accounts', async () => {
    const agent = request.agent(app.listenURL)
    const token = csrfTokenOf((await agent.get('/login').expect(200)).text)
    const res = await agent.post('/login').type('form').send({ _csrf: token, user: 'mallory' }).expect(400)
    expectNoInternals(res.text)
    const proto = await agent.post('/login').type('form').send({ _csrf: token, user: '__proto__' }).expect(400)
    expectNoInternals(proto.text)
  })
})

describe('bad input gets a 4xx page without internals', () => {
  let agent: Agent
  beforeAll(async () => {
    agent = await signedInAgent()
  })

  test.each([
    ['/invoices/not-an-invoice/pdf', 400],
    [`/invoices/${randomUUID()}/pdf`, 404],
    ['/contacts?page=abc', 400],
    ['/contacts?page=0', 400],
    ['/contacts?page=-1', 400],
    ['/contacts?page=401', 400],
    ['/contacts?page=1&page=2', 400],
    ['/invoices?page=1e3', 400],
    ['/invoices/%E0%A4%A/pdf', 400],
    ['/no-such-page', 404],
    ['/?notice=__proto__', 200],
  ])('GET %s → %i', async (path, status) => {
    const res = await agent.get(path).set('accept', 'text/html').expect(status)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    if (status !== 200) expect(res.text).toContain('data-testid="error"')
    else expect(res.text).not.toContain('data-testid="flash"')
    expectNoInternals(res.text)
  })

  test('an oversized form body is 413, not 500', async () => {
    const res = await agent
      .post('/auth/lexoffice/logout')
      .type('form')
      .send({ _csrf: 'x', pad: 'y'.repeat(20_000) })
      .expect(413)
    expectNoInternals(res.text)
  })

  test('a webhook without a signature is 401 and reaches no handler; HEAD (lexoffice checks the URL) is 200', async () => {
    // Its own resourceId: the app's event log is shared with the other tests (a disconnect there
    // logs a genuine token.revoked), so only this event's absence is this test's business.
    const resourceId = randomUUID()
    const body = JSON.stringify({
      organizationId: randomUUID(),
      eventType: 'token.revoked',
      resourceId,
      eventDate: new Date().toISOString(),
    })
    const res = await request(app.listenURL).post('/webhooks/lexoffice').set('content-type', 'application/json').send(body).expect(401)
    expectNoInternals(res.text)
    const forged = await request(app.listenURL)
      .post('/webhooks/lexoffice')
      .set('content-type', 'application/json')
      .set('x-lxo-signature', Buffer.from('forged').toString('base64'))
      .send(body)
      .expect(401)
    expectNoInternals(forged.text)
    expect((await app.events.list()).filter((e) => e.resourceId === resourceId)).toEqual([])
    await request(app.listenURL).head('/webhooks/lexoffice').expect(200)
  })

  test('signed-out visitors: pages go to the start page (both ways to sign in), JSON callers get 401', async () => {
    await request(app.listenURL).get('/contacts').set('accept', 'text/html').expect(302).expect('location', '/?notice=signin')
    const json = await request(app.listenURL).get('/events.json').set('accept', 'application/json').expect(401)
    expect(json.body).toEqual({ error: 'not_signed_in' })
    const home = await request(app.listenURL).get('/?notice=signin').expect(200)
    expect(home.text).toContain('Please sign in first')
  })
})

describe('webhook events', () => {
  test("a signed-in user sees only their own organisation's events", async () => {
    const agent = await signedInAgent()
    const post = async (organizationId: string): Promise<void> => {
      const body = JSON.stringify({
        organizationId,
        eventType: 'contact.changed',
        resourceId: randomUUID(),
        eventDate: new Date().toISOString(),
      })
      await request(app.listenURL)
        .post('/webhooks/lexoffice')
        .set('content-type', 'application/json')
        .set('x-lxo-signature', signLexofficePayload(body, privateKey))
        .send(body)
        .expect(204)
    }
    const foreign = randomUUID()
    await post(foreign)
    await post(sandbox.organization.organizationId)
    expect((await app.events.list()).map((e) => e.organizationId)).toEqual(
      expect.arrayContaining([foreign, sandbox.organization.organizationId]),
    )
    const listed = (await agent.get('/events.json').set('accept', 'application/json').expect(200)).body as Array<{ organizationId: string }>
    expect(listed.length).toBeGreaterThan(0)
    expect(listed.every((e) => e.organizationId === sandbox.organization.organizationId)).toBe(true)
    const page = await agent.get('/events').expect(200)
    expect(page.text).not.toContain(foreign)
  })
})

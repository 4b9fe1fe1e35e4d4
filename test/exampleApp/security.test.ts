/**
 * The example app's security properties over HTTP (supertest against a real server on port 0,
 * signed in through the auto-approving sandbox): helmet headers, session cookie flags, CSRF on
 * every form post, and 4xx pages without stack traces for bad input.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import request from 'supertest'
import { signLexofficePayload } from '../../lib'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { readConfig } from '../../example-app/src/config'
import { type StartedExample, startExample } from '../../example-app/src/startExample'
import { type Agent, csrfTokenOf, expectNoInternals, signedInAgent as signedIn } from './helpers'

// The sandbox's webhook signing key, known here so that the test can sign events itself.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
let sandbox: Sandbox
let app: StartedExample
let httpsApp: StartedExample

beforeAll(async () => {
  sandbox = await createSandbox({ autoApprove: true, webhooks: { privateKey } })
  app = await startExample(readConfig({ PORT: '0' }), { sandbox })
  // Behind a TLS-terminating proxy: BASE_URL is https, the proxy sends X-Forwarded-Proto.
  httpsApp = await startExample(readConfig({ PORT: '0', BASE_URL: 'https://app.example.test' }), { sandbox })
})

afterAll(async () => {
  await app?.close()
  await httpsApp?.close()
  await sandbox?.close()
})

/** Signs a fresh agent in on the http instance. */
function signedInAgent(): Promise<Agent> {
  return signedIn(app)
}

function activeConnections(): number {
  return sandbox.connections().filter((c) => c.state === 'active').length
}

describe('headers', () => {
  test('helmet: CSP (form-action only self and lexoffice), nosniff, frame options, no referrer, no x-powered-by', async () => {
    const res = await request(app.listenURL).get('/').expect(200)
    const csp = res.headers['content-security-policy']!
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain(`form-action 'self' ${sandbox.url}`)
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
    for (const path of ['/logout', '/disconnect', '/sandbox/revoke', '/sandbox/expire']) {
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
    await alice.post('/logout').type('form').send({ _csrf: malloryToken }).expect(403)
    const aliceToken = csrfTokenOf((await alice.get('/').expect(200)).text)
    await alice.post('/logout').type('form').send({ _csrf: aliceToken }).expect(303).expect('location', '/')
    expect((await alice.get('/').expect(200)).text).toContain('data-testid="connect"')
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
    ['/contacts?page=-1', 400],
    ['/contacts?page=400', 400],
    ['/contacts?page=1&page=2', 400],
    ['/invoices?page=1e3', 400],
    ['/invoices/%E0%A4%A/pdf', 400],
    ['/no-such-page', 404],
  ])('GET %s → %i', async (path, status) => {
    const res = await agent.get(path).set('accept', 'text/html').expect(status)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.text).toContain('data-testid="error"')
    expectNoInternals(res.text)
  })

  test('an oversized form body is 413, not 500', async () => {
    const res = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: 'x', pad: 'y'.repeat(20_000) })
      .expect(413)
    expectNoInternals(res.text)
  })

  test('a webhook without a signature is 401 and reaches no handler', async () => {
    const body = JSON.stringify({
      organizationId: randomUUID(),
      eventType: 'token.revoked',
      resourceId: randomUUID(),
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
    expect(await app.events.list()).toEqual([])
  })

  test('signed-out visitors: pages redirect to the login, JSON callers get 401', async () => {
    await request(app.listenURL)
      .get('/contacts')
      .set('accept', 'text/html')
      .expect(302)
      .expect('location', '/auth/lexoffice?returnTo=%2Fcontacts')
    const json = await request(app.listenURL).get('/events.json').set('accept', 'application/json').expect(401)
    expect(json.body).toEqual({ error: 'not_signed_in' })
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

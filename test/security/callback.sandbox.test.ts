/**
 * Attacks on the OAuth callback of the example app, and token answers a broken token endpoint
 * sends during a login. Whatever arrives, the answer is a redirect to the failure page or a
 * 4xx/502 page without internals, no code is redeemed unless the callback is genuine, and nobody
 * is signed in by a forged one.
 */
import { randomBytes } from 'node:crypto'
import request from 'supertest'
import { readConfig } from '../../example-app/src/config'
import { type StartedExample, startExample } from '../../example-app/src/startExample'
import { createSandbox, type Sandbox, type SandboxFault } from '../../lib/sandbox'
import { type Agent, expectNoInternals, unpaced } from '../exampleApp/helpers'
import { TEST_PRIVATE_KEY } from '../webhooks/fixtures/testKeys'
import { useSecretScan } from './helpers/secretScan'

const SESSION_SECRET = randomBytes(32).toString('base64url')
const scan = useSecretScan()
let sandbox: Sandbox
let app: StartedExample

beforeAll(async () => {
  // The tests' fixed webhook key: the app reads the sandbox's public key, which would otherwise be generated (0.3-1 s of CPU).
  sandbox = await createSandbox({ autoApprove: true, webhooks: { privateKey: TEST_PRIVATE_KEY }, api: { rateLimit: false } })
  // Unpaced: each sign-in subscribes five webhooks, and closing the app waits for them (at 2 req/s, 3 s).
  app = await startExample(readConfig({ PORT: '0', SESSION_SECRET }), unpaced(sandbox))
  scan.watch(app.server).secrets(SESSION_SECRET, () => sandbox.knownSecrets())
})
afterAll(async () => {
  await app.close()
  await sandbox.close()
})

/** A login started in `agent`'s browser, approved at the sandbox: the genuine callback's query. */
async function approvedCallback(agent: Agent): Promise<URLSearchParams> {
  const start = await agent.get('/auth/lexoffice').expect(302)
  const authorize = await fetch(start.headers.location, { redirect: 'manual' })
  return new URL(authorize.headers.get('location') ?? '').searchParams
}

async function expectSignedOut(agent: Agent): Promise<void> {
  const home = await agent.get('/').expect(200)
  expect(home.text).toContain('data-testid="connect"')
}

/** The callback failed cleanly: a redirect to the failure page, or a 4xx page without internals. */
function expectRefused(res: request.Response): void {
  if (res.status === 302) expect(res.headers.location).toBe('/?login=failed')
  else {
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
    expectNoInternals(res.text)
  }
}

describe('callback tampering (no code is redeemed, nobody is signed in)', () => {
  const tampered: Array<[string, (genuine: URLSearchParams) => string]> = [
    ['without state', (q) => `code=${q.get('code')}`],
    ['with a forged state', (q) => `code=${q.get('code')}&state=${randomBytes(32).toString('base64url')}`],
    ['with the state twice', (q) => `code=${q.get('code')}&state=${q.get('state')}&state=${q.get('state')}`],
    ['with two codes', (q) => `code=${q.get('code')}&code=other&state=${q.get('state')}`],
    ['with code as an array', (q) => `code[]=${q.get('code')}&state=${q.get('state')}`],
    ['with a 10 kB code', (q) => `code=${'c'.repeat(10_000)}&state=${q.get('state')}`],
    ['with control characters in the code', (q) => `code=${encodeURIComponent('ab\r\nSet-Cookie: x=1')}&state=${q.get('state')}`],
    ['with an access_token (implicit grant injection)', (q) => `${q.toString()}&access_token=injected`],
    ['with a foreign iss', (q) => `${q.toString()}&iss=${encodeURIComponent('https://evil.example')}`],
  ]

  test.each(tampered)('a callback %s is refused', async (_what, tamper) => {
    const victim = request.agent(app.listenURL)
    const genuine = await approvedCallback(victim)
    const exchanges = sandbox.tokenCalls('authorization_code')
    expectRefused(await victim.get(`/auth/lexoffice/callback?${tamper(genuine)}`))
    expect(sandbox.tokenCalls('authorization_code')).toBe(exchanges)
    await expectSignedOut(victim)
  })

  test("login CSRF: the attacker's genuine callback, opened in the victim's browser, signs nobody in", async () => {
    const attacker = request.agent(app.listenURL)
    const callback = await approvedCallback(attacker)
    const victim = request.agent(app.listenURL)
    await victim.get('/').expect(200)
    expectRefused(await victim.get(`/auth/lexoffice/callback?${callback.toString()}`))
    await expectSignedOut(victim)
  })

  test('a replayed callback redeems its code once', async () => {
    const agent = request.agent(app.listenURL)
    const callback = await approvedCallback(agent)
    const exchanges = sandbox.tokenCalls('authorization_code')
    await agent.get(`/auth/lexoffice/callback?${callback.toString()}`).expect(302).expect('location', '/')
    expectRefused(await agent.get(`/auth/lexoffice/callback?${callback.toString()}`))
    expect(sandbox.tokenCalls('authorization_code')).toBe(exchanges + 1)
  })

  test('error= from "lexoffice" with markup and line breaks is refused and never reflected', async () => {
    const agent = request.agent(app.listenURL)
    const state = (await approvedCallback(agent)).get('state') ?? ''
    const description = '<script>alert(1)</script>\r\nX-Injected: 1'
    const res = await agent.get(
      `/auth/lexoffice/callback?error=server_error&error_description=${encodeURIComponent(description)}&state=${state}`,
    )
    expectRefused(res)
    const page = await agent.get(res.status === 302 ? res.headers.location : '/').expect(200)
    expect(page.text).not.toContain('<script>alert(1)</script>')
    expect(res.headers['x-injected']).toBeUndefined()
  })
})

describe('token answers during a login', () => {
  const faults: Array<[string, SandboxFault]> = [
    ['without refresh_token', { kind: 'alter', omit: ['refresh_token'] }],
    ['without access_token', { kind: 'alter', omit: ['access_token'] }],
    ['with token_type mac', { kind: 'alter', set: { token_type: 'mac' } }],
    ['as an HTML page', { kind: 'html' }],
    ['as HTTP 500', { kind: 'status', status: 500 }],
  ]
  test.each(faults)('an answer %s fails the login with 502, never a 500; nothing is stored', async (_what, fault) => {
    const agent = request.agent(app.listenURL)
    const callback = await approvedCallback(agent)
    const stored = (await app.lexoffice.manager.store.list?.())?.length
    sandbox.failNextTokenCalls([fault])
    const res = await agent.get(`/auth/lexoffice/callback?${callback.toString()}`).set('accept', 'text/html')
    expect(res.status).toBe(502)
    expectNoInternals(res.text)
    await expectSignedOut(agent)
    expect((await app.lexoffice.manager.store.list?.())?.length).toBe(stored)
  })
})

/**
 * Every malformed or refused callback: the answer's status and error code, and proof (the
 * stand-in's token log) that no token request was made.
 */
import { ErrorCodes } from '../../lib/errors'
import { LexofficeStrategy } from '../../lib/strategy/LexofficeStrategy'
import { type FakeLexoffice, startFakeLexoffice } from './helpers/fakeLexoffice'
import { type TestApp, approve, onRoute, startLogin, startTestApp } from './helpers/app'
import { runStrategy } from './helpers/runStrategy'

let lx: FakeLexoffice
let app: TestApp
let clock = Date.now()

beforeEach(async () => {
  clock = Date.now()
  lx = await startFakeLexoffice()
  app = await startTestApp({
    endpoints: lx.endpoints,
    client: lx.client,
    register: (u) => lx.addRedirectUri(u),
    strategy: { now: () => clock },
  })
})
afterEach(async () => {
  await app.close()
  await lx.close()
})

/** A started login: the agent, its state and a real code from the stand-in. */
async function started(): Promise<{ agent: ReturnType<TestApp['agent']>; state: string; code: string; callback: string }> {
  const agent = app.agent()
  const authz = await startLogin(agent)
  const callback = await approve(authz.href)
  const q = new URL(callback, app.origin).searchParams
  return { agent, state: q.get('state')!, code: q.get('code')!, callback }
}

function expectRefused(res: { status: number; body: { code?: string } }, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code })
  expect(lx.tokenCalls).toHaveLength(0)
}

describe('callback validation', () => {
  it('no state -> 403 STATE_MISSING, no token request', async () => {
    const { agent, code } = await started()
    expectRefused(await agent.get(`/callback?code=${code}`), 403, ErrorCodes.STATE_MISSING)
  })

  it('empty state -> 403 STATE_MISSING', async () => {
    const { agent, code } = await started()
    expectRefused(await agent.get(`/callback?code=${code}&state=`), 403, ErrorCodes.STATE_MISSING)
  })

  it('a state that is not pending -> 403 STATE_MISMATCH, no token request', async () => {
    const { agent, code } = await started()
    expectRefused(await agent.get(`/callback?code=${code}&state=${'x'.repeat(43)}`), 403, ErrorCodes.STATE_MISMATCH)
  })

  it("a valid state from another browser's session -> 403, victim's login unaffected", async () => {
    const victim = await started()
    const attacker = app.agent()
    await attacker.get('/me')
    expectRefused(await attacker.get(victim.callback), 403, ErrorCodes.STATE_MISMATCH)
    expect((await victim.agent.get('/me')).body.pending).toBe(1)
    const ok = await victim.agent.get(victim.callback)
    expect(ok.status).toBe(200)
  })

  it('a callback without any session cookie -> 403 with a hint about cookies, SameSite and trust proxy', async () => {
    const { callback } = await started()
    const res = await app.agent().get(callback)
    expectRefused(res, 403, ErrorCodes.STATE_MISMATCH)
    expect(res.body.message).toMatch(/SameSite=Lax/)
    expect(res.body.message).toMatch(/trust proxy/)
  })

  it('a pending login older than the TTL -> 403 TRANSACTION_EXPIRED, no token request, consumed', async () => {
    const { agent, callback } = await started()
    clock += 10 * 60_000
    expectRefused(await agent.get(callback), 403, ErrorCodes.TRANSACTION_EXPIRED)
    clock -= 10 * 60_000
    expectRefused(await agent.get(callback), 403, ErrorCodes.STATE_MISMATCH)
  })

  it('a login just under the TTL still works', async () => {
    const { agent, callback } = await started()
    clock += 10 * 60_000 - 1
    expect((await agent.get(callback)).status).toBe(200)
  })

  it.each([
    ['code twice', (c: string, s: string) => `code=${c}&code=other&state=${s}`, 'code'],
    ['state twice (same value)', (c: string, s: string) => `code=${c}&state=${s}&state=${s}`, 'state'],
    ['qs array code[]', (c: string, s: string) => `code[]=${c}&state=${s}`, 'code'],
    ['qs indexed code[0]', (c: string, s: string) => `code[0]=${c}&state=${s}`, 'code'],
    ['qs object state[a]', (c: string, s: string) => `code=${c}&state[a]=${s}`, 'state'],
    ['iss twice', (c: string, s: string) => `code=${c}&state=${s}&iss=a&iss=a`, 'iss'],
    ['error twice', (c: string, s: string) => `code=${c}&state=${s}&error=a&error=b`, 'error'],
  ])('%s -> 400 DUPLICATE_PARAMETER, no token request', async (_name, build, param) => {
    const { agent, code, state } = await started()
    const res = await agent.get('/callback?' + build(code, state))
    expectRefused(res, 400, ErrorCodes.DUPLICATE_PARAMETER)
    expect(res.body.message).toContain(`"${param}"`)
  })

  it.each([
    ['missing', () => ''],
    ['empty', () => 'code=&'],
    ['over 1024 characters', () => `code=${'a'.repeat(1025)}&`],
    ['with a control character', () => 'code=abc%01def&'],
    ['with CR/LF', () => 'code=abc%0d%0aX&'],
    ['with non-ASCII', () => 'code=%C3%A4bc&'],
  ])('code %s -> 400 INVALID_PARAMETER, no token request', async (_name, build) => {
    const { agent, state } = await started()
    expectRefused(await agent.get(`/callback?${build()}state=${state}`), 400, ErrorCodes.INVALID_PARAMETER)
  })

  it.each(['access_token=abc', 'id_token=eyJ', 'response=eyJ', 'token=abc'])('implicit/hybrid/JARM parameter %s -> 400', async (extra) => {
    const { agent, code, state } = await started()
    expectRefused(await agent.get(`/callback?code=${code}&state=${state}&${extra}`), 400, ErrorCodes.INVALID_PARAMETER)
  })

  it('error=access_denied with a valid state -> 401 ACCESS_DENIED, login consumed, no token request', async () => {
    const { agent, state, code } = await started()
    const res = await agent.get(`/callback?error=access_denied&error_description=User+said+no&state=${state}`)
    expectRefused(res, 401, ErrorCodes.ACCESS_DENIED)
    expect(res.body.message).toBe('You declined the connection to lexoffice. User said no')
    expectRefused(await agent.get(`/callback?code=${code}&state=${state}`), 403, ErrorCodes.STATE_MISMATCH)
  })

  it('error=access_denied goes to failureRedirect with the standard passport options', async () => {
    const { agent, state } = await started()
    const res = await agent.get(`/callback-redirect?error=access_denied&state=${state}`)
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/failed')
    expect(lx.tokenCalls).toHaveLength(0)
  })

  it.each([
    'invalid_request',
    'unauthorized_client',
    'unsupported_response_type',
    'invalid_scope',
    'server_error',
    'temporarily_unavailable',
    'something_new',
    'bad"value',
  ])('error=%s -> 400 AUTHORIZATION_ERROR (never 500), no token request', async (error) => {
    const { agent, state } = await started()
    const res = await agent.get(`/callback?error=${encodeURIComponent(error)}&state=${state}`)
    expectRefused(res, 400, ErrorCodes.AUTHORIZATION_ERROR)
    expect(res.body.message).toMatch(/lexoffice/)
  })

  it('error_description with HTML, CR/LF and 10 kB is not reflected raw and is truncated', async () => {
    const { agent, state } = await started()
    const evil = '<script>alert(1)</script>\r\nSet-Cookie: pwned=1 ' + 'A'.repeat(10_000)
    const res = await agent.get(`/callback?error=server_error&error_description=${encodeURIComponent(evil)}&state=${state}`)
    expectRefused(res, 400, ErrorCodes.AUTHORIZATION_ERROR)
    expect(res.body.message).not.toMatch(/[<>\r\n]/)
    expect(res.body.message.length).toBeLessThan(300)
    expect(res.headers['set-cookie']?.toString() ?? '').not.toContain('pwned')
    const logged = app.warnings.join('\n')
    expect(logged).toContain('AUTHORIZATION_ERROR')
    expect(logged).not.toMatch(/[<>\r]/)
    expect(logged.length).toBeLessThan(1000)
  })

  it('an iss that is not the configured issuer -> 400 ISSUER_MISMATCH, no token request', async () => {
    const { agent, code, state } = await started()
    expectRefused(await agent.get(`/callback?code=${code}&state=${state}&iss=https%3A%2F%2Fevil.example`), 400, ErrorCodes.ISSUER_MISMATCH)
  })

  it('an iss equal to the issuer (origin of the authorization URL) is accepted', async () => {
    const { agent, code, state } = await started()
    const res = await agent.get(`/callback?code=${code}&state=${state}&iss=${encodeURIComponent(lx.url)}`)
    expect(res.status).toBe(200)
  })

  it('authenticate({ state: "string" }) is refused with a typed error, never a stateless redirect', async () => {
    const res = await app.agent().get('/login-with-state')
    expect(res.status).toBe(500)
    expect(res.body.code).toBe('ERR_INVALID_ARG_VALUE')
    expect(res.headers.location).toBeUndefined()
  })

  it('a failure on the standard route answers no-store and no-referrer', async () => {
    const { agent, code } = await started()
    const res = await agent.get(onRoute(`/callback?code=${code}&state=nope`, '/callback-redirect'))
    expect(res.status).toBe(302)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
  })
})

describe('without express-session', () => {
  const strategy = new LexofficeStrategy(
    { clientID: 'id', clientSecret: 'secret', callbackURL: 'https://app.example/cb', scope: 'profile.read' },
    (_a: string, _r: string | undefined, _p: unknown, done: (err: unknown, user?: false) => void) => done(null, false),
  )

  it('the login leg errors with SESSION_MISSING naming express-session', async () => {
    const out = await runStrategy(strategy, { url: '/login', originalUrl: '/login', query: {} })
    expect(out.type).toBe('error')
    const err = (out as { err: { code: string; message: string } }).err
    expect(err.code).toBe(ErrorCodes.SESSION_MISSING)
    expect(err.message).toMatch(/express-session/)
  })

  it('the callback leg errors with SESSION_MISSING naming express-session', async () => {
    const out = await runStrategy(strategy, {
      url: '/cb?code=a&state=b',
      originalUrl: '/cb?code=a&state=b',
      query: { code: 'a', state: 'b' },
    })
    expect((out as { err: { code: string } }).err.code).toBe(ErrorCodes.SESSION_MISSING)
  })

  it('refuses a per-request callbackURL', async () => {
    const out = await runStrategy(strategy, { url: '/login', session: {} }, { callbackURL: 'https://evil.example/cb' })
    expect(out.type).toBe('error')
  })
})

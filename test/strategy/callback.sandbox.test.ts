/**
 * Every malformed or refused callback, through the ready-made routes and through a plain
 * `passport.authenticate('lexoffice')`: the answer's status and error code, and proof from the
 * sandbox's token-call log that no token request was made. The clock of the pending logins is
 * injected (`buildLexoffice(options, { now })`).
 */
import type { RequestHandler } from 'express'
import { createLexoffice } from '../../lib/config/Lexoffice'
import { ErrorCodes } from '../../lib/errors'
import { LexofficeStrategy } from '../../lib/strategy/LexofficeStrategy'
import { type Agent, type TestApp, approve, mountSessionView, sessionOf, startLogin, startTestApp } from '../helpers/lexofficeApp'
import { runStrategy } from './helpers/runStrategy'

interface Answer {
  status: number
  body: { code?: string; message?: string }
  text: string
  headers: Record<string, string | string[] | undefined>
}

const json = { accept: 'application/json' }
let t: TestApp
let clock = Date.now()

beforeEach(async () => {
  clock = Date.now()
  t = await startTestApp({
    hooks: { now: () => clock },
    setup(app, lexoffice, passport) {
      app.use(lexoffice.routes({ passport }))
      mountSessionView(app, lexoffice)
    },
  })
})
afterEach(() => t.close())

/** A started login: the agent, its state and a real code from the sandbox. */
async function started(): Promise<{ agent: Agent; state: string; code: string; callback: string }> {
  const agent = t.agent()
  const callback = await approve((await startLogin(agent)).href)
  const q = new URL(callback, t.origin).searchParams
  return { agent, state: q.get('state')!, code: q.get('code')!, callback }
}

async function callback(agent: Agent, query: string): Promise<Answer> {
  return await agent.get(`/auth/lexoffice/callback?${query}`).set(json)
}

function expectRefused(res: Answer, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code })
  expect(t.sandbox.tokenCalls()).toBe(0)
}

describe('callback validation', () => {
  it('no state -> 403 STATE_MISSING, no token request', async () => {
    const { agent, code } = await started()
    expectRefused(await callback(agent, `code=${code}`), 403, ErrorCodes.STATE_MISSING)
  })

  it('empty state -> 403 STATE_MISSING', async () => {
    const { agent, code } = await started()
    expectRefused(await callback(agent, `code=${code}&state=`), 403, ErrorCodes.STATE_MISSING)
  })

  it('a state that is not pending -> 403 STATE_MISMATCH, no token request', async () => {
    const { agent, code } = await started()
    expectRefused(await callback(agent, `code=${code}&state=${'x'.repeat(43)}`), 403, ErrorCodes.STATE_MISMATCH)
  })

  it("a valid state from another browser's session -> 403, the victim's login unaffected", async () => {
    const victim = await started()
    const attacker = t.agent()
    await attacker.get('/me')
    expectRefused(await attacker.get(victim.callback).set(json), 403, ErrorCodes.STATE_MISMATCH)
    expect((await sessionOf(victim.agent)).pending).toBe(1)
    const ok = await victim.agent.get(victim.callback)
    expect(ok.status).toBe(302)
    expect((await sessionOf(victim.agent)).user).toMatchObject({ id: t.sandbox.user.userId })
  })

  it('a callback without any session cookie -> 403 with a hint about cookies, SameSite and trust proxy', async () => {
    const c = await started()
    const res = (await t.agent().get(c.callback).set(json)) as Answer
    expectRefused(res, 403, ErrorCodes.STATE_MISMATCH)
    expect(res.body.message).toMatch(/SameSite=Lax/)
    expect(res.body.message).toMatch(/trust proxy/)
  })

  it('a pending login as old as the TTL -> 403 TRANSACTION_EXPIRED, no token request, consumed', async () => {
    const { agent, callback: back } = await started()
    clock += 10 * 60_000
    expectRefused(await agent.get(back).set(json), 403, ErrorCodes.TRANSACTION_EXPIRED)
    clock -= 10 * 60_000
    expectRefused(await agent.get(back).set(json), 403, ErrorCodes.STATE_MISMATCH)
  })

  it('a login just under the TTL still works', async () => {
    const { agent, callback: back } = await started()
    clock += 10 * 60_000 - 1
    const res = await agent.get(back)
    expect(res.status).toBe(302)
    expect(t.sandbox.tokenCalls('authorization_code')).toBe(1)
  })

  it('a configured pendingLoginTtlMs replaces the default', async () => {
    await t.close()
    t = await startTestApp({
      lexoffice: { pendingLoginTtlMs: 60_000 },
      hooks: { now: () => clock },
      setup(app, lexoffice, passport) {
        app.use(lexoffice.routes({ passport }))
      },
    })
    const { agent, callback: back } = await started()
    clock += 60_000
    expectRefused(await agent.get(back).set(json), 403, ErrorCodes.TRANSACTION_EXPIRED)
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
    const res = await callback(agent, build(code, state))
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
    expectRefused(await callback(agent, `${build()}state=${state}`), 400, ErrorCodes.INVALID_PARAMETER)
  })

  it.each(['access_token=abc', 'id_token=eyJ', 'response=eyJ', 'token=abc'])('implicit/hybrid/JARM parameter %s -> 400', async (extra) => {
    const { agent, code, state } = await started()
    expectRefused(await callback(agent, `code=${code}&state=${state}&${extra}`), 400, ErrorCodes.INVALID_PARAMETER)
  })

  it('error=access_denied with a valid state -> 401 ACCESS_DENIED, login consumed, no token request', async () => {
    const { agent, state, code } = await started()
    const res = await callback(agent, `error=access_denied&error_description=User+said+no&state=${state}`)
    expectRefused(res, 401, ErrorCodes.ACCESS_DENIED)
    expect(res.body.message).toBe('You declined the connection to lexoffice. User said no')
    expectRefused(await callback(agent, `code=${code}&state=${state}`), 403, ErrorCodes.STATE_MISMATCH)
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
    const res = await callback(agent, `error=${encodeURIComponent(error)}&state=${state}`)
    expectRefused(res, 400, ErrorCodes.AUTHORIZATION_ERROR)
    expect(res.body.message).toMatch(/lexoffice/)
  })

  it('error_description with HTML, CR/LF and 10 kB is not reflected raw, in the page or the log, and is truncated', async () => {
    const { agent, state } = await started()
    const evil = '<script>alert(1)</script>\r\nSet-Cookie: pwned=1 ' + 'A'.repeat(10_000)
    const query = `error=server_error&error_description=${encodeURIComponent(evil)}&state=${state}`
    const res = await callback(agent, query)
    expectRefused(res, 400, ErrorCodes.AUTHORIZATION_ERROR)
    expect(res.body.message).not.toMatch(/[<>\r\n]/)
    expect(res.body.message!.length).toBeLessThan(300)
    expect(String(res.headers['set-cookie'] ?? '')).not.toContain('pwned')
    const page = await started().then((c) =>
      c.agent.get(`/auth/lexoffice/callback?${query.replace(state, c.state)}`).set('accept', 'text/html'),
    )
    expect(page.status).toBe(400)
    expect(page.text).not.toContain('<script>')
    const logged = t.warnings.join('\n')
    expect(logged).toContain('AUTHORIZATION_ERROR')
    expect(logged).not.toMatch(/[<>\r]/)
    expect(logged.length).toBeLessThan(1000)
  })

  it('an iss that is not the configured issuer -> 400 ISSUER_MISMATCH, no token request', async () => {
    const { agent, code, state } = await started()
    expectRefused(await callback(agent, `code=${code}&state=${state}&iss=https%3A%2F%2Fevil.example`), 400, ErrorCodes.ISSUER_MISMATCH)
  })

  it('an iss equal to the issuer (origin of the authorization URL) is accepted', async () => {
    const { agent, code, state } = await started()
    const res = await agent.get(`/auth/lexoffice/callback?code=${code}&state=${state}&iss=${encodeURIComponent(t.sandbox.url)}`)
    expect(res.status).toBe(302)
    expect(t.sandbox.tokenCalls('authorization_code')).toBe(1)
  })

  it('a refused callback answers no-store and no-referrer, and failureRedirect gets the code', async () => {
    const { agent, code } = await started()
    const res = await callback(agent, `code=${code}&state=nope`)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['referrer-policy']).toBe('no-referrer')

    await t.close()
    t = await startTestApp({
      setup(app, lexoffice, passport) {
        app.use(lexoffice.routes({ passport, failureRedirect: '/failed' }))
      },
    })
    const c = await started()
    const redirected = await c.agent.get(`/auth/lexoffice/callback?error=access_denied&state=${c.state}`)
    expect(redirected.status).toBe(302)
    expect(redirected.headers.location).toBe('/failed?lexoffice_error=ACCESS_DENIED')
    expect(t.sandbox.tokenCalls()).toBe(0)
  })
})

describe("with plain passport.authenticate('lexoffice')", () => {
  beforeEach(async () => {
    await t.close()
    t = await startTestApp({
      setup(app, lexoffice, passport) {
        passport.use(lexoffice.strategy)
        app.get('/auth/lexoffice', passport.authenticate('lexoffice') as RequestHandler)
        app.get(
          '/auth/lexoffice/callback',
          passport.authenticate('lexoffice', { failureRedirect: '/failed', successRedirect: '/home' }) as RequestHandler,
        )
        app.get('/login-with-state', passport.authenticate('lexoffice', { state: 'app-chosen-state' }) as RequestHandler)
        app.use(
          (
            err: { status?: number; code?: string },
            _req: unknown,
            res: { status(n: number): { json(b: unknown): void } },
            next: (e: unknown) => void,
          ) => {
            if (typeof err.code !== 'string') {
              next(err)
              return
            }
            res.status(err.status ?? 500).json({ code: err.code })
          },
        )
      },
    })
  })

  it("error=access_denied goes to passport's failureRedirect, no token request", async () => {
    const { agent, state } = await started()
    const res = await agent.get(`/auth/lexoffice/callback?error=access_denied&state=${state}`)
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/failed')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(t.sandbox.tokenCalls()).toBe(0)
  })

  it('authenticate({ state: "string" }) is refused with a typed error, never a stateless redirect', async () => {
    const res = (await t.agent().get('/login-with-state')) as Answer
    expect(res.status).toBe(500)
    expect(res.body.code).toBe('ERR_INVALID_ARG_VALUE')
    expect(res.headers.location).toBeUndefined()
  })
})

describe('without express-session', () => {
  const lexoffice = createLexoffice({
    env: { LEXOFFICE_CLIENT_ID: 'id', LEXOFFICE_CLIENT_SECRET: 'secret', BASE_URL: 'https://app.example', LEXOFFICE_SCOPE: 'profile.read' },
    logger: { warn: () => undefined },
  })
  const strategy = new LexofficeStrategy(lexoffice)

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
    expect((out as { err: { code: string } }).err.code).toBe('ERR_INVALID_ARG_VALUE')
  })
})

/**
 * The login leg without HTTP: parameters of the authorization request, the authorizationParams
 * hook, returnTo sources, and saving the session before the redirect.
 */
import { LexofficeStrategy, type LexofficeAuthenticateOptions } from '../../lib/strategy/LexofficeStrategy'
import type { PendingLoginRecord } from '../../lib/strategy/PendingLoginStore'
import { computeCodeChallenge } from '../../lib/strategy/pkce'
import { runStrategy } from './helpers/runStrategy'

const base = {
  clientID: 'client',
  clientSecret: 'secret-value',
  callbackURL: 'https://app.example.com/auth/lexoffice/callback',
  scope: ['profile.read'],
}
const verify = (_a: string, _r: string | undefined, _p: unknown, done: (err: unknown, user?: false) => void): void => done(null, false)

function fakeSession(onSave?: (done: (err?: unknown) => void) => void): Record<string, unknown> & { saved: number } {
  const session = {
    saved: 0,
    save(cb: (err?: unknown) => void) {
      session.saved++
      if (onSave) onSave(cb)
      else cb()
    },
  }
  return session as Record<string, unknown> & { saved: number }
}

function loginReq(url: string, session: object): object {
  return { url, originalUrl: url, query: Object.fromEntries(new URL(url, 'http://x').searchParams), session }
}

describe('authorization request', () => {
  it('carries connection_name, the stored PKCE challenge and the production endpoint', async () => {
    const strategy = new LexofficeStrategy({ ...base, connectionName: 'Mein Shop (Test)' }, verify)
    const session = fakeSession()
    const out = await runStrategy(strategy, loginReq('/login', session))
    expect(out.type).toBe('redirect')
    const url = new URL((out as { url: string }).url)
    expect(url.origin + url.pathname).toBe('https://app.lexware.de/oauth2/authorize')
    expect(url.searchParams.get('connection_name')).toBe('Mein Shop (Test)')
    const record = session.lexoffice as PendingLoginRecord
    expect(record.pending).toHaveLength(1)
    const pending = record.pending[0]!
    expect(url.searchParams.get('state')).toBe(pending.state)
    expect(url.searchParams.get('code_challenge')).toBe(computeCodeChallenge(pending.codeVerifier))
    expect(pending.redirectUri).toBe(base.callbackURL)
    expect(pending.issuer).toBe('https://app.lexware.de')
  })

  it('saves the session before redirecting, and errors instead of redirecting when saving fails', async () => {
    const strategy = new LexofficeStrategy(base, verify)
    let release!: (err?: unknown) => void
    const session = fakeSession((done) => (release = done))
    const outcome = runStrategy(strategy, loginReq('/login', session))
    let settled = false
    void outcome.then(() => (settled = true))
    await new Promise((r) => setImmediate(r))
    expect(session.saved).toBe(1)
    expect(settled).toBe(false) // no redirect before the save completed
    release()
    expect((await outcome).type).toBe('redirect')

    const failing = fakeSession((done) => done(new Error('store down')))
    const out = await runStrategy(strategy, loginReq('/login', failing))
    expect(out.type).toBe('error')
  })

  it('takes scope per request from authenticate options', async () => {
    const strategy = new LexofficeStrategy(base, verify)
    const out = await runStrategy(strategy, loginReq('/login', fakeSession()), { scope: ['profile.read', 'contacts.read'] })
    expect(new URL((out as { url: string }).url).searchParams.get('scope')).toBe('profile.read contacts.read')
  })

  it('adds authorizationParams() but never lets them replace the security parameters', async () => {
    class Custom extends LexofficeStrategy {
      override authorizationParams(options: LexofficeAuthenticateOptions): Record<string, string> {
        return {
          prompt: 'login',
          connection_name: String(options.connectionName),
          state: 'attacker',
          code_challenge_method: 'plain',
          redirect_uri: 'https://evil.example/cb',
          client_id: 'other',
        }
      }
    }
    const strategy = new Custom(base, verify)
    const out = await runStrategy(strategy, loginReq('/login', fakeSession()), { connectionName: 'Per Request' })
    const q = new URL((out as { url: string }).url).searchParams
    expect(q.get('prompt')).toBe('login')
    expect(q.get('connection_name')).toBe('Per Request')
    expect(q.get('state')).not.toBe('attacker')
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('redirect_uri')).toBe(base.callbackURL)
    expect(q.get('client_id')).toBe('client')
    expect(q.getAll('state')).toHaveLength(1)
  })

  it('uses an existing req.session.returnTo (e.g. from connect-ensure-login) when no parameter is given', async () => {
    const strategy = new LexofficeStrategy(base, verify)
    const session = fakeSession()
    session.returnTo = '/settings'
    await runStrategy(strategy, loginReq('/login', session))
    expect((session.lexoffice as PendingLoginRecord).pending[0]!.returnTo).toBe('/settings')
    const evil = fakeSession()
    evil.returnTo = '//evil.com'
    await runStrategy(strategy, loginReq('/login', evil))
    expect((evil.lexoffice as PendingLoginRecord).pending[0]!.returnTo).toBeUndefined()
  })

  it('honours a custom returnToParam and can disable it', async () => {
    const custom = new LexofficeStrategy({ ...base, returnToParam: 'next' }, verify)
    const s1 = fakeSession()
    await runStrategy(custom, loginReq('/login?next=/a&returnTo=/b', s1))
    expect((s1.lexoffice as PendingLoginRecord).pending[0]!.returnTo).toBe('/a')
    const off = new LexofficeStrategy({ ...base, returnToParam: false }, verify)
    const s2 = fakeSession()
    await runStrategy(off, loginReq('/login?returnTo=/b', s2))
    expect((s2.lexoffice as PendingLoginRecord).pending[0]!.returnTo).toBeUndefined()
  })

  it('accepts authenticate({ state: true })', async () => {
    const strategy = new LexofficeStrategy(base, verify)
    expect((await runStrategy(strategy, loginReq('/login', fakeSession()), { state: true })).type).toBe('redirect')
  })

  it('refuses authenticate({ state: "string" }) and an object state with a typed error and stores nothing', async () => {
    const strategy = new LexofficeStrategy(base, verify)
    for (const state of ['abc', { returnTo: '/x' }]) {
      const session = fakeSession()
      const out = await runStrategy(strategy, loginReq('/login', session), { state })
      expect(out.type).toBe('error')
      expect((out as { err: { code: string } }).err.code).toBe('ERR_INVALID_ARG_VALUE')
      expect(session.lexoffice).toBeUndefined()
    }
  })

  it('checks a custom issuer against iss', async () => {
    const strategy = new LexofficeStrategy({ ...base, issuer: 'https://issuer.example' }, verify)
    const session = fakeSession()
    const out = await runStrategy(strategy, loginReq('/login', session))
    const state = new URL((out as { url: string }).url).searchParams.get('state')!
    const cb = `/cb?code=abc&state=${state}&iss=${encodeURIComponent('https://app.lexware.de')}`
    const res = await runStrategy(strategy, loginReq(cb, session))
    expect(res).toMatchObject({ type: 'fail', status: 400, challenge: { code: 'ISSUER_MISMATCH' } })
  })
})

describe('session cookie warnings', () => {
  it('warns once about SameSite=Strict and about a Secure cookie on plain http', async () => {
    const warn = jest.fn()
    const strategy = new LexofficeStrategy({ ...base, logger: { warn } }, verify)
    const strict = fakeSession()
    strict.cookie = { sameSite: 'strict', secure: true }
    const req = { ...loginReq('/login', strict), secure: false }
    await runStrategy(strategy, req)
    await runStrategy(strategy, req)
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringMatching(/SameSite=Strict/),
      expect.stringMatching(/trust proxy/),
    ])
  })

  it('does not warn for SameSite=Lax on https', async () => {
    const warn = jest.fn()
    const strategy = new LexofficeStrategy({ ...base, logger: { warn } }, verify)
    const lax = fakeSession()
    lax.cookie = { sameSite: 'lax', secure: true }
    await runStrategy(strategy, { ...loginReq('/login', lax), secure: true })
    expect(warn).not.toHaveBeenCalled()
  })
})

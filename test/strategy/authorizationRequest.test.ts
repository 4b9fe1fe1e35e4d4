/**
 * The login leg without HTTP: parameters of the authorization request, the authorizationParams
 * hook, returnTo sources, saving the session before the redirect, and the session cookie warnings.
 */
import { createLexoffice } from '../../lib/config/Lexoffice'
import type { LexofficeOptions } from '../../lib/config/LexofficeOptions'
import { ErrorCodes } from '../../lib/errors'
import { LexofficeStrategy, type LexofficeAuthenticateOptions } from '../../lib/strategy/LexofficeStrategy'
import type { PendingLoginRecord } from '../../lib/strategy/PendingLoginStore'
import { computeCodeChallenge } from '../../lib/strategy/pkce'
import { runStrategy, type StrategyOutcome } from './helpers/runStrategy'

const env = {
  LEXOFFICE_CLIENT_ID: 'client',
  LEXOFFICE_CLIENT_SECRET: 'secret-value',
  BASE_URL: 'https://app.example.com',
  LEXOFFICE_SCOPE: 'profile.read',
}
const CALLBACK = 'https://app.example.com/auth/lexoffice/callback'

function strategyOf(options: Partial<LexofficeOptions> = {}): LexofficeStrategy {
  return new LexofficeStrategy(createLexoffice({ env, logger: { warn: () => undefined }, ...options }))
}

type FakeSession = Record<string, unknown> & { saved: number }

function fakeSession(onSave?: (done: (err?: unknown) => void) => void): FakeSession {
  const session: FakeSession = {
    saved: 0,
    save(cb: (err?: unknown) => void) {
      session.saved++
      if (onSave) onSave(cb)
      else cb()
    },
  }
  return session
}

function loginReq(url: string, session: object): object {
  return { url, originalUrl: url, query: Object.fromEntries(new URL(url, 'http://x').searchParams), session }
}

function redirectOf(out: StrategyOutcome): URL {
  if (out.type !== 'redirect') throw new Error(`expected a redirect, got ${out.type}`)
  return new URL(out.url)
}

function pendingOf(session: FakeSession): PendingLoginRecord['pending'] {
  return (session.lexoffice as PendingLoginRecord).pending
}

describe('authorization request', () => {
  it('carries connection_name, the stored PKCE challenge and the production endpoint', async () => {
    const strategy = strategyOf({ connectionName: 'Mein Shop (Test)' })
    const session = fakeSession()
    const url = redirectOf(await runStrategy(strategy, loginReq('/login', session)))
    expect(url.origin + url.pathname).toBe('https://app.lexware.de/oauth2/authorize')
    expect(url.searchParams.get('connection_name')).toBe('Mein Shop (Test)')
    const pending = pendingOf(session)
    expect(pending).toHaveLength(1)
    expect(url.searchParams.get('state')).toBe(pending[0].state)
    expect(url.searchParams.get('code_challenge')).toBe(computeCodeChallenge(pending[0].codeVerifier))
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK)
    expect(pending[0].redirectUri).toBe(CALLBACK)
    expect(pending[0].issuer).toBe('https://app.lexware.de')
  })

  it('uses the configured callbackURL (LEXOFFICE_CALLBACK_URL) when one is given', async () => {
    const strategy = strategyOf({ env: { ...env, LEXOFFICE_CALLBACK_URL: 'https://app.example.com/oauth/lexoffice' } })
    const session = fakeSession()
    const url = redirectOf(await runStrategy(strategy, loginReq('/login', session)))
    expect(url.searchParams.get('redirect_uri')).toBe('https://app.example.com/oauth/lexoffice')
    expect(pendingOf(session)[0].redirectUri).toBe('https://app.example.com/oauth/lexoffice')
  })

  it('saves the session before redirecting, and errors instead of redirecting when saving fails', async () => {
    const strategy = strategyOf()
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

    const failing = fakeSession((done) => {
      done(new Error('store down'))
    })
    const out = await runStrategy(strategy, loginReq('/login', failing))
    expect(out.type).toBe('error')
  })

  it('takes scope per request from authenticate options, and refuses one without profile.read', async () => {
    const strategy = strategyOf()
    const out = await runStrategy(strategy, loginReq('/login', fakeSession()), { scope: ['profile.read', 'contacts.read'] })
    expect(redirectOf(out).searchParams.get('scope')).toBe('profile.read contacts.read')
    const session = fakeSession()
    const refused = await runStrategy(strategy, loginReq('/login', session), { scope: 'contacts.read' })
    expect(refused).toMatchObject({ type: 'error', err: { code: 'ERR_INVALID_ARG_VALUE' } })
    expect(session.lexoffice).toBeUndefined()
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
    const strategy = new Custom(createLexoffice({ env, connectionName: 'Configured' }))
    const out = await runStrategy(strategy, loginReq('/login', fakeSession()), { connectionName: 'Per Request' })
    const q = redirectOf(out).searchParams
    expect(q.get('prompt')).toBe('login')
    expect(q.get('connection_name')).toBe('Per Request')
    expect(q.get('state')).not.toBe('attacker')
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('redirect_uri')).toBe(CALLBACK)
    expect(q.get('client_id')).toBe('client')
    expect(q.getAll('state')).toHaveLength(1)
  })

  it('uses an existing req.session.returnTo (e.g. from connect-ensure-login) when no parameter is given', async () => {
    const strategy = strategyOf()
    const session = fakeSession()
    session.returnTo = '/settings'
    await runStrategy(strategy, loginReq('/login', session))
    expect(pendingOf(session)[0].returnTo).toBe('/settings')
    const evil = fakeSession()
    evil.returnTo = '//evil.com'
    await runStrategy(strategy, loginReq('/login', evil))
    expect(pendingOf(evil)[0].returnTo).toBeUndefined()
  })

  it('?returnTo= wins over the session, and a repeated returnTo falls back to the session', async () => {
    const strategy = strategyOf()
    const s1 = fakeSession()
    s1.returnTo = '/settings'
    await runStrategy(strategy, loginReq('/login?returnTo=/a', s1))
    expect(pendingOf(s1)[0].returnTo).toBe('/a')
    const s2 = fakeSession()
    s2.returnTo = '/settings'
    await runStrategy(strategy, loginReq('/login?returnTo=/a&returnTo=/b', s2))
    expect(pendingOf(s2)[0].returnTo).toBe('/settings')
  })

  it('accepts authenticate({ state: true })', async () => {
    expect((await runStrategy(strategyOf(), loginReq('/login', fakeSession()), { state: true })).type).toBe('redirect')
  })

  it('refuses authenticate({ state: "string" }) and an object state with a typed error and stores nothing', async () => {
    const strategy = strategyOf()
    for (const state of ['abc', { returnTo: '/x' }]) {
      const session = fakeSession()
      const out = await runStrategy(strategy, loginReq('/login', session), { state })
      expect(out).toMatchObject({ type: 'error', err: { code: 'ERR_INVALID_ARG_VALUE' } })
      expect(session.lexoffice).toBeUndefined()
    }
  })

  it('checks iss against the issuer of the configured environment (origin of its authorization URL)', async () => {
    const strategy = strategyOf({ environment: { authURL: 'https://issuer.example', apiURL: 'https://api.issuer.example' } })
    const session = fakeSession()
    const url = redirectOf(await runStrategy(strategy, loginReq('/login', session)))
    expect(url.origin).toBe('https://issuer.example')
    const state = url.searchParams.get('state')!
    const cb = `/cb?code=abc&state=${state}&iss=${encodeURIComponent('https://app.lexware.de')}`
    const res = await runStrategy(strategy, loginReq(cb, session))
    expect(res).toMatchObject({ type: 'fail', status: 400, challenge: { code: ErrorCodes.ISSUER_MISMATCH } })
  })
})

describe('session cookie warnings', () => {
  it('warns once about SameSite=Strict and about a Secure cookie on plain http', async () => {
    const warn = jest.fn<undefined, [string]>()
    const strategy = strategyOf({ logger: { warn } })
    const strict = fakeSession()
    strict.cookie = { sameSite: 'strict', secure: true }
    const req = { ...loginReq('/login', strict), secure: false }
    await runStrategy(strategy, req)
    await runStrategy(strategy, req)
    expect(warn.mock.calls.map((c) => c[0])).toEqual([expect.stringMatching(/SameSite=Strict/), expect.stringMatching(/trust proxy/)])
  })

  it('does not warn for SameSite=Lax on https', async () => {
    const warn = jest.fn<undefined, [string]>()
    const strategy = strategyOf({ logger: { warn } })
    const lax = fakeSession()
    lax.cookie = { sameSite: 'lax', secure: true }
    await runStrategy(strategy, { ...loginReq('/login', lax), secure: true })
    expect(warn).not.toHaveBeenCalled()
  })
})

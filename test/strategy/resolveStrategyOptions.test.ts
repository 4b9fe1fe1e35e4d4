import { resolveStrategyOptions } from '../../lib/strategy/resolveStrategyOptions'
import { LexofficeStrategy } from '../../lib/strategy/LexofficeStrategy'

const base = {
  clientID: 'client',
  clientSecret: 'TOP-SECRET-VALUE',
  callbackURL: 'https://app.example.com/auth/lexoffice/callback',
  scope: ['profile.read'],
}
const verify = (_a: string, _r: string | undefined, _p: unknown, done: (err: unknown, user?: false) => void): void => done(null, false)

function expectInvalid(options: object, match: RegExp): void {
  let thrown: unknown
  try {
    resolveStrategyOptions(options as never)
  } catch (err) {
    thrown = err
  }
  expect(thrown).toBeInstanceOf(TypeError)
  expect((thrown as { code?: string }).code).toMatch(/^ERR_INVALID_ARG_(TYPE|VALUE)$/)
  expect((thrown as Error).message).toMatch(match)
  expect((thrown as Error).message).not.toContain('TOP-SECRET-VALUE')
}

describe('resolveStrategyOptions', () => {
  it('applies the documented defaults', () => {
    const r = resolveStrategyOptions(base)
    expect(r).toMatchObject({
      sessionKey: 'lexoffice',
      pendingLoginTtlMs: 600_000,
      maxPendingLogins: 5,
      timeoutMs: 10_000,
      returnToParam: 'returnTo',
      passReqToCallback: false,
      skipUserProfile: false,
      scope: 'profile.read',
      issuer: 'https://app.lexware.de',
    })
    expect(r.endpoints.tokenURL).toBe('https://app.lexware.de/oauth2/token')
  })

  it('selects the lexoffice sandbox environment and URL overrides', () => {
    expect(resolveStrategyOptions({ ...base, environment: 'sandbox' }).endpoints.apiURL).toBe('https://api.lexware-sandbox.io')
    const r = resolveStrategyOptions({
      ...base,
      tokenURL: 'http://127.0.0.1:9/oauth2/token',
      authorizationURL: 'http://127.0.0.1:9/oauth2/authorize',
    })
    expect(r.endpoints.tokenURL).toBe('http://127.0.0.1:9/oauth2/token')
    expect(r.issuer).toBe('http://127.0.0.1:9')
  })

  it('accepts scope as a space-separated string and de-duplicates', () => {
    expect(resolveStrategyOptions({ ...base, scope: 'profile.read  contacts.read profile.read' }).scope).toBe('profile.read contacts.read')
  })

  it.each([
    [{ clientID: undefined }, /clientID/],
    [{ clientSecret: '' }, /clientSecret/],
    [{ callbackURL: undefined }, /callbackURL/],
    [{ callbackURL: '/auth/callback' }, /absolute/],
    [{ callbackURL: 'http://app.example.com/cb' }, /https/],
    [{ callbackURL: 'https://app.example.com/cb#x' }, /fragment/],
    [{ pkce: 'plain' }, /pkce/],
    [{ pkce: false }, /pkce/],
    [{ state: false }, /state/],
    [{ state: 'abc' }, /state/],
    [{ scope: [] }, /scope/],
    [{ scope: ['bad"scope'] }, /scope/],
    [{ scope: 42 }, /scope/],
    [{ connectionName: 'Evil<script>' }, /connectionName/],
    [{ connectionName: 'line\nbreak' }, /connectionName/],
    [{ maxPendingLogins: 4 }, /maxPendingLogins/],
    [{ pendingLoginTtlMs: 1.5 }, /pendingLoginTtlMs/],
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ sessionKey: 'passport' }, /sessionKey/],
    [{ sessionKey: '' }, /sessionKey/],
    [{ returnToParam: 'a b' }, /returnToParam/],
    [{ passReqToCallback: 'yes' }, /passReqToCallback/],
    [{ skipUserProfile: 'no' }, /skipUserProfile/],
    [{ logger: { info: () => undefined } }, /logger\.warn/],
    [{ clientId: 'typo' }, /clientId/],
    [{ store: true }, /store/],
    [{ customHeaders: {} }, /customHeaders/],
    [{ environment: 'staging' }, /environment/],
    [{ tokenURL: 'http://lexoffice.example/token' }, /tokenURL/],
  ])('refuses %p', (patch, match) => {
    expectInvalid({ ...base, ...patch }, match)
  })

  it('accepts every character lexoffice allows in connection_name', () => {
    const name = 'Mein Shop/?äöüÄÖÜß.-{}"_\\:=,() 2'
    expect(resolveStrategyOptions({ ...base, connectionName: name }).connectionName).toBe(name)
  })

  it('accepts pkce true and "S256" and state true', () => {
    expect(() => resolveStrategyOptions({ ...base, pkce: true, state: true })).not.toThrow()
    expect(() => resolveStrategyOptions({ ...base, pkce: 'S256' })).not.toThrow()
  })
})

describe('LexofficeStrategy construction', () => {
  it('warns once through the logger when scope is omitted', () => {
    const warn = jest.fn()
    const { scope: _omit, ...noScope } = base
    new LexofficeStrategy({ ...noScope, logger: { warn } }, verify)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[0]).toMatch(/ALL scopes/)
    new LexofficeStrategy({ ...base, logger: { warn } }, verify)
    expect(warn).toHaveBeenCalledTimes(1)
  })

  it("throws TypeError for pkce 'plain' at construction", () => {
    expect(() => new LexofficeStrategy({ ...base, pkce: 'plain' } as never, verify)).toThrow(TypeError)
  })

  it('refuses verify functions whose arity passport-oauth2 cannot dispatch', () => {
    expect(() => new LexofficeStrategy(base, ((...args: unknown[]) => void args) as never)).toThrow(/exactly 4 or 5/)
    expect(() => new LexofficeStrategy({ ...base, passReqToCallback: true }, verify as never)).toThrow(/exactly 5 or 6/)
    expect(() => new LexofficeStrategy(base, undefined as never)).toThrow(TypeError)
  })

  it("is named 'lexoffice' and exposes the session key", () => {
    const s = new LexofficeStrategy({ ...base, sessionKey: 'lx' }, verify)
    expect(s.name).toBe('lexoffice')
    expect(s.sessionKey).toBe('lx')
  })
})

/**
 * The one configuration: environment variables, validation at startup (one TypeError naming the
 * option), and no way to build parts that talk to different lexoffice environments.
 */
import { inspect } from 'node:util'
import { LEXOFFICE_ENDPOINTS } from '../../lib/endpoints'
import { createLexoffice } from '../../lib/config/Lexoffice'
import { internalsOf } from '../../lib/config/internals'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'

const SECRET = 'client-secret-that-must-never-show'
const env = {
  LEXOFFICE_CLIENT_ID: 'client-1',
  LEXOFFICE_CLIENT_SECRET: SECRET,
  BASE_URL: 'https://app.example.com',
  LEXOFFICE_SCOPE: 'profile.read contacts.read',
}

function refused(options: Parameters<typeof createLexoffice>[0], message: RegExp): void {
  let error: unknown
  try {
    createLexoffice(options)
  } catch (err) {
    error = err
  }
  expect(error).toBeInstanceOf(TypeError)
  expect((error as { code?: string }).code).toMatch(/^ERR_INVALID_ARG_(TYPE|VALUE)$/)
  expect((error as Error).message).toMatch(message)
  expect((error as Error).message).not.toContain(SECRET)
}

describe('createLexoffice', () => {
  it('reads credentials, environment, base URL and scope from the environment', () => {
    const lexoffice = createLexoffice({ env: { ...env, LEXOFFICE_ENV: 'sandbox' } })
    const o = internalsOf(lexoffice).options
    expect(o.clientID).toBe('client-1')
    expect(o.endpoints).toEqual(LEXOFFICE_ENDPOINTS.sandbox)
    expect(lexoffice.manager.apiURL).toBe(LEXOFFICE_ENDPOINTS.sandbox.apiURL)
    expect(o.scope).toBe('profile.read contacts.read')
    expect(o.baseURL).toBe('https://app.example.com')
  })

  it('options win over the environment', () => {
    const lexoffice = createLexoffice({ env, environment: 'sandbox', clientID: 'other', scope: ['profile.read'] })
    expect(internalsOf(lexoffice).options).toMatchObject({ clientID: 'other', scope: 'profile.read', environment: 'sandbox' })
  })

  it('one environment for the strategy, the token manager and the API clients', () => {
    const lexoffice = createLexoffice({ env, environment: { authURL: 'http://127.0.0.1:4010', apiURL: 'http://127.0.0.1:4010' } })
    const { oauth, options } = internalsOf(lexoffice)
    expect(options.endpoints.authorizationURL).toBe('http://127.0.0.1:4010/oauth2/authorize')
    expect(oauth.tokenURL).toBe('http://127.0.0.1:4010/oauth2/token')
    expect(oauth.revokeURL).toBe('http://127.0.0.1:4010/oauth2/revoke')
    expect(lexoffice.manager.apiURL).toBe('http://127.0.0.1:4010')
    expect(lexoffice.client('user:o:u').apiURL).toBe('http://127.0.0.1:4010')
  })

  it('LEXOFFICE_AUTH_URL and LEXOFFICE_API_URL name a custom lexoffice', () => {
    const lexoffice = createLexoffice({
      env: { ...env, LEXOFFICE_AUTH_URL: 'http://localhost:4010', LEXOFFICE_API_URL: 'http://localhost:4010/v1' },
    })
    expect(lexoffice.manager.apiURL).toBe('http://localhost:4010')
  })

  it('applies the documented defaults', () => {
    const o = internalsOf(createLexoffice({ env })).options
    expect(o).toMatchObject({
      environment: 'production',
      callbackURL: undefined,
      connectionName: undefined,
      sessionKey: 'lexoffice',
      pendingLoginTtlMs: 600_000,
      maxPendingLogins: 5,
      timeoutMs: 10_000,
      redisPrefix: 'lexoffice:',
    })
    expect(o.endpoints).toEqual(LEXOFFICE_ENDPOINTS.production)
  })

  it('normalises the scope (space-separated or an array; duplicates dropped)', () => {
    const scopeOf = (scope: string | string[]): string => internalsOf(createLexoffice({ env, scope })).options.scope
    expect(scopeOf('profile.read  contacts.read profile.read')).toBe('profile.read contacts.read')
    expect(scopeOf(['contacts.read', 'profile.read', 'contacts.read'])).toBe('contacts.read profile.read')
    expect(internalsOf(createLexoffice({ env: { ...env, LEXOFFICE_SCOPE: ' profile.read   invoices.read ' } })).options.scope).toBe(
      'profile.read invoices.read',
    )
  })

  it('takes the callback URL from LEXOFFICE_CALLBACK_URL or the option; a callback URL alone needs no base URL', () => {
    const fromEnv = createLexoffice({ env: { ...env, LEXOFFICE_CALLBACK_URL: 'https://app.example.com/oauth/lexoffice' } })
    expect(internalsOf(fromEnv).options.callbackURL).toBe('https://app.example.com/oauth/lexoffice')
    const alone = createLexoffice({ env: { ...env, BASE_URL: undefined }, callbackURL: 'https://app.example.com/cb?tenant=1' })
    expect(internalsOf(alone).options).toMatchObject({ callbackURL: 'https://app.example.com/cb?tenant=1', baseURL: undefined })
  })

  it('accepts http only for a loopback base URL, and drops trailing slashes', () => {
    for (const baseURL of ['http://localhost:3000/', 'http://127.0.0.1:3000', 'https://app.example.com//']) {
      expect(internalsOf(createLexoffice({ env, baseURL })).options.baseURL).toBe(baseURL.replace(/\/+$/, ''))
    }
  })

  it('accepts every character lexoffice allows in connection_name', () => {
    const name = 'Mein Shop/?äöüÄÖÜß.-{}"_\\:=,() 2'
    expect(internalsOf(createLexoffice({ env, connectionName: name })).options.connectionName).toBe(name)
    expect(internalsOf(createLexoffice({ env: { ...env, LEXOFFICE_CONNECTION_NAME: 'Shop (Test)' } })).options.connectionName).toBe(
      'Shop (Test)',
    )
  })

  it.each([
    [{ env, callbackURL: '/auth/lexoffice/callback' }, /"callbackURL \(LEXOFFICE_CALLBACK_URL\)" must be an absolute URL/],
    [{ env, callbackURL: 'http://app.example.com/cb' }, /"callbackURL \(LEXOFFICE_CALLBACK_URL\)" must be an https URL/],
    [{ env: { ...env, LEXOFFICE_CALLBACK_URL: 'https://app.example.com/cb#x' } }, /"callbackURL" must not contain a fragment/],
    [{ env, baseURL: 'https://app.example.com/?a=1' }, /"baseURL" \(BASE_URL\) must not have a query or fragment/],
    [{ env, baseURL: 'app.example.com' }, /"baseURL \(BASE_URL\)" must be an absolute URL/],
    [{ env, scope: [] }, /"scope" must name at least one scope/],
    [{ env, scope: ['profile.read', 'bad"scope'] }, /"scope" contains an invalid scope token/],
    [{ env, scope: 42 }, /"scope" must be a string or an array of strings/],
    [{ env, connectionName: 'line\nbreak' }, /"connectionName" may only contain/],
    [{ env, connectionName: 'x'.repeat(256) }, /"connectionName" must be at most 255 characters/],
    [{ env, maxPendingLogins: 0 }, /"maxPendingLogins" must be between 1 and 50/],
    [{ env, maxPendingLogins: 51 }, /"maxPendingLogins" must be between 1 and 50/],
    [{ env, pendingLoginTtlMs: 1.5 }, /"pendingLoginTtlMs" must be an integer/],
    [{ env, pendingLoginTtlMs: 999 }, /"pendingLoginTtlMs" must be between 1000 and 3600000/],
    [{ env, timeoutMs: 0 }, /"timeoutMs" must be between 1 and 120000/],
    [{ env, sessionKey: 'passport' }, /"sessionKey" must not be "passport"/],
    [{ env, sessionKey: '' }, /"sessionKey" must not be empty/],
    [{ env, verify: 'yes' }, /"verify" must be a function/],
    [{ env, logger: { info: () => undefined } }, /"logger.warn" must be a function/],
    [{ env, store: true }, /"store" must be a TokenStore/],
    [{ env: 'LEXOFFICE' }, /"env" must be an object/],
  ])('refuses bad options at startup: %#', (options, message) => {
    refused(options as Parameters<typeof createLexoffice>[0], message)
  })

  it.each([
    'pkce',
    'state',
    'skipUserProfile',
    'passReqToCallback',
    'returnToParam',
    'issuer',
    'tokenURL',
    'authorizationURL',
    'customHeaders',
  ])('refuses %s, an option of the old LexofficeStrategy, as unknown', (option) => {
    refused({ env, [option]: true }, new RegExp(`unknown createLexoffice option "${option}"`))
  })

  it.each([
    [{ env: { ...env, LEXOFFICE_CLIENT_SECRET: '' } }, /"clientSecret" is missing: pass it or set LEXOFFICE_CLIENT_SECRET/],
    [{ env: { ...env, LEXOFFICE_CLIENT_ID: undefined } }, /"clientID" is missing.*LEXOFFICE_CLIENT_ID/],
    [{ env: { ...env, BASE_URL: undefined } }, /"baseURL" is missing.*BASE_URL/],
    [{ env: { ...env, BASE_URL: 'http://app.example.com' } }, /baseURL \(BASE_URL\)" must be an https URL/],
    [{ env: { ...env, LEXOFFICE_ENV: 'staging' } }, /"environment" \(LEXOFFICE_ENV\) must be "production", "sandbox"/],
    [{ env: { ...env, LEXOFFICE_ENV: 'sandbox', LEXOFFICE_AUTH_URL: 'http://localhost:1' } }, /either LEXOFFICE_ENV or LEXOFFICE_AUTH_URL/],
    [{ env: { ...env, LEXOFFICE_AUTH_URL: 'http://localhost:1' } }, /go together/],
    [{ env, environment: { authURL: 'http://lexoffice.example', apiURL: 'https://x.example' } }, /environment.authURL.*https/],
    [{ env: { ...env, LEXOFFICE_SCOPE: undefined } }, /"scope" is missing/],
    [{ env, scope: ['contacts.read'] }, /must include "profile.read"/],
    [{ env, connectionName: 'bad<name>' }, /"connectionName"/],
    [{ env, store: {} as never }, /"store" must be a TokenStore: it has no get\(\) method/],
    [{ env, store: new MemoryTokenStore(), redis: { sendCommand: () => Promise.resolve() } }, /either "store" or "redis"/],
    [{ env, redis: { sendCommand: () => Promise.resolve() } }, /LEXOFFICE_ENCRYPTION_KEYS/],
    [{ env: { ...env, LEXOFFICE_ENCRYPTION_KEYS: 'k1:tooshort' } }, /LEXOFFICE_ENCRYPTION_KEYS is invalid/],
    [{ env, sessionKey: '__proto__' }, /"sessionKey" must not be "__proto__"/],
    [{ env, sessionKey: 'save' }, /"sessionKey" must not be "save"/],
    [{ env, clientId: 'typo' } as never, /unknown createLexoffice option "clientId"/],
  ])('refuses bad configuration at startup: %#', (options, message) => {
    refused(options, message)
  })

  it('shows no secret in JSON.stringify or util.inspect', () => {
    const lexoffice = createLexoffice({ env })
    for (const text of [
      JSON.stringify(lexoffice),
      inspect(lexoffice, { depth: 10, showHidden: true }),
      inspect(lexoffice.strategy, { depth: 10 }),
    ]) {
      expect(text).not.toContain(SECRET)
    }
    expect(Object.keys(lexoffice)).toEqual(['manager'])
  })

  it('warns once when a production app keeps tokens in memory', () => {
    const warnings: string[] = []
    const before = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      createLexoffice({ env, logger: { warn: (m) => warnings.push(m) } })
    } finally {
      process.env.NODE_ENV = before
    }
    expect(warnings).toEqual([expect.stringContaining('tokens are kept in this process only')])
  })
})

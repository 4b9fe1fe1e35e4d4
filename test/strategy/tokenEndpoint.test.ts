/**
 * The code exchange and the profile call: faults become typed errors (502/504, with `code`),
 * invalid_grant fails softly, no secret ever shows, and the verify callback forms all work.
 */
import { inspect } from 'node:util'
import type { Request } from 'express'
import { ErrorCodes } from '../../lib/errors'
import type { LexofficeTokenResponse } from '../../lib/oauth/LexofficeOAuthClient'
import type { LexofficeProfile } from '../../lib/strategy/profile'
import type { LexofficeVerifyCallback } from '../../lib/strategy/LexofficeStrategy'
import { type FakeLexoffice, type TokenFault, startFakeLexoffice } from './helpers/fakeLexoffice'
import { type TestApp, type TestAppOptions, approve, startLogin, startTestApp } from './helpers/app'

/** Apps may augment Express.User; these tests use plain objects. */
const asUser = (u: object): Express.User => u as Express.User

let lx: FakeLexoffice
let app: TestApp | undefined
beforeEach(async () => {
  lx = await startFakeLexoffice()
})
afterEach(async () => {
  await app?.close()
  app = undefined
  await lx.close()
})

async function withApp(extra: Partial<TestAppOptions> = {}): Promise<TestApp> {
  app = await startTestApp({ endpoints: lx.endpoints, client: lx.client, register: (u) => lx.addRedirectUri(u), ...extra })
  return app
}

async function login(a: TestApp, path = '/login'): Promise<{ res: { status: number; body: any; text: string }; callback: string }> {
  const agent = a.agent()
  const callback = await approve((await startLogin(agent, path)).href)
  const res = await agent.get(callback)
  return { res, callback }
}

/** Everything that must never show a secret: answers, errors (message, JSON, inspect), logs, the strategy. */
function assertNoSecrets(a: TestApp, answers: string[], extraSecrets: string[] = []): void {
  const secrets = [
    lx.client.clientSecret,
    Buffer.from(`${lx.client.clientID}:${lx.client.clientSecret}`).toString('base64'),
    ...extraSecrets,
  ]
  for (const call of lx.tokenCalls) {
    secrets.push(call.form.get('code') ?? '', call.form.get('code_verifier') ?? '')
  }
  const haystack = [
    ...answers,
    ...a.warnings,
    ...a.errors.flatMap((e) => [String((e as Error).message), JSON.stringify(e), inspect(e, { depth: 10, showHidden: true })]),
    JSON.stringify(a.strategy),
    inspect(a.strategy, { depth: 10 }),
    inspect(a.strategy, { depth: 10, showHidden: true, customInspect: false }),
  ].join('\n')
  for (const s of secrets.filter((x) => x.length > 0)) expect(haystack).not.toContain(s)
}

describe('token endpoint faults', () => {
  it.each<[string, TokenFault, string, number]>([
    ['HTTP 500', { kind: 'status', status: 500, body: '{"error":"server_error"}' }, ErrorCodes.TOKEN_ENDPOINT_ERROR, 502],
    [
      'HTTP 503 with HTML',
      { kind: 'status', status: 503, body: '<html>down</html>', contentType: 'text/html' },
      ErrorCodes.TOKEN_ENDPOINT_ERROR,
      502,
    ],
    ['200 with HTML', { kind: 'html' }, ErrorCodes.TOKEN_RESPONSE_INVALID, 502],
    ['200 with non-JSON', { kind: 'text', body: 'access_token=abc&token_type=bearer' }, ErrorCodes.TOKEN_RESPONSE_INVALID, 502],
    [
      '200 JSON without access_token',
      { kind: 'json', body: { token_type: 'bearer', refresh_token: 'r' } },
      ErrorCodes.TOKEN_RESPONSE_INVALID,
      502,
    ],
    ['200 JSON null', { kind: 'json', body: null }, ErrorCodes.TOKEN_RESPONSE_INVALID, 502],
    ['200 JSON array', { kind: 'json', body: [] }, ErrorCodes.TOKEN_RESPONSE_INVALID, 502],
    ['401 invalid_client', { kind: 'status', status: 401, body: '{"error":"invalid_client"}' }, ErrorCodes.INVALID_CLIENT, 502],
    ['429', { kind: 'status', status: 429, body: '' }, ErrorCodes.TOKEN_RATE_LIMITED, 503],
  ])('%s -> typed error, nobody logged in, no secret shown', async (_name, fault, code, status) => {
    const a = await withApp()
    lx.failNextTokenCalls([fault])
    const agent = a.agent()
    const callback = await approve((await startLogin(agent)).href)
    const res = await agent.get(callback)
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code })
    expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/) // no stack
    expect(lx.tokenCalls).toHaveLength(1) // never retried: codes are single use
    expect((await agent.get('/me')).body.user).toBeNull()
    expect(a.verifyCalls).toHaveLength(0)
    assertNoSecrets(a, [res.text])
  })

  it('a hanging token endpoint fails within timeoutMs with 504 TIMEOUT', async () => {
    const a = await withApp({ strategy: { timeoutMs: 300 } })
    lx.failNextTokenCalls([{ kind: 'hang' }])
    const started = Date.now()
    const { res } = await login(a)
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 504, code: ErrorCodes.TIMEOUT })
    expect(Date.now() - started).toBeLessThan(5_000)
    assertNoSecrets(a, [res.text])
  })

  it('invalid_grant on the code exchange fails with 400 "start again", not an error', async () => {
    const a = await withApp()
    lx.failNextTokenCalls([{ kind: 'status', status: 400, body: '{"error":"invalid_grant"}' }])
    const { res } = await login(a)
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: ErrorCodes.INVALID_GRANT })
    expect(res.body.message).toMatch(/start the login again/)
    expect(a.errors).toHaveLength(0)
    assertNoSecrets(a, [res.text])
  })

  it('an unreachable token endpoint -> 502 NETWORK_ERROR', async () => {
    const dead = await startFakeLexoffice()
    const tokenURL = dead.endpoints.tokenURL
    await dead.close()
    const a = await withApp({ endpoints: { ...lx.endpoints, tokenURL } })
    const { res } = await login(a)
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 502, code: ErrorCodes.NETWORK_ERROR })
    assertNoSecrets(a, [res.text])
  })
})

describe('profile endpoint faults', () => {
  it.each<[string, { status: number; body: unknown }, string]>([
    ['401', { status: 401, body: { message: 'Unauthorized' } }, ErrorCodes.API_UNAUTHORIZED],
    ['403', { status: 403, body: { message: 'Forbidden' } }, ErrorCodes.API_FORBIDDEN],
    ['500', { status: 500, body: { message: null } }, ErrorCodes.API_SERVER_ERROR],
    ['200 without created.userId', { status: 200, body: { companyName: 'x' } }, ErrorCodes.API_ERROR],
    ['200 with a JSON array', { status: 200, body: [] }, ErrorCodes.API_ERROR],
  ])('profile %s -> typed 502, no secret shown', async (_name, profile, code) => {
    const a = await withApp()
    lx.profile = profile
    const { res } = await login(a)
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 502, code })
    const accessToken = lx.tokenCalls.length === 1 ? (lx.issuedAccessTokens[0] ?? '') : ''
    expect(accessToken).toMatch(/^AT-/)
    assertNoSecrets(a, [res.text], [accessToken])
    expect(a.verifyCalls).toHaveLength(0)
  })
})

describe('profile endpoint timeout', () => {
  it('a hanging /v1/profile fails within timeoutMs with 504 TIMEOUT, nobody logged in', async () => {
    const a = await withApp({ strategy: { timeoutMs: 300 } })
    lx.profile = { status: 200, body: undefined, hang: true }
    const { res } = await login(a)
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 504, code: ErrorCodes.TIMEOUT })
    expect(a.verifyCalls).toHaveLength(0)
    assertNoSecrets(a, [res.text], [lx.issuedAccessTokens[0] ?? ''])
  })
})

describe('verify callback forms and skipUserProfile', () => {
  it('verify(accessToken, refreshToken, profile, done)', async () => {
    const seen: unknown[] = []
    const a = await withApp({
      verify: (
        accessToken: string,
        refreshToken: string | undefined,
        profile: LexofficeProfile | undefined,
        done: LexofficeVerifyCallback,
      ) => {
        seen.push(accessToken, refreshToken, profile)
        done(null, asUser({ id: profile!.id }))
      },
    })
    const { res } = await login(a)
    expect(res.status).toBe(200)
    expect(seen[0]).toMatch(/^AT-/)
    expect(seen[1]).toMatch(/^RT-/)
    expect(seen[2]).toMatchObject({ provider: 'lexoffice', id: 'user-1' })
  })

  it('verify(accessToken, refreshToken, params, profile, done) gets the validated token response', async () => {
    let params: LexofficeTokenResponse | undefined
    const a = await withApp({
      verify: (
        _a: string,
        _r: string | undefined,
        p: LexofficeTokenResponse,
        profile: LexofficeProfile | undefined,
        done: LexofficeVerifyCallback,
      ) => {
        params = p
        done(null, asUser({ id: profile!.id }))
      },
    })
    expect((await login(a)).res.status).toBe(200)
    expect(params).toMatchObject({ token_type: 'Bearer', expires_in: 14399, scope: 'profile.read' })
    expect(params!.expiresAt).toBeGreaterThan(Date.now())
  })

  it('passReqToCallback with verify(req, accessToken, refreshToken, profile, done)', async () => {
    let gotReq: unknown
    const a = await withApp({
      strategy: { passReqToCallback: true } as never,
      verify: (req: Request, _a: string, _r: string | undefined, profile: LexofficeProfile | undefined, done: LexofficeVerifyCallback) => {
        gotReq = req
        done(null, asUser({ id: profile!.id }))
      },
    })
    expect((await login(a)).res.status).toBe(200)
    expect((gotReq as Request).originalUrl).toMatch(/^\/callback\?/)
  })

  it('passReqToCallback with verify(req, accessToken, refreshToken, params, profile, done)', async () => {
    let got: unknown[] = []
    const a = await withApp({
      strategy: { passReqToCallback: true } as never,
      verify: (
        req: Request,
        _a: string,
        _r: string | undefined,
        p: LexofficeTokenResponse,
        profile: LexofficeProfile | undefined,
        done: LexofficeVerifyCallback,
      ) => {
        got = [req, p, profile]
        done(null, asUser({ id: 'x' }))
      },
    })
    expect((await login(a)).res.status).toBe(200)
    expect((got[1] as LexofficeTokenResponse).access_token).toMatch(/^AT-/)
    expect(got[2]).toMatchObject({ id: 'user-1' })
  })

  it('skipUserProfile: true makes no profile call and passes profile undefined', async () => {
    let profileSeen: unknown = 'unset'
    const a = await withApp({
      strategy: { skipUserProfile: true },
      verify: (_a: string, _r: string | undefined, profile: LexofficeProfile | undefined, done: LexofficeVerifyCallback) => {
        profileSeen = profile
        done(null, asUser({ id: 'anon' }))
      },
    })
    expect((await login(a)).res.status).toBe(200)
    expect(profileSeen).toBeUndefined()
    expect(lx.profileCalls).toBe(0)
  })

  it('skipUserProfile as an async function (accessToken, done)', async () => {
    const asked: string[] = []
    const a = await withApp({
      strategy: {
        skipUserProfile: (accessToken: string, done: (err: unknown, skip?: boolean) => void) => {
          asked.push(accessToken)
          done(null, true)
        },
      },
    })
    expect((await login(a)).res.status).toBe(200)
    expect(asked[0]).toMatch(/^AT-/)
    expect(lx.profileCalls).toBe(0)
  })

  it('skipUserProfile as a sync function returning false still loads the profile', async () => {
    const a = await withApp({ strategy: { skipUserProfile: () => false } })
    expect((await login(a)).res.status).toBe(200)
    expect(lx.profileCalls).toBe(1)
  })

  it('verify answering false fails with 401 and the info', async () => {
    const a = await withApp({
      verify: (_a: string, _r: string | undefined, _p: unknown, done: LexofficeVerifyCallback) =>
        done(null, false, { message: 'not allowed', code: 'APP_REFUSED' }),
    })
    const { res } = await login(a)
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'APP_REFUSED' })
  })

  it('verify throwing reaches the error handler once, with its status', async () => {
    const a = await withApp({
      verify: (_a: string, _r: string | undefined, _p: unknown, _done: LexofficeVerifyCallback) => {
        throw Object.assign(new Error('db down'), { status: 503, code: 'DB_DOWN' })
      },
    })
    const { res } = await login(a)
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 503, code: 'DB_DOWN' })
    expect(a.errors).toHaveLength(1)
  })

  it('verify calling done twice has no second effect', async () => {
    const a = await withApp({
      verify: (_a: string, _r: string | undefined, _p: unknown, done: LexofficeVerifyCallback) => {
        done(null, asUser({ id: 'once' }))
        done(new Error('late'))
      },
    })
    const { res } = await login(a)
    expect(res.status).toBe(200)
    expect(a.errors).toHaveLength(0)
  })
})

describe('node-oauth getOAuthAccessToken is replaced', () => {
  it('goes through HTTP Basic, never puts the secret in the body', async () => {
    const a = await withApp()
    const agent = a.agent()
    const authz = await startLogin(agent)
    const code = new URL(await approve(authz.href), a.origin).searchParams.get('code')!
    const oauth2 = (a.strategy as unknown as { _oauth2: { getOAuthAccessToken: Function; _clientSecret: string } })._oauth2
    expect(oauth2._clientSecret).toBe('')
    const result: unknown[] = await new Promise((resolve) =>
      oauth2.getOAuthAccessToken(
        code,
        { grant_type: 'authorization_code', redirect_uri: a.callbackURL, code_verifier: 'x'.repeat(43) },
        (...args: unknown[]) => resolve(args),
      ),
    )
    // The verifier is wrong, so the stand-in refuses the grant; what matters is what was sent.
    expect((result[0] as { code: string }).code).toBe(ErrorCodes.INVALID_GRANT)
    const call = lx.tokenCalls[0]!
    expect(call.headers.authorization).toMatch(/^Basic /)
    expect(call.body).not.toContain(lx.client.clientSecret)
    expect(call.form.has('client_secret')).toBe(false)
  })

  it('refuses a code exchange without a PKCE verifier, without any request', async () => {
    const a = await withApp()
    const oauth2 = (a.strategy as unknown as { _oauth2: { getOAuthAccessToken: Function } })._oauth2
    const result: unknown[] = await new Promise((resolve) =>
      oauth2.getOAuthAccessToken('code', { grant_type: 'authorization_code' }, (...args: unknown[]) => resolve(args)),
    )
    expect(result[0]).toBeInstanceOf(TypeError)
    expect(lx.tokenCalls).toHaveLength(0)
  })
})

describe('secrets', () => {
  it('a full successful login logs nothing secret and the strategy shows no secret', async () => {
    const a = await withApp()
    const { res } = await login(a)
    expect(res.status).toBe(200)
    const at = (a.verifyCalls[0] as [string, string])[0]
    const rt = (a.verifyCalls[0] as [string, string])[1]
    assertNoSecrets(a, [], [at, rt])
    expect(Object.keys(a.strategy)).not.toEqual(expect.arrayContaining(['_clientSecret']))
    expect(JSON.stringify(a.strategy)).not.toContain(lx.client.clientSecret)
  })
})

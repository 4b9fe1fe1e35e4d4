/**
 * The code exchange and the profile call of a login, against the sandbox with its fault knobs
 * (`failNextTokenCalls`, `failNextApiCalls`): faults become typed answers (502/503/504 with
 * `code`), `invalid_grant` fails softly with 400, nothing is stored and nobody is logged in, and
 * no secret shows in any answer, log, error or inspected object.
 */
import { inspect } from 'node:util'
import { ErrorCodes } from '../../lib/errors'
import type { SandboxFault } from '../../lib/sandbox'
import { SecretScan } from '../security/helpers/secretScan'
import {
  type Agent,
  type TestApp,
  type TestAppOptions,
  approve,
  mountSessionView,
  sessionOf,
  startLogin,
  startTestApp,
} from '../helpers/lexofficeApp'

interface Answer {
  status: number
  text: string
  body: { code?: string; message?: string }
}

let t: TestApp
afterEach(() => t.close())

async function withApp(extra: Partial<TestAppOptions> = {}): Promise<TestApp> {
  t = await startTestApp({
    // The profile call's retries back off 1 ms instead of 0.5-1 s: these tests count the retries, not their wait.
    hooks: { retryDelays: { baseDelayMs: 1, maxDelayMs: 1 } },
    ...extra,
    setup(app, lexoffice, passport) {
      app.use(lexoffice.routes({ passport }))
      mountSessionView(app, lexoffice)
    },
  })
  return t
}

/** A login up to the sandbox's consent; `before` runs just before the callback reaches the app. */
async function login(before?: () => Promise<void> | void): Promise<{ res: Answer; agent: Agent }> {
  const agent = t.agent()
  const callback = await approve((await startLogin(agent)).href)
  await before?.()
  const res: Answer = await agent.get(callback).set('accept', 'application/json')
  return { res, agent }
}

/**
 * No secret the sandbox knows (client secret, codes, verifiers, tokens) nor the Basic credential,
 * in any encoding a leak would take, in the answers, the warnings, the errors (message, JSON,
 * inspect), the strategy or the configuration (JSON, inspect). Resolves how many secret forms it searched.
 */
function assertNoSecrets(app: TestApp, answers: string[]): number {
  const { clientID, clientSecret } = app.sandbox.client
  const scan = new SecretScan().secrets(() => app.sandbox.knownSecrets(), `${clientID}:${clientSecret}`)
  answers.forEach((answer, i) => {
    scan.record(`answer ${i}`, answer)
  })
  for (const warning of app.warnings) scan.record('warning', warning)
  for (const e of app.errors) {
    scan.record('error', [(e as Error).message, JSON.stringify(e), inspect(e, { depth: 10, showHidden: true })].join('\n'))
  }
  scan.record('strategy', [JSON.stringify(app.lexoffice.strategy), inspect(app.lexoffice.strategy, { depth: 10 })].join('\n'))
  scan.record('strategy, no custom inspect', inspect(app.lexoffice.strategy, { depth: 10, showHidden: true, customInspect: false }))
  scan.record('configuration', [JSON.stringify(app.lexoffice), inspect(app.lexoffice, { depth: 10, showHidden: true })].join('\n'))
  expect(scan.findLeaks()).toEqual([])
  return scan.secretCount()
}

async function expectNobodyLoggedIn(agent: Agent): Promise<void> {
  expect((await sessionOf(agent)).user).toBeNull()
  expect(await t.lexoffice.manager.store.list?.()).toEqual([])
}

describe('token endpoint faults', () => {
  it.each<[string, SandboxFault, string, number]>([
    ['HTTP 500', { kind: 'status', status: 500, body: { error: 'server_error' } }, ErrorCodes.TOKEN_ENDPOINT_ERROR, 502],
    ['HTTP 503 with HTML', { kind: 'html', status: 503 }, ErrorCodes.TOKEN_ENDPOINT_ERROR, 502],
    ['200 with HTML', { kind: 'html' }, ErrorCodes.TOKEN_RESPONSE_INVALID, 502],
    [
      '200 JSON content type, body not JSON',
      { kind: 'text', body: 'access_token=abc&token_type=bearer', contentType: 'application/json' },
      ErrorCodes.TOKEN_RESPONSE_INVALID,
      502,
    ],
    [
      '200 JSON without access_token',
      { kind: 'json', body: { token_type: 'bearer', refresh_token: 'r' } },
      ErrorCodes.TOKEN_RESPONSE_INVALID,
      502,
    ],
    ['200 JSON null', { kind: 'json', body: null }, ErrorCodes.TOKEN_RESPONSE_INVALID, 502],
    ['200 JSON array', { kind: 'json', body: [] }, ErrorCodes.TOKEN_RESPONSE_INVALID, 502],
    ['401 invalid_client', { kind: 'status', status: 401, body: { error: 'invalid_client' } }, ErrorCodes.INVALID_CLIENT, 502],
    ['429', { kind: 'status', status: 429 }, ErrorCodes.TOKEN_RATE_LIMITED, 503],
  ])('%s -> typed error, nothing stored, nobody logged in, no secret shown', async (_name, fault, code, status) => {
    await withApp()
    t.sandbox.failNextTokenCalls([fault])
    const { res, agent } = await login()
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code })
    expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/) // no stack
    expect(t.sandbox.tokenCalls()).toBe(1) // never retried: codes are single use
    expect(t.sandbox.requests.filter((r) => r.path === '/v1/profile')).toHaveLength(0)
    await expectNobodyLoggedIn(agent)
    assertNoSecrets(t, [res.text])
  })

  it('a hanging token endpoint fails after timeoutMs with 504 TIMEOUT', async () => {
    await withApp({ lexoffice: { timeoutMs: 300 } })
    t.sandbox.failNextTokenCalls([{ kind: 'delay', ms: 60_000 }])
    const { res, agent } = await login()
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 504, code: ErrorCodes.TIMEOUT })
    expect(t.sandbox.tokenCalls()).toBe(1)
    await expectNobodyLoggedIn(agent)
    assertNoSecrets(t, [res.text])
  })

  it('invalid_grant on the code exchange fails with 400 "start again", not an error', async () => {
    await withApp()
    t.sandbox.failNextTokenCalls([{ kind: 'invalid_grant' }])
    const { res, agent } = await login()
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: ErrorCodes.INVALID_GRANT })
    expect(res.body.message).toMatch(/start the login again/)
    expect(t.errors).toHaveLength(0)
    await expectNobodyLoggedIn(agent)
    assertNoSecrets(t, [res.text])
  })

  it('an unreachable token endpoint -> 502 NETWORK_ERROR', async () => {
    await withApp()
    const { res, agent } = await login(() => t.sandbox.close())
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 502, code: ErrorCodes.NETWORK_ERROR })
    expect((await sessionOf(agent)).user).toBeNull()
    assertNoSecrets(t, [res.text])
  })
})

describe('profile endpoint faults', () => {
  it.each<[string, SandboxFault[], string]>([
    ['401', [{ kind: 'status', status: 401, body: { message: 'Unauthorized' } }], ErrorCodes.API_UNAUTHORIZED],
    ['403', [{ kind: 'status', status: 403, body: { message: 'Forbidden' } }], ErrorCodes.API_FORBIDDEN],
    [
      '500 three times (two retries)',
      Array.from({ length: 3 }, (): SandboxFault => ({ kind: 'status', status: 500 })),
      ErrorCodes.API_SERVER_ERROR,
    ],
    ['200 without created.userId', [{ kind: 'json', body: { companyName: 'x' } }], ErrorCodes.API_ERROR],
    ['200 with a JSON array', [{ kind: 'json', body: [] }], ErrorCodes.API_ERROR],
    ['200 with a body that is not JSON', [{ kind: 'text', body: '{"created":', contentType: 'application/json' }], ErrorCodes.API_ERROR],
  ])('profile %s -> typed 502, nothing stored, no secret shown', async (_name, faults, code) => {
    await withApp()
    t.sandbox.failNextApiCalls('/v1/profile', faults)
    const { res, agent } = await login()
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 502, code })
    expect(t.sandbox.tokenCalls('authorization_code')).toBe(1)
    await expectNobodyLoggedIn(agent)
    assertNoSecrets(t, [res.text])
  })

  it('one 500 from /v1/profile is retried and the login completes', async () => {
    await withApp()
    t.sandbox.failNextApiCalls('/v1/profile', [{ kind: 'status', status: 500 }])
    const { res, agent } = await login()
    expect(res.status).toBe(302)
    expect(t.sandbox.requests.filter((r) => r.path === '/v1/profile').map((r) => r.status)).toEqual([500, 200])
    expect((await sessionOf(agent)).user).toMatchObject({ id: t.sandbox.user.userId })
  })

  it('a hanging /v1/profile fails after timeoutMs (each attempt) with 504 TIMEOUT, nobody logged in', async () => {
    await withApp({ lexoffice: { timeoutMs: 200 } })
    t.sandbox.failNextApiCalls(
      '/v1/profile',
      Array.from({ length: 3 }, (): SandboxFault => ({ kind: 'delay', ms: 60_000 })),
    )
    const { res, agent } = await login()
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 504, code: ErrorCodes.TIMEOUT })
    await expectNobodyLoggedIn(agent)
    assertNoSecrets(t, [res.text])
  })
})

describe('secrets', () => {
  it('a full successful login logs nothing secret and the strategy, the configuration and the user show no secret', async () => {
    await withApp()
    const { res, agent } = await login()
    expect(res.status).toBe(302)
    const session = await sessionOf(agent)
    expect(session.user).not.toBeNull()
    // The client secret, the Basic credential, the code, the verifier, the access and the refresh token (in several encodings).
    expect(assertNoSecrets(t, [res.text, JSON.stringify(session)])).toBeGreaterThanOrEqual(6)
    // Besides its name, only the action functions passport puts on a strategy it is handed.
    const strategy = t.lexoffice.strategy as unknown as Record<string, unknown>
    expect(Object.keys(strategy).filter((k) => typeof strategy[k] !== 'function')).toEqual(['name'])
  })
})

/**
 * The strategy against the package's own lexoffice sandbox (createSandbox, port 0, autoApprove):
 * full logins through Express 5 and Express 4, and the callback and token-endpoint failures,
 * counted with the sandbox's own token-call log.
 */
import { ErrorCodes } from '../../lib/errors'
import { createSandbox } from '../../lib/sandbox/createSandbox'
import type { Sandbox } from '../../lib/sandbox/Sandbox'
import { type TestApp, type TestAppOptions, approve, onRoute, startLogin, startTestApp } from './helpers/app'

let sb: Sandbox
let app: TestApp
let clock = Date.now()

async function withApp(extra: Partial<TestAppOptions> = {}): Promise<TestApp> {
  await app?.close()
  app = await startTestApp({ endpoints: sb.endpoints, client: sb.client, register: (u) => sb.addRedirectUri(u), ...extra })
  return app
}

beforeEach(async () => {
  clock = Date.now()
  sb = await createSandbox({ autoApprove: true })
  await withApp({ strategy: { now: () => clock } })
})
afterEach(async () => {
  await app.close()
  await sb.close()
})

describe('login against the sandbox', () => {
  it('redirect -> consent -> callback -> token -> profile -> req.user, session id changes', async () => {
    const agent = app.agent()
    const authz = await startLogin(agent, '/login?returnTo=/invoices')
    const callback = await approve(authz.href)
    const res = await agent.get(callback)
    expect(res.status).toBe(200)
    expect(res.body.user).toEqual({ id: sb.user.userId, organizationId: sb.organization.organizationId, email: sb.user.userEmail })
    expect(res.body.info.returnTo).toBe('/invoices')
    expect(res.body.sessionAfter).not.toBe(res.body.sessionBefore)
    expect(sb.tokenCalls('authorization_code')).toBe(1)
    const me = await agent.get('/me')
    expect(me.body.user).toMatchObject({ id: sb.user.userId })
    const [, , params, profile] = app.verifyCalls[0] as [
      string,
      string,
      { expiresAt: number },
      { connectionId: string; companyName: string },
    ]
    expect(params.expiresAt).toBeGreaterThan(Date.now())
    expect(profile.companyName).toBe(sb.organization.companyName)
    expect(sb.connections().map((c) => c.connectionId)).toContain(profile.connectionId)
  })

  it('two tabs finish in either order', async () => {
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      const agent = app.agent()
      const tabs = [await startLogin(agent), await startLogin(agent)]
      const callbacks = [await approve(tabs[0]!.href), await approve(tabs[1]!.href)]
      expect((await agent.get(callbacks[order[0]!]!)).status).toBe(200)
      expect((await agent.get(callbacks[order[1]!]!)).status).toBe(200)
    }
    expect(sb.tokenCalls('authorization_code')).toBe(4)
  })

  it("passport's successReturnToOrRedirect uses the preserved returnTo; open redirects are refused", async () => {
    const agent = app.agent()
    const good = await agent.get(onRoute(await approve((await startLogin(agent, '/login?returnTo=/a/b?c=1')).href), '/callback-redirect'))
    expect(good.headers.location).toBe('/a/b?c=1')
    const agent2 = app.agent()
    const evil = await agent2.get(
      onRoute(await approve((await startLogin(agent2, '/login?returnTo=//evil.com')).href), '/callback-redirect'),
    )
    expect(evil.headers.location).toBe('/home')
  })

  it('the sandbox accepts our Basic-only token request (it refuses client_secret in the body)', async () => {
    const { res } = await loginOnce()
    expect(res.status).toBe(200)
    expect(sb.requests.filter((r) => r.path === '/oauth2/token').map((r) => r.status)).toEqual([200])
  })
})

async function loginOnce(path = '/login'): Promise<{ res: { status: number; body: any; text: string } }> {
  const agent = app.agent()
  const callback = await approve((await startLogin(agent, path)).href)
  return { res: await agent.get(callback) }
}

describe('bad callbacks make no token request at the sandbox', () => {
  async function started(): Promise<{ agent: ReturnType<TestApp['agent']>; state: string; code: string; callback: string }> {
    const agent = app.agent()
    const callback = await approve((await startLogin(agent)).href)
    const q = new URL(callback, app.origin).searchParams
    return { agent, state: q.get('state')!, code: q.get('code')!, callback }
  }
  const cases: Array<[string, (c: { code: string; state: string }) => string, number, string]> = [
    ['no state', (c) => `code=${c.code}`, 403, ErrorCodes.STATE_MISSING],
    ['wrong state', (c) => `code=${c.code}&state=wrong`, 403, ErrorCodes.STATE_MISMATCH],
    ['code twice', (c) => `code=${c.code}&code=${c.code}&state=${c.state}`, 400, ErrorCodes.DUPLICATE_PARAMETER],
    ['code[]', (c) => `code[]=${c.code}&state=${c.state}`, 400, ErrorCodes.DUPLICATE_PARAMETER],
    ['empty code', (c) => `code=&state=${c.state}`, 400, ErrorCodes.INVALID_PARAMETER],
    ['long code', (c) => `code=${'x'.repeat(1025)}&state=${c.state}`, 400, ErrorCodes.INVALID_PARAMETER],
    ['access_token', (c) => `code=${c.code}&state=${c.state}&access_token=x`, 400, ErrorCodes.INVALID_PARAMETER],
    ['foreign iss', (c) => `code=${c.code}&state=${c.state}&iss=https://evil.example`, 400, ErrorCodes.ISSUER_MISMATCH],
    ['access_denied', (c) => `error=access_denied&state=${c.state}`, 401, ErrorCodes.ACCESS_DENIED],
    ['server_error', (c) => `error=server_error&state=${c.state}`, 400, ErrorCodes.AUTHORIZATION_ERROR],
  ]
  it.each(cases.map(([name, build, status, code]) => [name, status, code, build] as const))(
    '%s -> %d %s',
    async (_name, status, code, build) => {
      const c = await started()
      const res = await c.agent.get('/callback?' + build(c))
      expect({ status: res.status, code: res.body.code }).toEqual({ status, code })
      expect(sb.tokenCalls()).toBe(0)
    },
  )

  it('an expired pending login -> 403 TRANSACTION_EXPIRED', async () => {
    const c = await started()
    clock += 11 * 60_000
    const res = await c.agent.get(c.callback)
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: ErrorCodes.TRANSACTION_EXPIRED })
    expect(sb.tokenCalls()).toBe(0)
  })

  it('a replayed callback -> 403 STATE_MISMATCH, one token call only', async () => {
    const c = await started()
    expect((await c.agent.get(c.callback)).status).toBe(200)
    const replay = await c.agent.get(c.callback)
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 403, code: ErrorCodes.STATE_MISMATCH })
    expect(sb.tokenCalls()).toBe(1)
  })
})

describe('sandbox token endpoint faults', () => {
  it.each<[string, number, string, Parameters<Sandbox['failNextTokenCalls']>[0][number]]>([
    ['HTTP 500', 502, ErrorCodes.TOKEN_ENDPOINT_ERROR, { kind: 'status', status: 500 }],
    ['HTML', 502, ErrorCodes.TOKEN_RESPONSE_INVALID, { kind: 'html' }],
    ['JSON without access_token', 502, ErrorCodes.TOKEN_RESPONSE_INVALID, { kind: 'json', body: { token_type: 'bearer' } }],
    ['invalid_grant', 400, ErrorCodes.INVALID_GRANT, { kind: 'invalid_grant' }],
  ])('%s -> %d %s, no secret in the answer', async (_name, status, code, fault) => {
    sb.failNextTokenCalls([fault])
    const { res } = await loginOnce()
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code })
    expect(res.text).not.toContain(sb.client.clientSecret)
    expect(sb.tokenCalls()).toBe(1)
  })

  it('a slow token endpoint -> 504 TIMEOUT with a small timeoutMs', async () => {
    await withApp({ strategy: { timeoutMs: 200 } })
    sb.failNextTokenCalls([{ kind: 'delay', ms: 5_000 }])
    const { res } = await loginOnce()
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 504, code: ErrorCodes.TIMEOUT })
  })
})

describe('Express 4', () => {
  it('logs in against the sandbox', async () => {
    await withApp({ express: 'express4' })
    const agent = app.agent()
    const callback = await approve((await startLogin(agent, '/login?returnTo=/x')).href)
    const res = await agent.get(callback)
    expect(res.status).toBe(200)
    expect(res.body.user).toMatchObject({ id: sb.user.userId })
    expect(res.body.info.returnTo).toBe('/x')
    expect(res.body.sessionAfter).not.toBe(res.body.sessionBefore)
    expect((await agent.get('/me')).body.user).toMatchObject({ id: sb.user.userId })
  })
})

import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { REDIRECT, basic, get, login, obtainCode, profile, refresh, tokenCall, type Tokens } from './helpers'

describe('sandbox: fault injection on the token endpoint', () => {
  let sandbox: Sandbox
  let tokens: Tokens
  beforeEach(async () => {
    sandbox = await createSandbox({ autoApprove: true })
    sandbox.addRedirectUri(REDIRECT)
    tokens = await login(sandbox)
  })
  afterEach(() => sandbox.close())

  it('status: answers the status without processing; the next call is normal', async () => {
    sandbox.failNextTokenCalls([
      { kind: 'status', status: 500 },
      { kind: 'status', status: 429 },
    ])
    const first = await refresh(sandbox, tokens.refresh_token)
    expect(first.status).toBe(500)
    expect(await first.json()).toMatchObject({ error: 'server_error' })
    const second = await refresh(sandbox, tokens.refresh_token)
    expect(second.status).toBe(429)
    // The refresh token was not rotated by the faulted calls.
    const third = await refresh(sandbox, tokens.refresh_token)
    expect(third.status).toBe(200)
    expect(sandbox.connections()[0].refreshCount).toBe(1)
  })

  it('status with a custom body', async () => {
    sandbox.failNextTokenCalls([{ kind: 'status', status: 503, body: { message: null } }])
    const res = await refresh(sandbox, tokens.refresh_token)
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ message: null })
  })

  it('html: answers 200 text/html (a proxy page) without processing', async () => {
    sandbox.failNextTokenCalls([{ kind: 'html' }])
    const res = await refresh(sandbox, tokens.refresh_token)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await res.text()).toContain('<html>')
    expect(sandbox.connections()[0].refreshCount).toBe(0)
  })

  it('json: answers the given JSON (e.g. no access_token)', async () => {
    sandbox.failNextTokenCalls([
      { kind: 'json', body: { token_type: 'bearer' } },
      { kind: 'json', body: null, status: 201 },
    ])
    const a = await refresh(sandbox, tokens.refresh_token)
    expect(a.status).toBe(200)
    expect(await a.json()).toEqual({ token_type: 'bearer' })
    const b = await refresh(sandbox, tokens.refresh_token)
    expect(b.status).toBe(201)
    expect(await b.text()).toBe('null')
  })

  it('text: answers the body as it is, under the given content type', async () => {
    sandbox.failNextTokenCalls([
      { kind: 'text', body: 'access_token=abc&token_type=bearer', contentType: 'application/json' },
      { kind: 'text', body: 'x', status: 502 },
    ])
    const a = await refresh(sandbox, tokens.refresh_token)
    expect(a.status).toBe(200)
    expect(a.headers.get('content-type')).toBe('application/json')
    expect(await a.text()).toBe('access_token=abc&token_type=bearer')
    const b = await refresh(sandbox, tokens.refresh_token)
    expect(b.status).toBe(502)
    expect(b.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(sandbox.connections()[0].refreshCount).toBe(0)
  })

  it('alter: processes the call (rotation happens), then drops and sets members of the answer', async () => {
    sandbox.failNextTokenCalls([{ kind: 'alter', omit: ['refresh_token'], set: { expires_in: 1e308, extra: 'x' } }])
    const res = await refresh(sandbox, tokens.refresh_token)
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    expect(body).not.toHaveProperty('refresh_token')
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 1e308, extra: 'x' })
    expect(typeof body.access_token).toBe('string')
    // Processed: the old refresh token is rotated out, so presenting it again is a reuse.
    expect(sandbox.connections()[0].refreshCount).toBe(1)
    expect(await (await refresh(sandbox, tokens.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('alter: Infinity is written as 1e999 (JSON parsers read Infinity); error answers pass unchanged', async () => {
    sandbox.failNextTokenCalls([{ kind: 'alter', set: { expires_in: Infinity } }])
    const res = await refresh(sandbox, tokens.refresh_token)
    const text = await res.text()
    expect(text).toContain('"expires_in":1e999')
    expect((JSON.parse(text) as { expires_in: number }).expires_in).toBe(Infinity)
    sandbox.failNextTokenCalls([{ kind: 'alter', omit: ['error'] }])
    const refused = await refresh(sandbox, 'not-a-refresh-token')
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('knownSecrets(): the client secret and every token, code and verifier, none of them in the request log', async () => {
    const { code, verifier } = await obtainCode(sandbox)
    const res = await tokenCall(sandbox, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier })
    const issued = (await res.json()) as Tokens
    const known = sandbox.knownSecrets()
    for (const secret of [sandbox.client.clientSecret, tokens.access_token, tokens.refresh_token, code, verifier, issued.access_token]) {
      expect(known).toContain(secret)
    }
    const log = JSON.stringify(sandbox.requests)
    for (const secret of known) expect(log).not.toContain(secret)
  })

  it('invalid_grant: answers invalid_grant but the grant stays valid', async () => {
    sandbox.failNextTokenCalls([{ kind: 'invalid_grant' }])
    const res = await refresh(sandbox, tokens.refresh_token)
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' })
    expect(sandbox.connections()[0].state).toBe('active')
    expect((await refresh(sandbox, tokens.refresh_token)).status).toBe(200)
  })

  it('delay (thenProcess default true): answers late, then processes normally', async () => {
    sandbox.failNextTokenCalls([{ kind: 'delay', ms: 80 }])
    const started = performance.now()
    const res = await refresh(sandbox, tokens.refresh_token)
    expect(performance.now() - started).toBeGreaterThanOrEqual(70)
    expect(res.status).toBe(200)
    expect(sandbox.connections()[0].refreshCount).toBe(1)
  })

  it('delay: a client that gives up early still leaves the refresh processed (rotated without an answer)', async () => {
    sandbox.failNextTokenCalls([{ kind: 'delay', ms: 150 }])
    const refreshed = new Promise((resolve) => sandbox.once('token.refreshed', resolve))
    const aborted = await fetch(sandbox.endpoints.tokenURL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('sandbox-client', 'sandbox-secret') },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }).toString(),
      signal: AbortSignal.timeout(20),
    }).then(
      () => 'answered',
      (err: unknown) => (err as Error).name,
    )
    expect(aborted).toBe('TimeoutError')
    await refreshed
    expect(sandbox.connections()[0].refreshCount).toBe(1)
    // The client never saw the new refresh token; its old one is now a reused one.
    const res = await refresh(sandbox, tokens.refresh_token)
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' })
    expect(sandbox.connections()[0]).toMatchObject({ state: 'revoked', revokedReason: 'refresh_token_reuse' })
  })

  it('delay with thenProcess false: answers 504 and processes nothing (the code stays usable)', async () => {
    const { code, verifier } = await obtainCode(sandbox)
    sandbox.failNextTokenCalls([{ kind: 'delay', ms: 10, thenProcess: false }])
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }
    const res = await tokenCall(sandbox, form)
    expect(res.status).toBe(504)
    expect(await res.json()).toEqual({ message: 'Endpoint request timed out' })
    expect((await tokenCall(sandbox, form)).status).toBe(200)
  })

  it('applies faults before client authentication, and records them in the log', async () => {
    sandbox.resetLog()
    sandbox.failNextTokenCalls([{ kind: 'status', status: 502 }])
    const res = await tokenCall(sandbox, { grant_type: 'refresh_token', refresh_token: 'x' }, '')
    expect(res.status).toBe(502)
    await refresh(sandbox, tokens.refresh_token)
    expect(sandbox.requests).toEqual([
      {
        method: 'POST',
        path: '/oauth2/token',
        status: 502,
        time: expect.any(Number) as unknown,
        grantType: 'refresh_token',
        fault: 'status',
      },
      { method: 'POST', path: '/oauth2/token', status: 200, time: expect.any(Number) as unknown, grantType: 'refresh_token' },
    ])
  })

  it.each([
    [{ kind: 'boom' }],
    [{ kind: 'status' }],
    [{ kind: 'status', status: 99 }],
    [{ kind: 'delay', ms: -1 }],
    [{ kind: 'delay', ms: 10, thenProcess: 'yes' }],
    [{ kind: 'text' }],
    [{ kind: 'text', body: 'x', contentType: 'a\nb' }],
    [{ kind: 'alter', omit: 'refresh_token' }],
    [{ kind: 'alter', set: [] }],
    [null],
  ])('rejects the malformed fault %j', (fault) => {
    expect(() => sandbox.failNextTokenCalls([fault as never])).toThrow(TypeError)
  })

  it('close() finishes promptly while a long delay is pending, and cancels its timer', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const before = timers()
    sandbox.failNextTokenCalls([{ kind: 'delay', ms: 60_000 }])
    const pending = refresh(sandbox, tokens.refresh_token).then(
      (r) => r.status,
      () => 'failed',
    )
    // Wait until the delayed call has reached the sandbox (its log entry exists).
    const deadline = Date.now() + 5000
    while (sandbox.tokenCalls('refresh_token') === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r))
    expect(sandbox.tokenCalls('refresh_token')).toBe(1)
    expect(timers()).toBeGreaterThan(before)
    const started = performance.now()
    await sandbox.close()
    // The failure is waiting for the 60 s delay; a stalled machine's second or two is not.
    expect(performance.now() - started).toBeLessThan(20_000)
    expect(await pending).toBe('failed')
    expect(timers()).toBeLessThanOrEqual(before)
    // The delayed call was not processed: the refresh token never rotated.
    expect(sandbox.connections()[0].refreshCount).toBe(0)
    await sandbox.close() // idempotent
  })
})

describe('sandbox: fault injection on API paths', () => {
  let sandbox: Sandbox
  let tokens: Tokens
  beforeEach(async () => {
    sandbox = await createSandbox({ autoApprove: true })
    sandbox.addRedirectUri(REDIRECT)
    tokens = await login(sandbox)
  })
  afterEach(() => sandbox.close())

  it('answers the next calls to that path in order, before authentication; other paths and later calls are normal', async () => {
    sandbox.resetLog()
    sandbox.failNextApiCalls('/v1/profile', [
      { kind: 'status', status: 503 },
      { kind: 'status', status: 401, body: { message: 'Unauthorized' } },
      { kind: 'json', body: [] },
      { kind: 'text', body: '{"organizationId":', contentType: 'application/json' },
      { kind: 'delay', ms: 0, thenProcess: false },
    ])
    const contacts = await get(`${sandbox.url}/v1/contacts?page=0&size=1`, { authorization: `Bearer ${tokens.access_token}` })
    expect(contacts.status).toBe(200)
    const first = await profile(sandbox) // no token: the fault answers before authentication
    expect([first.status, await first.json()]).toEqual([503, { message: null }])
    const second = await profile(sandbox, tokens.access_token)
    expect([second.status, await second.json()]).toEqual([401, { message: 'Unauthorized' }])
    const third = await profile(sandbox, tokens.access_token)
    expect([third.status, await third.json()]).toEqual([200, []])
    const fourth = await profile(sandbox, tokens.access_token)
    expect([fourth.status, fourth.headers.get('content-type'), await fourth.text()]).toEqual([
      200,
      'application/json',
      '{"organizationId":',
    ])
    expect((await profile(sandbox, tokens.access_token)).status).toBe(504)
    const normal = await profile(sandbox, tokens.access_token)
    expect(normal.status).toBe(200)
    expect(await normal.json()).toMatchObject({ organizationId: sandbox.organization.organizationId })
    expect(sandbox.requests.map((r) => [r.path, r.status, r.fault])).toEqual([
      ['/v1/contacts', 200, undefined],
      ['/v1/profile', 503, 'status'],
      ['/v1/profile', 401, 'status'],
      ['/v1/profile', 200, 'json'],
      ['/v1/profile', 200, 'text'],
      ['/v1/profile', 504, 'delay'],
      ['/v1/profile', 200, undefined],
    ])
  })

  it.each([
    ['/oauth2/token', [{ kind: 'status', status: 500 }]],
    ['/v1/profile?x=1', [{ kind: 'status', status: 500 }]],
    ['/v1/profile', [{ kind: 'invalid_grant' }]],
    ['/v1/profile', [{ kind: 'alter', omit: ['companyName'] }]],
    ['/v1/profile', [{ kind: 'nope' }]],
    [42, []],
  ])('refuses the path %j with faults %j', (path, faults) => {
    expect(() => sandbox.failNextApiCalls(path as string, faults as never)).toThrow(TypeError)
  })
})

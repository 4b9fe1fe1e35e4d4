import net from 'node:net'
import { inspect } from 'node:util'
import { resolveEndpoints } from '../../lib/endpoints'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { REDIRECT, basic, login, obtainCode, postForm, profile, refresh, tokenCall, type Tokens } from './helpers'

/** Sends raw bytes and returns the raw answer (until the server closes or 2 s pass). */
function raw(sandbox: Sandbox, data: string): Promise<string> {
  const { hostname, port } = new URL(sandbox.url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname)
    let out = ''
    socket.setTimeout(2000, () => socket.destroy())
    socket.on('data', (d) => (out += d.toString('latin1')))
    socket.on('close', () => resolve(out))
    socket.on('error', reject)
    socket.write(data)
  })
}

describe('sandbox: server, profile, request log, options', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await createSandbox({ autoApprove: true, maxBodyBytes: 4096 })
    sandbox.addRedirectUri(REDIRECT)
  })
  afterEach(() => sandbox.close())

  it('listens on loopback with a free port and exposes matching endpoints', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(sandbox.endpoints).toEqual({
      authorizationURL: `${sandbox.url}/oauth2/authorize`,
      tokenURL: `${sandbox.url}/oauth2/token`,
      revokeURL: `${sandbox.url}/oauth2/revoke`,
      apiURL: sandbox.url,
    })
    // The library accepts them (http on loopback).
    expect(resolveEndpoints(sandbox.endpoints)).toEqual(sandbox.endpoints)
    expect(sandbox.client).toEqual({ clientID: 'sandbox-client', clientSecret: 'sandbox-secret' })
  })

  describe('GET /v1/profile', () => {
    it.each([
      ['no Authorization header', undefined],
      ['an unknown token', 'Bearer ' + 'x'.repeat(64)],
      ['Basic credentials', basic('sandbox-client', 'sandbox-secret')],
      ['an empty Bearer', 'Bearer '],
      ['a huge header', 'Bearer ' + 'x'.repeat(5000)],
    ])('answers 401 {"message":"Unauthorized"} for %s', async (_n, auth) => {
      const res = await fetch(`${sandbox.url}/v1/profile`, { headers: auth ? { authorization: auth } : {} })
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ message: 'Unauthorized' })
    })

    it('accepts the bearer scheme in any case', async () => {
      const tokens = await login(sandbox)
      const res = await fetch(`${sandbox.url}/v1/profile`, { headers: { authorization: `bearer ${tokens.access_token}` } })
      expect(res.status).toBe(200)
    })

    it('answers 405 for POST and a regular 404 for unknown API paths', async () => {
      const tokens = await login(sandbox)
      expect((await fetch(`${sandbox.url}/v1/profile`, { method: 'POST' })).status).toBe(405)
      const res = await fetch(`${sandbox.url}/v1/nothing-here`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
      expect(res.status).toBe(404)
      expect(await res.json()).toMatchObject({ status: 404, error: 'Not Found', path: '/v1/nothing-here', traceId: expect.any(String) })
    })
  })

  describe('bad input never crashes the server', () => {
    it('answers 413 to a body over maxBodyBytes', async () => {
      const res = await postForm(sandbox.endpoints.tokenURL, { grant_type: 'refresh_token', refresh_token: 'x'.repeat(8000) })
      expect(res.status).toBe(413)
    })

    it('answers 413 to a chunked body over maxBodyBytes', async () => {
      const chunk = 'a'.repeat(3000)
      const answer = await raw(
        sandbox,
        'POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n' +
          `${(3000).toString(16)}\r\n${chunk}\r\n${(3000).toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
      )
      expect(answer).toMatch(/^HTTP\/1\.1 413 /)
    })

    it.each([
      ['garbage', 'HELLO\r\n\r\n'],
      ['a bad request line', 'GET\r\n\r\n'],
      ['an absolute-form URL', 'GET http://evil.example/oauth2/authorize HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
      ['an unknown path with bad percent-encoding', 'GET /oauth2/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ])('answers 4xx to %s', async (_n, data) => {
      const answer = await raw(sandbox, data)
      expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /)
      expect(answer).not.toMatch(/at .*\.ts:\d+/)
    })

    it('survives a client that disconnects mid-body, and keeps serving', async () => {
      const { hostname, port } = new URL(sandbox.url)
      await new Promise<void>((resolve) => {
        const s = net.connect(Number(port), hostname, () => {
          s.write('POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc')
          s.destroy()
          resolve()
        })
      })
      expect((await profile(sandbox)).status).toBe(401)
      await login(sandbox)
    })

    it('answers malformed query strings on authorize with an error page, not a crash', async () => {
      const res = await fetch(`${sandbox.endpoints.authorizationURL}?client_id=%ZZ&redirect_uri=%&&&=`, { redirect: 'manual' })
      expect(res.status).toBe(400)
    })
  })

  describe('request log', () => {
    it('records method, path, status, time and grant_type, and never a secret', async () => {
      sandbox.resetLog()
      const { code, verifier } = await obtainCode(sandbox)
      const exchange = await tokenCall(sandbox, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier })
      const tokens = (await exchange.json()) as Tokens
      await profile(sandbox, tokens.access_token)
      const rotated = (await (await refresh(sandbox, tokens.refresh_token)).json()) as Tokens
      await refresh(sandbox, tokens.refresh_token) // reuse: revokes
      await postForm(
        sandbox.endpoints.revokeURL,
        { token: rotated.refresh_token },
        { authorization: basic('sandbox-client', 'sandbox-secret') },
      )
      await tokenCall(sandbox, { grant_type: 'refresh_token', refresh_token: 'guess' }, basic('sandbox-client', 'wrong-secret'))

      const log = sandbox.requests
      expect(log.map((r) => `${r.method} ${r.path} ${r.status} ${r.grantType ?? '-'}`)).toEqual([
        'GET /oauth2/authorize 302 -',
        'POST /oauth2/token 200 authorization_code',
        'GET /v1/profile 200 -',
        'POST /oauth2/token 200 refresh_token',
        'POST /oauth2/token 400 refresh_token',
        'POST /oauth2/revoke 200 -',
        'POST /oauth2/token 401 refresh_token',
      ])
      for (const entry of log) expect(Object.keys(entry).sort()).toEqual(expect.arrayContaining(['method', 'path', 'status', 'time']))
      const dumps = [JSON.stringify(log), inspect(log, { depth: 10 }), JSON.stringify(sandbox), inspect(sandbox, { depth: 10 })]
      const secrets = [
        code,
        verifier,
        tokens.access_token,
        tokens.refresh_token,
        rotated.access_token,
        rotated.refresh_token,
        'sandbox-secret',
        'wrong-secret',
        'Basic',
        Buffer.from('sandbox-client:sandbox-secret').toString('base64'),
      ]
      for (const dump of dumps) for (const secret of secrets) expect(dump).not.toContain(secret)

      expect(sandbox.tokenCalls()).toBe(4)
      expect(sandbox.tokenCalls('refresh_token')).toBe(3)
      expect(sandbox.tokenCalls('authorization_code')).toBe(1)
      sandbox.resetLog()
      expect(sandbox.requests).toEqual([])
      expect(sandbox.tokenCalls()).toBe(0)
    })

    it('returns copies: callers cannot rewrite the log', async () => {
      await profile(sandbox)
      sandbox.requests[0].status = 999
      expect(sandbox.requests[0].status).toBe(401)
    })
  })

  it('shows no secret in JSON.stringify, util.inspect or enumerable properties', () => {
    expect(JSON.parse(JSON.stringify(sandbox))).toEqual({ url: sandbox.url, endpoints: sandbox.endpoints, clientID: 'sandbox-client' })
    expect(inspect(sandbox)).toBe(`Sandbox { url: '${sandbox.url}', clientID: 'sandbox-client' }`)
    expect(Object.keys(sandbox).filter((k) => !k.startsWith('_'))).toEqual(['url', 'endpoints'])
  })

  it('a throwing event listener gives a bare 500 without stack trace, and the server lives on', async () => {
    sandbox.on('connection.created', () => {
      throw new Error('listener bug at /secret/path.ts:1')
    })
    const { code, verifier } = await obtainCode(sandbox)
    const res = await tokenCall(sandbox, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier })
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(text).not.toContain('listener bug')
    expect((await profile(sandbox)).status).toBe(401)
  })
})

describe('sandbox: options and registration', () => {
  it.each([
    [{ port: -1 }],
    [{ port: 70000 }],
    [{ host: '0.0.0.0' }],
    [{ host: 'example.com' }],
    [{ clients: [] }],
    [{ clients: [{ clientID: 'x'.repeat(37), clientSecret: 's', redirectUris: [] }] }],
    [{ clients: [{ clientID: 'a:b', clientSecret: 's', redirectUris: [] }] }],
    [{ clients: [{ clientID: 'a', clientSecret: '', redirectUris: [] }] }],
    [{ clients: [{ clientID: 'a', clientSecret: 's', redirectUris: ['http://app.example/cb'] }] }],
    [{ clients: [{ clientID: 'a', clientSecret: 's', redirectUris: ['https://app.example/cb#x'] }] }],
    [{ clients: [{ clientID: 'a', clientSecret: 's', redirectUris: [], scopes: ['bad scope'] }] }],
    [
      {
        clients: [
          { clientID: 'a', clientSecret: 's', redirectUris: [] },
          { clientID: 'a', clientSecret: 't', redirectUris: [] },
        ],
      },
    ],
    [{ accessTokenTtlSeconds: 0 }],
    [{ codeTtlSeconds: 1.5 }],
    [{ autoApprove: 'yes' }],
    [{ organization: { organizationId: 'not-a-uuid' } }],
    [{ organization: { taxType: 'other' } }],
    [{ user: { userName: '' } }],
    [{ now: 123 }],
    [{ clientId: 'typo' }],
  ])('rejects %j with a TypeError', async (options) => {
    await expect(createSandbox(options as never)).rejects.toThrow(TypeError)
  })

  it('takes organisation, user and clients from options', async () => {
    const organizationId = '6c3b0cd8-38c4-4f5a-8a6e-1f8d7c2f9a11'
    const sandbox = await createSandbox({
      autoApprove: true,
      clients: [{ clientID: 'mine', clientSecret: 'mine-secret', redirectUris: [REDIRECT], scopes: ['profile.read'] }],
      organization: { organizationId, companyName: 'Test & Co <KG>', taxType: 'gross', smallBusiness: true },
      user: { userName: 'Erika', userEmail: 'erika@example.com' },
      accessTokenTtlSeconds: 2,
    })
    try {
      expect(sandbox.client).toEqual({ clientID: 'mine', clientSecret: 'mine-secret' })
      const tokens = await login(sandbox).catch((e: unknown) => e)
      // The helper asks for contacts.read, which this client lacks.
      expect(tokens).toBeInstanceOf(Error)
      const { code, verifier } = await obtainCode(sandbox, { scope: 'profile.read' })
      const res = await tokenCall(sandbox, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier })
      const t = (await res.json()) as Tokens
      expect(t.expires_in).toBe(2)
      expect(t.scope).toBe('profile.read')
      expect(await (await profile(sandbox, t.access_token)).json()).toMatchObject({
        organizationId,
        companyName: 'Test & Co <KG>',
        taxType: 'gross',
        smallBusiness: true,
        created: { userName: 'Erika', userEmail: 'erika@example.com' },
      })
    } finally {
      await sandbox.close()
    }
  })

  it('validates addRedirectUri and registerClient', async () => {
    const sandbox = await createSandbox()
    try {
      expect(() => sandbox.addRedirectUri('http://evil.example/cb')).toThrow(TypeError)
      expect(() => sandbox.addRedirectUri('not a url')).toThrow(TypeError)
      expect(() => sandbox.addRedirectUri(REDIRECT, 'nobody')).toThrow(TypeError)
      expect(() => sandbox.registerClient({ clientID: 'sandbox-client', clientSecret: 'x', redirectUris: [] })).toThrow(TypeError)
      expect(sandbox.registerClient({ clientID: 'second', clientSecret: 'x', redirectUris: [] })).toEqual({
        clientID: 'second',
        clientSecret: 'x',
      })
    } finally {
      await sandbox.close()
    }
  })

  it('fails with the listen error when the port is taken', async () => {
    const first = await createSandbox()
    try {
      const port = Number(new URL(first.url).port)
      await expect(createSandbox({ port })).rejects.toThrow(/EADDRINUSE/)
    } finally {
      await first.close()
    }
  })
})

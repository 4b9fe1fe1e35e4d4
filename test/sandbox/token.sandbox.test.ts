import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { REDIRECT, basic, obtainCode, pkce, postForm, profile, tokenCall, type Tokens } from './helpers'

async function oauthErrorOf(res: Response): Promise<string> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  expect(res.headers.get('cache-control')).toBe('no-store')
  const body = (await res.json()) as { error: string; error_description: string }
  expect(typeof body.error_description).toBe('string')
  return body.error
}

describe('sandbox: POST /oauth2/token', () => {
  let sandbox: Sandbox
  let clock: number
  beforeEach(async () => {
    clock = Date.UTC(2026, 0, 15, 9, 0, 0)
    sandbox = await createSandbox({ autoApprove: true, now: () => clock })
    sandbox.addRedirectUri(REDIRECT)
  })
  afterEach(() => sandbox.close())

  async function exchange(form: Record<string, string>, auth?: string): Promise<Response> {
    return tokenCall(sandbox, { grant_type: 'authorization_code', redirect_uri: REDIRECT, ...form }, auth)
  }

  describe('client authentication', () => {
    it('requires HTTP Basic (401 invalid_client with a challenge)', async () => {
      const { code, verifier } = await obtainCode(sandbox)
      const res = await exchange({ code, code_verifier: verifier }, '')
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /)
      expect(await oauthErrorOf(res)).toBe('invalid_client')
    })

    it('refuses the secret in the body instead of Basic (401)', async () => {
      const { code, verifier } = await obtainCode(sandbox)
      const res = await exchange({ code, code_verifier: verifier, client_id: 'sandbox-client', client_secret: 'sandbox-secret' }, '')
      expect(res.status).toBe(401)
      expect(await oauthErrorOf(res)).toBe('invalid_client')
    })

    it.each([['client_secret'], ['client_id']])('refuses Basic plus %s in the body (two methods)', async (field) => {
      const { code, verifier } = await obtainCode(sandbox)
      const value = field === 'client_id' ? sandbox.client.clientID : sandbox.client.clientSecret
      const res = await exchange({ code, code_verifier: verifier, [field]: value })
      expect(res.status).toBe(400)
      expect(await oauthErrorOf(res)).toBe('invalid_request')
    })

    it.each([
      ['a wrong secret', basic('sandbox-client', 'wrong')],
      ['an unknown client', basic('nobody', 'sandbox-secret')],
      ['malformed base64', 'Basic %%%'],
      ['no colon', 'Basic ' + Buffer.from('sandbox-client').toString('base64')],
      ['Bearer instead of Basic', 'Bearer abc'],
    ])('answers %s with 401 invalid_client', async (_n, auth) => {
      const { code, verifier } = await obtainCode(sandbox)
      const res = await exchange({ code, code_verifier: verifier }, auth)
      expect(res.status).toBe(401)
      expect(await oauthErrorOf(res)).toBe('invalid_client')
    })

    it('accepts form-encoded Basic credentials (RFC 6749 §2.3.1)', async () => {
      sandbox.registerClient({ clientID: 'app_x', clientSecret: 'p@ss word+/', redirectUris: [REDIRECT] })
      const { code, verifier } = await obtainCode(sandbox, { client_id: 'app_x' })
      const res = await exchange({ code, code_verifier: verifier }, basic('app_x', encodeURIComponent('p@ss word+/')))
      expect(res.status).toBe(200)
    })
  })

  describe('request format', () => {
    it('refuses a JSON body', async () => {
      const res = await fetch(sandbox.endpoints.tokenURL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic('sandbox-client', 'sandbox-secret') },
        body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'x' }),
      })
      expect(res.status).toBe(400)
      expect(await oauthErrorOf(res)).toBe('invalid_request')
    })
    it('refuses a missing grant_type', async () => {
      expect(await oauthErrorOf(await tokenCall(sandbox, {}))).toBe('invalid_request')
    })
    it('refuses other grant types', async () => {
      const res = await tokenCall(sandbox, { grant_type: 'client_credentials' })
      expect(res.status).toBe(400)
      expect(await oauthErrorOf(res)).toBe('unsupported_grant_type')
    })
    it('refuses a repeated parameter', async () => {
      const { code, verifier } = await obtainCode(sandbox)
      const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier })
      body.append('code', code)
      const res = await fetch(sandbox.endpoints.tokenURL, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('sandbox-client', 'sandbox-secret') },
        body: body.toString(),
      })
      expect(await oauthErrorOf(res)).toBe('invalid_request')
    })
  })

  describe('authorization_code', () => {
    it('answers tokens with no-store', async () => {
      const { code, verifier } = await obtainCode(sandbox)
      const res = await exchange({ code, code_verifier: verifier })
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toBe('no-store')
      const body = (await res.json()) as Tokens
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'])
      expect(body).toMatchObject({ token_type: 'bearer', expires_in: 14_400, scope: 'profile.read contacts.read' })
      expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{128}$/)
      expect(body.access_token.length).toBeGreaterThanOrEqual(43)
    })

    it('is single use: a second redemption fails and revokes what the first one issued', async () => {
      const { code, verifier } = await obtainCode(sandbox)
      const first = (await (await exchange({ code, code_verifier: verifier })).json()) as Tokens
      expect((await profile(sandbox, first.access_token)).status).toBe(200)
      const revoked: string[] = []
      sandbox.on('connection.revoked', (e) => revoked.push(e.reason))

      const second = await exchange({ code, code_verifier: verifier })
      expect(second.status).toBe(400)
      expect(await oauthErrorOf(second)).toBe('invalid_grant')
      expect((await profile(sandbox, first.access_token)).status).toBe(401)
      expect(await oauthErrorOf(await tokenCall(sandbox, { grant_type: 'refresh_token', refresh_token: first.refresh_token }))).toBe(
        'invalid_grant',
      )
      expect(revoked).toEqual(['code_reuse'])
      expect(sandbox.connections()[0]).toMatchObject({ state: 'revoked', revokedReason: 'code_reuse' })
    })

    it('expires after codeTtlSeconds (injected clock)', async () => {
      const { code, verifier } = await obtainCode(sandbox)
      clock += 300_000
      const res = await exchange({ code, code_verifier: verifier })
      expect(res.status).toBe(400)
      expect(await oauthErrorOf(res)).toBe('invalid_grant')
    })

    it('is still valid just before expiry', async () => {
      const { code, verifier } = await obtainCode(sandbox)
      clock += 299_999
      expect((await exchange({ code, code_verifier: verifier })).status).toBe(200)
    })

    it('refuses a mismatching code_verifier and consumes the code', async () => {
      const { code, verifier } = await obtainCode(sandbox)
      const wrong = await exchange({ code, code_verifier: pkce().verifier })
      expect(await oauthErrorOf(wrong)).toBe('invalid_grant')
      expect(await oauthErrorOf(await exchange({ code, code_verifier: verifier }))).toBe('invalid_grant')
      expect(sandbox.connections()).toHaveLength(0)
    })

    it.each([
      ['missing', undefined],
      ['too short', 'a'.repeat(42)],
      ['with bad characters', 'a'.repeat(42) + '+'],
    ])('refuses a code_verifier that is %s', async (_n, v) => {
      const { code } = await obtainCode(sandbox)
      const form: Record<string, string> = { code }
      if (v !== undefined) form.code_verifier = v
      expect(await oauthErrorOf(await exchange(form))).toBe('invalid_grant')
    })

    it('refuses a redirect_uri that differs from the authorization one', async () => {
      sandbox.addRedirectUri('http://127.0.0.1:9/other')
      const { code, verifier } = await obtainCode(sandbox)
      const res = await exchange({ code, code_verifier: verifier, redirect_uri: 'http://127.0.0.1:9/other' })
      expect(await oauthErrorOf(res)).toBe('invalid_grant')
      const missing = await tokenCall(sandbox, { grant_type: 'authorization_code', code, code_verifier: verifier })
      expect(await oauthErrorOf(missing)).toBe('invalid_grant')
    })

    it('refuses a code issued to another client', async () => {
      sandbox.registerClient({ clientID: 'other', clientSecret: 'other-secret', redirectUris: [REDIRECT] })
      const { code, verifier } = await obtainCode(sandbox)
      const res = await exchange({ code, code_verifier: verifier }, basic('other', 'other-secret'))
      expect(await oauthErrorOf(res)).toBe('invalid_grant')
    })

    it('refuses unknown and oversized codes', async () => {
      expect(await oauthErrorOf(await exchange({ code: 'nope', code_verifier: pkce().verifier }))).toBe('invalid_grant')
      expect(await oauthErrorOf(await exchange({ code: 'x'.repeat(5000), code_verifier: pkce().verifier }))).toBe('invalid_grant')
      expect(await oauthErrorOf(await exchange({ code_verifier: pkce().verifier }))).toBe('invalid_request')
    })
  })

  it('answers 405 to GET and keeps serving after bad input', async () => {
    const res = await fetch(sandbox.endpoints.tokenURL)
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('POST')
    const bad = await postForm(sandbox.endpoints.tokenURL, { grant_type: '%%%\u0000' }, { authorization: 'Basic ' + 'A'.repeat(5000) })
    expect(bad.status).toBe(401)
    const { code, verifier } = await obtainCode(sandbox)
    expect((await exchange({ code, code_verifier: verifier })).status).toBe(200)
  })
})

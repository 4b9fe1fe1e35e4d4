import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { REDIRECT, authorizeUrl, basic, defaultAuthorizeParams, get, pkce, postForm, tokenCall } from './helpers'

function location(res: Response): URL {
  const loc = res.headers.get('location')
  if (!loc) throw new Error(`no Location header (status ${res.status})`)
  return new URL(loc)
}

function pendingId(html: string): string {
  const m = /name="pending" value="([^"]+)"/.exec(html)
  if (!m) throw new Error('no pending id on the consent page')
  return m[1]
}

describe('sandbox: GET /oauth2/authorize', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await createSandbox()
    sandbox.addRedirectUri(REDIRECT)
  })
  afterEach(() => sandbox.close())

  describe('requests that must not be redirected', () => {
    it.each([
      ['unknown client_id', { client_id: 'nobody' }],
      ['missing client_id', { client_id: undefined }],
      ['client_id twice', { client_id: ['sandbox-client', 'sandbox-client'] }],
      ['missing redirect_uri', { redirect_uri: undefined }],
      ['redirect_uri with a trailing slash', { redirect_uri: REDIRECT + '/' }],
      ['redirect_uri on another port', { redirect_uri: 'http://127.0.0.1:10/callback' }],
      ['redirect_uri with an extra query', { redirect_uri: REDIRECT + '?next=/admin' }],
      ['redirect_uri of an attacker', { redirect_uri: 'https://evil.example/callback' }],
    ])('%s -> 400 error page, no redirect', async (_name, override) => {
      const { challenge } = pkce()
      const url = new URL(authorizeUrl(sandbox, defaultAuthorizeParams(sandbox, challenge)))
      for (const [k, v] of Object.entries(override as Record<string, string | string[] | undefined>)) {
        url.searchParams.delete(k)
        if (Array.isArray(v)) v.forEach((x) => url.searchParams.append(k, x))
        else if (v !== undefined) url.searchParams.set(k, v)
      }
      const res = await get(url.toString())
      expect(res.status).toBe(400)
      expect(res.headers.get('location')).toBeNull()
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
      const html = await res.text()
      expect(html).toContain('Authorization request refused')
      expect(html).not.toContain('evil.example')
    })
  })

  describe('errors redirected to the app (with state)', () => {
    async function expectRedirectError(override: Record<string, string | undefined>, error: string): Promise<URL> {
      const { challenge } = pkce()
      const params = { ...defaultAuthorizeParams(sandbox, challenge), ...override }
      const res = await get(authorizeUrl(sandbox, params))
      expect(res.status).toBe(302)
      const loc = location(res)
      expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT)
      expect(loc.searchParams.get('error')).toBe(error)
      expect(loc.searchParams.get('code')).toBeNull()
      expect(loc.searchParams.get('error_description')).toBeTruthy()
      if (params.state !== undefined) expect(loc.searchParams.get('state')).toBe(params.state)
      return loc
    }

    it('refuses a request without PKCE', async () => {
      await expectRedirectError({ code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request')
    })
    it('refuses code_challenge_method=plain', async () => {
      const { verifier } = pkce()
      await expectRedirectError({ code_challenge_method: 'plain', code_challenge: verifier }, 'invalid_request')
    })
    it('refuses a challenge without method (RFC 7636 would mean plain)', async () => {
      await expectRedirectError({ code_challenge_method: undefined }, 'invalid_request')
    })
    it.each([
      ['too short', 'a'.repeat(42)],
      ['too long', 'a'.repeat(44)],
      ['padded', 'a'.repeat(42) + '='],
      ['not base64url', 'a'.repeat(42) + '+'],
    ])('refuses a code_challenge that is %s', async (_n, challenge) => {
      await expectRedirectError({ code_challenge: challenge }, 'invalid_request')
    })
    it('refuses response_type=token', async () => {
      await expectRedirectError({ response_type: 'token' }, 'unsupported_response_type')
    })
    it('refuses a missing response_type', async () => {
      await expectRedirectError({ response_type: undefined }, 'invalid_request')
    })
    it('refuses a scope the client does not have', async () => {
      await expectRedirectError({ scope: 'profile.read admin.everything' }, 'invalid_scope')
    })
    it.each([
      ['<script>', '<script>alert(1)</script>'],
      ['!', 'My App!'],
      ['a newline', 'My\nApp'],
      ['an emoji', 'App 🚀'],
      ['too long', 'a'.repeat(256)],
    ])('refuses a connection_name with %s', async (_n, name) => {
      await expectRedirectError({ connection_name: name }, 'invalid_request')
    })
    it('refuses a repeated parameter (RFC 6749 §3.1)', async () => {
      const { challenge } = pkce()
      const url = new URL(authorizeUrl(sandbox, defaultAuthorizeParams(sandbox, challenge)))
      url.searchParams.append('scope', 'profile.read')
      const res = await get(url.toString())
      expect(res.status).toBe(302)
      expect(location(res).searchParams.get('error')).toBe('invalid_request')
    })
  })

  describe('consent page', () => {
    it('shows organisation, scopes and connection name, HTML-escaped, under a strict CSP', async () => {
      const { challenge } = pkce()
      const name = 'Meine App "Test" {1} (äöüß) /?.-_\\:=,'
      const res = await get(authorizeUrl(sandbox, { ...defaultAuthorizeParams(sandbox, challenge), connection_name: name }))
      expect(res.status).toBe(200)
      const csp = res.headers.get('content-security-policy')!
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain("form-action 'self' http://127.0.0.1:9")
      expect(csp).not.toContain('unsafe-inline')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('cache-control')).toBe('no-store')
      const html = await res.text()
      expect(html).toContain('Musterfirma GmbH (Sandbox)')
      expect(html).toContain('<li>profile.read</li>')
      expect(html).toContain('<li>contacts.read</li>')
      expect(html).toContain('Meine App &#34;Test&#34; {1} (äöüß) &#47;?.-_\\:&#61;,')
      expect(html).not.toContain('"Test"')
    })

    it("names the app once (the client name); a different connection_name only as the connection's label", async () => {
      const { challenge } = pkce()
      const heading = (html: string): string => /<h1>(.*?)<\/h1>/s.exec(html)![1]
      const labelled = await (
        await get(authorizeUrl(sandbox, { ...defaultAuthorizeParams(sandbox, challenge), connection_name: 'Shop 1' }))
      ).text()
      expect(heading(labelled)).toBe('Allow <strong>Sandbox Demo App</strong> to access your lexoffice?')
      expect(labelled.match(/Sandbox Demo App/g)).toHaveLength(1)
      expect(labelled).toContain('lexoffice lists this connection as <strong>Shop 1</strong>.')
      const same = await (
        await get(authorizeUrl(sandbox, { ...defaultAuthorizeParams(sandbox, challenge), connection_name: 'Sandbox Demo App' }))
      ).text()
      expect(same.match(/Sandbox Demo App/g)).toHaveLength(1)
      expect(same).not.toContain('id="connection-name"')
    })

    it('Allow redirects with a code and the state; the code works once', async () => {
      const { verifier, challenge } = pkce()
      const params = defaultAuthorizeParams(sandbox, challenge)
      const page = await get(authorizeUrl(sandbox, params))
      const id = pendingId(await page.text())
      const res = await postForm(`${sandbox.url}/oauth2/authorize/decision`, { pending: id, decision: 'allow' })
      expect(res.status).toBe(302)
      const loc = location(res)
      expect(loc.searchParams.get('state')).toBe(params.state)
      const code = loc.searchParams.get('code')!
      expect(code).toHaveLength(128)
      const token = await tokenCall(sandbox, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier })
      expect(token.status).toBe(200)
      // The pending authorization is single use.
      const again = await postForm(`${sandbox.url}/oauth2/authorize/decision`, { pending: id, decision: 'allow' })
      expect(again.status).toBe(400)
      expect(again.headers.get('location')).toBeNull()
    })

    it('Deny redirects with error=access_denied and the state, and issues nothing', async () => {
      const { challenge } = pkce()
      const params = defaultAuthorizeParams(sandbox, challenge)
      const id = pendingId(await (await get(authorizeUrl(sandbox, params))).text())
      const res = await postForm(`${sandbox.url}/oauth2/authorize/decision`, { pending: id, decision: 'deny' })
      expect(res.status).toBe(302)
      const loc = location(res)
      expect(loc.searchParams.get('error')).toBe('access_denied')
      expect(loc.searchParams.get('state')).toBe(params.state)
      expect(loc.searchParams.get('code')).toBeNull()
      expect(sandbox.connections()).toHaveLength(0)
    })

    it.each([
      ['an unknown pending id', { pending: 'x'.repeat(43), decision: 'allow' }],
      ['no decision', { pending: 'x'.repeat(43) }],
      ['a bad decision', { pending: 'x'.repeat(43), decision: 'maybe' }],
    ])('answers %s with an error page', async (_n, form) => {
      const res = await postForm(`${sandbox.url}/oauth2/authorize/decision`, form)
      expect(res.status).toBe(400)
      expect(res.headers.get('location')).toBeNull()
    })

    it('expires a pending authorization after 10 minutes (injected clock)', async () => {
      let clock = Date.UTC(2026, 0, 15, 9, 0, 0)
      const timed = await createSandbox({ now: () => clock })
      try {
        timed.addRedirectUri(REDIRECT)
        const { challenge } = pkce()
        const id = pendingId(await (await get(authorizeUrl(timed, defaultAuthorizeParams(timed, challenge)))).text())
        clock += 10 * 60_000
        const res = await postForm(`${timed.url}/oauth2/authorize/decision`, { pending: id, decision: 'allow' })
        expect(res.status).toBe(400)
        expect(res.headers.get('location')).toBeNull()
      } finally {
        await timed.close()
      }
    })

    it('uses the client name when no connection_name is sent, and all client scopes when no scope is sent', async () => {
      const { challenge } = pkce()
      const params = { ...defaultAuthorizeParams(sandbox, challenge), scope: undefined } as Record<string, string | undefined>
      const html = await (await get(authorizeUrl(sandbox, params))).text()
      expect(html).toContain('Sandbox Demo App')
      expect(html).toContain('<li>invoices.write</li>')
    })
  })

  it('autoApprove redirects at once; setAutoApprove switches it', async () => {
    const { challenge } = pkce()
    expect((await get(authorizeUrl(sandbox, defaultAuthorizeParams(sandbox, challenge)))).status).toBe(200)
    sandbox.setAutoApprove(true)
    expect(sandbox.autoApprove).toBe(true)
    const params = defaultAuthorizeParams(sandbox, challenge)
    const res = await get(authorizeUrl(sandbox, params))
    expect(res.status).toBe(302)
    expect(location(res).searchParams.get('code')).toHaveLength(128)
    expect(location(res).searchParams.get('state')).toBe(params.state)
    sandbox.setAutoApprove(false)
    expect((await get(authorizeUrl(sandbox, params))).status).toBe(200)
    expect(() => sandbox.setAutoApprove('yes' as unknown as boolean)).toThrow(TypeError)
  })

  it('keeps a query string of the registered redirect URI', async () => {
    const withQuery = 'http://127.0.0.1:9/cb?tenant=a'
    sandbox.addRedirectUri(withQuery)
    sandbox.setAutoApprove(true)
    const { challenge } = pkce()
    const res = await get(authorizeUrl(sandbox, { ...defaultAuthorizeParams(sandbox, challenge), redirect_uri: withQuery }))
    const loc = location(res)
    expect(loc.searchParams.get('tenant')).toBe('a')
    expect(loc.searchParams.get('code')).toBeTruthy()
  })

  describe('client registered with requirePkce: false (lexoffice "relaxed" mode)', () => {
    beforeEach(() => {
      sandbox.registerClient({ clientID: 'relaxed', clientSecret: 'relaxed-secret', redirectUris: [REDIRECT], requirePkce: false })
      sandbox.setAutoApprove(true)
    })
    async function codeWithoutPkce(): Promise<string> {
      const res = await get(authorizeUrl(sandbox, { client_id: 'relaxed', redirect_uri: REDIRECT, response_type: 'code', state: 's' }))
      return location(res).searchParams.get('code')!
    }

    it('issues a code without PKCE and redeems it without verifier', async () => {
      const code = await codeWithoutPkce()
      const res = await tokenCall(
        sandbox,
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
        basic('relaxed', 'relaxed-secret'),
      )
      expect(res.status).toBe(200)
    })

    it('refuses a code_verifier when the authorization had no challenge (PKCE downgrade)', async () => {
      const code = await codeWithoutPkce()
      const res = await tokenCall(
        sandbox,
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: pkce().verifier },
        basic('relaxed', 'relaxed-secret'),
      )
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ error: 'invalid_grant' })
    })

    it('still refuses plain', async () => {
      const res = await get(
        authorizeUrl(sandbox, {
          client_id: 'relaxed',
          redirect_uri: REDIRECT,
          response_type: 'code',
          code_challenge_method: 'plain',
          code_challenge: pkce().verifier,
        }),
      )
      expect(location(res).searchParams.get('error')).toBe('invalid_request')
    })
  })
})

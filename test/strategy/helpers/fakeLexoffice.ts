/**
 * A tiny lexoffice authorization + API server on 127.0.0.1:0 for the strategy tests. It
 * records every token request (headers and raw body) so tests can prove what was sent, and
 * enforces what matters: Basic client auth, exact redirect_uri, PKCE S256, single-use codes.
 */
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TokenCall {
  headers: http.IncomingHttpHeaders
  body: string
  form: URLSearchParams
}

export type TokenFault =
  | { kind: 'status'; status: number; body?: string; contentType?: string }
  | { kind: 'html' }
  | { kind: 'json'; body: unknown }
  | { kind: 'text'; body: string }
  | { kind: 'hang' }

export interface FakeLexoffice {
  url: string
  endpoints: { authorizationURL: string; tokenURL: string; revokeURL: string; apiURL: string }
  client: { clientID: string; clientSecret: string }
  addRedirectUri(uri: string): void
  tokenCalls: TokenCall[]
  profileCalls: number
  /** Every access token handed out, in order. */
  issuedAccessTokens: string[]
  /** Faults for the next token calls, consumed in order. */
  failNextTokenCalls(faults: TokenFault[]): void
  /** Replace the profile answer; `hang: true` never answers. */
  profile: { status: number; body: unknown; hang?: boolean }
  close(): Promise<void>
}

interface Grant {
  clientID: string
  redirectUri: string
  challenge: string
  used: boolean
  userNo: number
}

export async function startFakeLexoffice(): Promise<FakeLexoffice> {
  const client = { clientID: 'client-' + randomBytes(4).toString('hex'), clientSecret: 'SECRET-' + randomBytes(16).toString('hex') }
  const redirectUris = new Set<string>()
  const codes = new Map<string, Grant>()
  const tokens = new Map<string, number>()
  const faults: TokenFault[] = []
  const hanging = new Set<http.ServerResponse>()
  let userCounter = 0

  const fake: FakeLexoffice = {
    url: '',
    endpoints: { authorizationURL: '', tokenURL: '', revokeURL: '', apiURL: '' },
    client,
    addRedirectUri: (uri) => void redirectUris.add(uri),
    tokenCalls: [],
    profileCalls: 0,
    issuedAccessTokens: [],
    failNextTokenCalls: (f) => void faults.push(...f),
    profile: { status: 200, body: undefined },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', fake.url)
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
        const q = url.searchParams
        const redirectUri = q.get('redirect_uri') ?? ''
        if (q.get('client_id') !== client.clientID || !redirectUris.has(redirectUri)) return json(400, { error: 'invalid_request' })
        if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
          return json(400, { error: 'invalid_request' })
        }
        const code = randomBytes(24).toString('base64url')
        codes.set(code, {
          clientID: client.clientID,
          redirectUri,
          challenge: q.get('code_challenge') ?? '',
          used: false,
          userNo: ++userCounter,
        })
        const back = new URL(redirectUri)
        back.searchParams.set('code', code)
        if (q.get('state') !== null) back.searchParams.set('state', q.get('state') ?? '')
        res.writeHead(302, { location: back.href })
        return res.end()
      }
      if (req.method === 'POST' && url.pathname === '/oauth2/token') {
        const body = Buffer.concat(chunks).toString('utf8')
        const form = new URLSearchParams(body)
        fake.tokenCalls.push({ headers: req.headers, body, form })
        const fault = faults.shift()
        if (fault) {
          if (fault.kind === 'hang') return void hanging.add(res)
          if (fault.kind === 'html') {
            res.writeHead(200, { 'content-type': 'text/html' })
            return res.end('<html><body>Maintenance</body></html>')
          }
          if (fault.kind === 'text') {
            res.writeHead(200, { 'content-type': 'application/json' })
            return res.end(fault.body)
          }
          if (fault.kind === 'json') return json(200, fault.body)
          res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'application/json' })
          return res.end(fault.body ?? '')
        }
        const expected = 'Basic ' + Buffer.from(`${client.clientID}:${client.clientSecret}`).toString('base64')
        if (req.headers.authorization !== expected || form.has('client_secret')) return json(401, { error: 'invalid_client' })
        const grant = codes.get(form.get('code') ?? '')
        if (!grant || grant.used) return json(400, { error: 'invalid_grant' })
        grant.used = true
        const verifier = form.get('code_verifier') ?? ''
        const challenge = createHash('sha256').update(verifier).digest('base64url')
        if (
          challenge !== grant.challenge ||
          form.get('redirect_uri') !== grant.redirectUri ||
          form.get('grant_type') !== 'authorization_code'
        ) {
          return json(400, { error: 'invalid_grant' })
        }
        const accessToken = 'AT-' + randomBytes(16).toString('hex')
        tokens.set(accessToken, grant.userNo)
        fake.issuedAccessTokens.push(accessToken)
        return json(200, {
          access_token: accessToken,
          refresh_token: 'RT-' + randomBytes(16).toString('hex'),
          token_type: 'Bearer',
          expires_in: 14399,
          scope: 'profile.read',
        })
      }
      if (req.method === 'GET' && url.pathname === '/v1/profile') {
        fake.profileCalls++
        if (fake.profile.hang) return void hanging.add(res)
        const auth = req.headers.authorization ?? ''
        const userNo = tokens.get(auth.replace(/^Bearer /, ''))
        if (userNo === undefined) return json(401, { message: 'Unauthorized' })
        if (fake.profile.status !== 200 || fake.profile.body !== undefined) return json(fake.profile.status, fake.profile.body)
        return json(200, {
          organizationId: '00000000-0000-4000-8000-00000000000' + (userNo % 10),
          companyName: 'Muster GmbH',
          connectionId: '11111111-0000-4000-8000-00000000000' + (userNo % 10),
          created: {
            userId: 'user-' + userNo,
            userName: 'Erika Muster',
            userEmail: `erika${userNo}@example.com`,
            date: '2017-01-03T13:15:45.000+01:00',
          },
        })
      }
      json(404, { message: 'not found' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  fake.url = `http://127.0.0.1:${port}`
  fake.endpoints = {
    authorizationURL: `${fake.url}/oauth2/authorize`,
    tokenURL: `${fake.url}/oauth2/token`,
    revokeURL: `${fake.url}/oauth2/revoke`,
    apiURL: fake.url,
  }
  return fake
}

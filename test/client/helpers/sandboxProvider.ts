import { createHash, randomBytes } from 'node:crypto'
import type { Sandbox } from '../../../lib/sandbox'
import type { AccessTokenProvider } from '../../../lib/client/AccessTokenProvider'

export const REDIRECT = 'http://127.0.0.1:9/client-callback'

/**
 * Logs in to the sandbox (auto-approve, PKCE, all client scopes unless `scope` narrows them) and
 * returns a minimal token provider over the tokens: `refreshAfterUnauthorized` runs one refresh_token grant (rotation)
 * and counts its calls. The real TokenManager does this with locking and storage.
 */
export async function sandboxProvider(
  sandbox: Sandbox,
  scope?: string,
): Promise<AccessTokenProvider & { refreshes: number; current(): string }> {
  sandbox.addRedirectUri(REDIRECT)
  const verifier = randomBytes(32).toString('base64url')
  const url = new URL(sandbox.endpoints.authorizationURL)
  const params: Record<string, string> = {
    client_id: sandbox.client.clientID,
    redirect_uri: REDIRECT,
    response_type: 'code',
    state: randomBytes(8).toString('hex'),
    code_challenge_method: 'S256',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
  }
  if (scope !== undefined) params['scope'] = scope
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  const auth = await fetch(url, { redirect: 'manual' })
  const code = new URL(auth.headers.get('location') ?? '').searchParams.get('code')
  if (!code) throw new Error(`sandbox authorize answered ${auth.status} without a code`)
  let tokens = await tokenCall(sandbox, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier })
  const provider = {
    refreshes: 0,
    current: () => tokens.access_token,
    getAccessToken: async () => tokens.access_token,
    refreshAfterUnauthorized: async (_rejected: string) => {
      provider.refreshes++
      tokens = await tokenCall(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
      return tokens.access_token
    },
  }
  return provider
}

async function tokenCall(sandbox: Sandbox, form: Record<string, string>): Promise<{ access_token: string; refresh_token: string }> {
  const res = await fetch(sandbox.endpoints.tokenURL, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic ' + Buffer.from(`${sandbox.client.clientID}:${sandbox.client.clientSecret}`).toString('base64'),
    },
    body: new URLSearchParams(form).toString(),
  })
  if (res.status !== 200) throw new Error(`sandbox token endpoint answered ${res.status}`)
  return (await res.json()) as { access_token: string; refresh_token: string }
}

import { createHash, randomBytes } from 'node:crypto'
import { type LexofficeTokenResponse, LexofficeOAuthClient } from '../../lib/oauth/LexofficeOAuthClient'
import type { Sandbox } from '../../lib/sandbox'

/** A redirect URI on loopback that nothing listens on: the authorize redirect is read, never followed. */
export const TEST_REDIRECT_URI = 'http://127.0.0.1:9/auth/lexoffice/callback'

/**
 * Gets a first token set from the sandbox without a browser: an auto-approved authorize request
 * (redirect not followed), then the code exchange through {@link LexofficeOAuthClient.exchangeCode}.
 * The sandbox must have been created with `autoApprove: true`.
 *
 * @example
 * ```ts
 * const sb = await createSandbox({ autoApprove: true })
 * const tokens = await connectViaSandbox(sb)
 * await manager.connect('user-1', tokens)
 * ```
 */
export async function connectViaSandbox(
  sb: Sandbox,
  redirectUri: string = TEST_REDIRECT_URI,
  scope = 'profile.read contacts.read',
): Promise<LexofficeTokenResponse> {
  sb.addRedirectUri(redirectUri)
  const verifier = randomBytes(32).toString('base64url')
  const url = new URL(sb.endpoints.authorizationURL)
  url.search = new URLSearchParams({
    client_id: sb.client.clientID,
    redirect_uri: redirectUri,
    response_type: 'code',
    state: randomBytes(16).toString('base64url'),
    code_challenge_method: 'S256',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    scope,
  }).toString()
  const res = await fetch(url, { redirect: 'manual' })
  const location = res.headers.get('location')
  if (res.status !== 302 || !location) throw new Error(`sandbox authorize answered ${res.status} (autoApprove on?)`)
  const code = new URL(location).searchParams.get('code')
  if (!code) throw new Error(`sandbox authorize redirect carried no code: ${new URL(location).searchParams.get('error')}`)
  return oauthClientFor(sb).exchangeCode({ code, redirectUri, codeVerifier: verifier })
}

/**
 * An OAuth client for the sandbox's default client.
 *
 * @example
 * ```ts
 * const oauth = oauthClientFor(sb, { timeoutMs: 300 })
 * ```
 */
export function oauthClientFor(sb: Sandbox, options: { timeoutMs?: number } = {}): LexofficeOAuthClient {
  return new LexofficeOAuthClient({ ...sb.client, tokenURL: sb.endpoints.tokenURL, revokeURL: sb.endpoints.revokeURL, ...options })
}

/**
 * The same token response with the expiry moved to `msFromNow` (negative: expired), so the manager
 * sees it due while the sandbox still accepts the refresh token.
 *
 * @example
 * ```ts
 * await manager.connect(key, expiring(tokens, -1000))
 * ```
 */
export function expiring(tokens: LexofficeTokenResponse, msFromNow: number): LexofficeTokenResponse {
  return { ...tokens, expiresAt: Date.now() + msFromNow }
}

/**
 * Waits for `predicate` to hold, checking on every event-loop turn, until `timeoutMs`.
 *
 * @example
 * ```ts
 * await until(() => sb.tokenCalls('refresh_token') === 1)
 * ```
 */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

import { createHash } from 'node:crypto'
import { json, oauthError } from '../http'
import type { ResolvedSandboxClient } from '../options'
import type { IssuedTokens, SandboxState } from '../SandboxState'
import type { SandboxRequest, SandboxResponse, SandboxRoute } from '../types'
import { authenticatedForm } from './clientAuth'
import { alterAnswer, applyFault } from './faults'

/**
 * `POST /oauth2/token`, as lexoffice's partner OAuth server behaves (docs/lexoffice.md §2b,
 * docs/security.md §2):
 *
 * - client authentication by HTTP Basic only (credentials in the body as well: `invalid_request`);
 * - `authorization_code`: the code is single use and expires after `codeTtlSeconds`; every
 *   failed redemption consumes it; a second redemption revokes the connection the code created
 *   (RFC 6749 §10.5); `redirect_uri` must equal the one of the authorization; the PKCE verifier
 *   must match the S256 challenge, and a verifier for a code without challenge is refused
 *   (PKCE downgrade, RFC 9700 §4.8.2);
 * - `refresh_token`: rotation, a new access **and** refresh token every time; presenting an
 *   already rotated refresh token revokes the whole connection (RFC 9700 §4.14.2).
 *
 * @internal
 */

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

function tokenAnswer(tokens: IssuedTokens): SandboxResponse {
  return json(
    200,
    {
      access_token: tokens.accessToken,
      token_type: 'bearer',
      expires_in: tokens.expiresIn,
      refresh_token: tokens.refreshToken,
      scope: tokens.scopes.join(' '),
    },
    { 'cache-control': 'no-store', pragma: 'no-cache' },
  )
}

function authorizationCodeGrant(form: URLSearchParams, client: ResolvedSandboxClient, ctx: SandboxState): SandboxResponse {
  const code = form.get('code')
  if (!code) return oauthError('invalid_request', 'The code parameter is missing.')
  const record = code.length <= 256 ? ctx.findCode(code) : undefined
  if (!record) return oauthError('invalid_grant', 'The authorization code is invalid.')
  if (record.used) {
    if (record.connectionId !== undefined) ctx.revokeConnection(record.connectionId, 'code_reuse')
    return oauthError('invalid_grant', 'The authorization code was already used; the tokens it issued are revoked.')
  }
  // lexoffice: every error during redemption consumes the code.
  record.used = true
  if (record.clientID !== client.clientID) return oauthError('invalid_grant', 'The authorization code was issued to another client.')
  if (ctx.now() >= record.expiresAt) return oauthError('invalid_grant', 'The authorization code has expired.')
  if (form.get('redirect_uri') !== record.redirectUri) {
    return oauthError('invalid_grant', 'redirect_uri does not match the one of the authorization request.')
  }
  const verifier = form.get('code_verifier')
  if (record.codeChallenge === undefined) {
    if (verifier !== null)
      return oauthError('invalid_grant', 'A code_verifier was sent, but the authorization request had no code_challenge.')
  } else {
    if (verifier === null) return oauthError('invalid_grant', 'The code_verifier is missing.')
    ctx.rememberSecret(verifier)
    if (!CODE_VERIFIER.test(verifier)) return oauthError('invalid_grant', 'The code_verifier is malformed.')
    const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url')
    if (computed !== record.codeChallenge) return oauthError('invalid_grant', 'The code_verifier does not match the code_challenge.')
  }
  const { tokens } = ctx.createConnection(record)
  return tokenAnswer(tokens)
}

function refreshTokenGrant(form: URLSearchParams, client: ResolvedSandboxClient, ctx: SandboxState): SandboxResponse {
  const refreshToken = form.get('refresh_token')
  if (!refreshToken) return oauthError('invalid_request', 'The refresh_token parameter is missing.')
  const found = refreshToken.length <= 256 ? ctx.findRefreshToken(refreshToken) : undefined
  if (!found || found.connection.clientID !== client.clientID) return oauthError('invalid_grant', 'The refresh token is invalid.')
  const { connection } = found
  if (found.rotated) {
    ctx.revokeConnection(connection.connectionId, 'refresh_token_reuse')
    return oauthError('invalid_grant', 'The refresh token was already used; the connection is revoked.')
  }
  if (connection.state !== 'active') return oauthError('invalid_grant', 'The connection was revoked.')
  return tokenAnswer(ctx.rotate(connection))
}

async function token(req: SandboxRequest, ctx: SandboxState): Promise<SandboxResponse> {
  const fault = ctx.takeFault()
  if (fault) {
    ctx.annotateLog(req, { fault: fault.kind })
    const outcome = await applyFault(fault, ctx)
    if (outcome !== 'process') return outcome
    if (ctx.closed) return json(503, { message: 'Sandbox is shutting down' })
  }
  const answer = grant(req, ctx)
  return fault?.kind === 'alter' ? alterAnswer(answer, fault) : answer
}

function grant(req: SandboxRequest, ctx: SandboxState): SandboxResponse {
  const parsed = authenticatedForm(req, ctx)
  if ('response' in parsed) return parsed.response
  const { client, form } = parsed
  const grantType = form.get('grant_type')
  if (grantType === null) return oauthError('invalid_request', 'The grant_type parameter is missing.')
  if (grantType === 'authorization_code') return authorizationCodeGrant(form, client, ctx)
  if (grantType === 'refresh_token') return refreshTokenGrant(form, client, ctx)
  return oauthError('unsupported_grant_type', 'Only authorization_code and refresh_token are supported.')
}

/** The token endpoint route. @internal */
export const tokenRoutes: SandboxRoute<SandboxState>[] = [{ method: 'POST', pattern: '/oauth2/token', handler: token }]

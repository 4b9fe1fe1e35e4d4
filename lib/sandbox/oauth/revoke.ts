import { oauthError } from '../http'
import type { SandboxState } from '../SandboxState'
import type { SandboxRequest, SandboxResponse, SandboxRoute } from '../types'
import { authenticatedForm } from './clientAuth'

/**
 * `POST /oauth2/revoke` (RFC 7009), Basic client authentication, form body `token=…`
 * (`token_type_hint` is accepted and not needed). Revoking a refresh token ends the connection
 * and its access token; revoking an access token ends just that token; an unknown token gets
 * 200 as well (RFC 7009 §2.2). A token of another client is refused with `unauthorized_client`.
 *
 * @internal
 */
function revoke(req: SandboxRequest, ctx: SandboxState): SandboxResponse {
  const parsed = authenticatedForm(req, ctx)
  if ('response' in parsed) return parsed.response
  const { client, form } = parsed
  const token = form.get('token')
  if (!token) return oauthError('invalid_request', 'The token parameter is missing.')
  const ok: SandboxResponse = { status: 200, headers: { 'cache-control': 'no-store' }, body: '' }
  if (token.length > 8192) return ok
  const refresh = ctx.findRefreshToken(token)
  if (refresh && !refresh.rotated) {
    if (refresh.connection.clientID !== client.clientID) return oauthError('unauthorized_client', 'The token was issued to another client.')
    ctx.revokeConnection(refresh.connection.connectionId, 'revoked_by_client')
    return ok
  }
  const owner = ctx.findAccessTokenOwner(token)
  if (owner) {
    if (owner.clientID !== client.clientID) return oauthError('unauthorized_client', 'The token was issued to another client.')
    ctx.dropAccessToken(owner)
  }
  return ok
}

/** The revocation endpoint route. @internal */
export const revokeRoutes: SandboxRoute<SandboxState>[] = [{ method: 'POST', pattern: '/oauth2/revoke', handler: revoke }]

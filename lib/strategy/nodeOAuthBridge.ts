import type { OAuth2 } from 'oauth'
import type { LexofficeOAuthClient, LexofficeTokenResponse } from '../oauth/LexofficeOAuthClient'
import { invalidArg } from '../options/assert'

/**
 * node-oauth's `OAuth2.getOAuthAccessToken` puts `client_id`/`client_secret` in the request body.
 * This replaces it on one `OAuth2` instance (a non-enumerable own property) with a call through
 * {@link LexofficeOAuthClient}, so anything that uses the strategy's `_oauth2` (for example
 * passport-oauth2-refresh) authenticates with HTTP Basic only, has a timeout and gets a validated
 * answer. A code exchange without `redirect_uri` and `code_verifier` is refused without a request.
 *
 * @internal
 * @example
 * ```ts
 * routeNodeOAuthThrough(strategy._oauth2, oauthClient)
 * ```
 */
export function routeNodeOAuthThrough(oauth2: OAuth2, client: LexofficeOAuthClient): void {
  const replacement = (
    code: string,
    params: Record<string, unknown> | undefined,
    callback: (err: unknown, accessToken?: string, refreshToken?: string, results?: LexofficeTokenResponse) => void,
  ): void => {
    const p = params ?? {}
    const grant = p.grant_type ?? 'authorization_code'
    let request: Promise<LexofficeTokenResponse>
    if (grant === 'refresh_token') request = client.refresh(code)
    else if (grant === 'authorization_code' && typeof p.redirect_uri === 'string' && typeof p.code_verifier === 'string') {
      request = client.exchangeCode({ code, redirectUri: p.redirect_uri, codeVerifier: p.code_verifier })
    } else {
      request = Promise.reject(
        invalidArg('ERR_INVALID_ARG_VALUE', 'getOAuthAccessToken needs redirect_uri and code_verifier (PKCE is mandatory)'),
      )
    }
    request.then(
      (tokens) => callback(null, tokens.access_token, tokens.refresh_token, tokens),
      (err: unknown) => callback(err),
    )
  }
  Object.defineProperty(oauth2, 'getOAuthAccessToken', { value: replacement, enumerable: false, writable: true, configurable: true })
}

import { ErrorCodes, LexofficeOAuthError } from '../errors'
import { type FetchLike, describeUrl, httpRequest } from '../http/httpRequest'
import { assertInteger, assertKnownKeys, assertObject, assertString, assertUrl } from '../options/assert'
import { optionKeys } from '../options/optionKeys'

/**
 * A validated token endpoint answer (RFC 6749 §5.1), plus `expiresAt`: the absolute expiry in
 * milliseconds since the epoch, computed when the answer arrived (absent when lexoffice sent no
 * `expires_in`). This is the `params` argument your verify callback receives.
 */
export interface LexofficeTokenResponse {
  access_token: string
  /** Always `bearer` at lexoffice; compared case-insensitively. */
  token_type: string
  /**
   * The rotated refresh token. Always present in the answer to a code exchange (one without it is
   * refused); absent in a refresh answer means: keep the old one (RFC 6749 §6, see docs/security.md §6).
   */
  refresh_token?: string
  /** Lifetime in seconds (lexoffice: 14399, about 4 h); more than {@link MAX_TOKEN_LIFETIME_SECONDS} is clamped to it. */
  expires_in?: number
  /** Granted scopes, space-separated. */
  scope?: string
  /** Absolute expiry (ms since epoch), computed from `expires_in` on arrival. */
  expiresAt?: number
  /** Any other member lexoffice sent. */
  [extra: string]: unknown
}

/** Options of {@link LexofficeOAuthClient}. */
export interface LexofficeOAuthClientOptions {
  clientID: string
  clientSecret: string
  tokenURL: string
  revokeURL: string
  /** Timeout for each token or revoke call, in ms. Default 10 000. */
  timeoutMs?: number
  /** A fetch instead of the built-in transport (node:http(s) with keep-alive agents), e.g. for a proxy or a test. */
  fetch?: FetchLike
  /** Clock, for tests. Default `Date.now`. Test seam, not an option. @internal */
  now?: () => number
}

const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024
const OPTION_KEYS = optionKeys<LexofficeOAuthClientOptions>()([
  'clientID',
  'clientSecret',
  'tokenURL',
  'revokeURL',
  'timeoutMs',
  'fetch',
  'now',
])

/**
 * The longest access-token lifetime accepted from a token answer, in seconds (one day). lexoffice
 * issues 4 hours (docs/lexoffice.md §2b); a longer `expires_in` is treated as one day, so that a
 * broken or hostile answer can neither store an expiry centuries away nor an infinite one.
 *
 * @example
 * ```ts
 * import { MAX_TOKEN_LIFETIME_SECONDS } from 'passport-lexoffice'
 * const latest = Date.now() + MAX_TOKEN_LIFETIME_SECONDS * 1000
 * ```
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400

/**
 * The confidential client's calls to lexoffice's token and revoke endpoints.
 *
 * It authenticates with HTTP Basic only: the body never carries `client_id` or
 * `client_secret` (RFC 6749 §2.3: one authentication method per request). Every call has a
 * timeout; every answer is validated (JSON object, non-empty `access_token`, `token_type`
 * bearer in any case, a `refresh_token` for a code exchange, a positive finite `expires_in`, clamped
 * to {@link MAX_TOKEN_LIFETIME_SECONDS}), which closes CVE-2021-41580. The client secret lives
 * in a private field and never shows in `JSON.stringify`, `util.inspect` or error messages.
 *
 * Application code rarely needs it directly: {@link LexofficeStrategy} uses it for the code
 * exchange and `TokenManager` for refreshes (the only refresh path) and revocation.
 *
 * @example
 * ```ts
 * const oauth = new LexofficeOAuthClient({
 *   clientID: process.env.LEXOFFICE_CLIENT_ID!,
 *   clientSecret: process.env.LEXOFFICE_CLIENT_SECRET!,
 *   tokenURL: 'https://app.lexware.de/oauth2/token',
 *   revokeURL: 'https://app.lexware.de/oauth2/revoke',
 * })
 * ```
 */
export class LexofficeOAuthClient {
  readonly clientID: string
  readonly tokenURL: string
  readonly revokeURL: string
  readonly timeoutMs: number
  readonly #authorization: string
  readonly #fetch: FetchLike | undefined
  readonly #now: () => number

  constructor(options: LexofficeOAuthClientOptions) {
    assertObject(options, 'options')
    assertKnownKeys(options, OPTION_KEYS, 'LexofficeOAuthClient')
    assertString(options.clientID, 'clientID', { max: 256 })
    assertString(options.clientSecret, 'clientSecret', { max: 1024 })
    assertUrl(options.tokenURL, 'tokenURL')
    assertUrl(options.revokeURL, 'revokeURL')
    const timeoutMs = options.timeoutMs ?? 10_000
    assertInteger(timeoutMs, 'timeoutMs', 1, 120_000)
    this.clientID = options.clientID
    this.tokenURL = options.tokenURL
    this.revokeURL = options.revokeURL
    this.timeoutMs = timeoutMs
    this.#authorization = 'Basic ' + Buffer.from(`${options.clientID}:${options.clientSecret}`, 'utf8').toString('base64')
    this.#fetch = options.fetch
    this.#now = options.now ?? Date.now
  }

  /**
   * Exchanges an authorization code (with its PKCE verifier) for tokens. Never retried:
   * lexoffice codes are single use. An answer without `refresh_token` is refused
   * (`TOKEN_RESPONSE_INVALID`): without one the connection could not outlive its first access token.
   */
  async exchangeCode(params: {
    code: string
    redirectUri: string
    codeVerifier: string
    extra?: Record<string, string>
  }): Promise<LexofficeTokenResponse & { refresh_token: string }> {
    const answer = await this.#tokenRequest(
      {
        ...params.extra,
        grant_type: 'authorization_code',
        code: params.code,
        redirect_uri: params.redirectUri,
        code_verifier: params.codeVerifier,
      },
      true,
    )
    return answer as LexofficeTokenResponse & { refresh_token: string }
  }

  /**
   * Redeems a refresh token. lexoffice rotates it: the answer's `refresh_token` replaces the
   * old one, which is dead from now on. Call this only from `TokenManager`, the one refresh path.
   *
   * @internal
   */
  refresh(refreshToken: string): Promise<LexofficeTokenResponse> {
    return this.#tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, false)
  }

  /**
   * Revokes a token at `/oauth2/revoke` (RFC 7009). Revoking the refresh token also ends the
   * access token and the connection.
   */
  async revoke(token: string, tokenTypeHint: 'refresh_token' | 'access_token' = 'refresh_token'): Promise<void> {
    const res = await httpRequest({
      method: 'POST',
      url: this.revokeURL,
      headers: this.#headers(),
      body: new URLSearchParams({ token, token_type_hint: tokenTypeHint }).toString(),
      timeoutMs: this.timeoutMs,
      maxBodyBytes: MAX_TOKEN_RESPONSE_BYTES,
      fetch: this.#fetch,
    })
    if (res.status === 200 || res.status === 204) return
    const oauth = parseOAuthError(res.text())
    throw new LexofficeOAuthError(
      ErrorCodes.REVOKE_FAILED,
      `Revocation at ${describeUrl(this.revokeURL)} failed with HTTP ${res.status}.`,
      {
        upstreamStatus: res.status,
        ...oauth,
      },
    )
  }

  /** Never shows the secret. @internal */
  toJSON(): Record<string, unknown> {
    return { clientID: this.clientID, tokenURL: this.tokenURL, revokeURL: this.revokeURL }
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `LexofficeOAuthClient { clientID: '${this.clientID}', tokenURL: '${this.tokenURL}' }`
  }

  #headers(): Record<string, string> {
    return {
      authorization: this.#authorization,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    }
  }

  async #tokenRequest(form: Record<string, string>, requireRefreshToken: boolean): Promise<LexofficeTokenResponse> {
    const where = describeUrl(this.tokenURL)
    const res = await httpRequest({
      method: 'POST',
      url: this.tokenURL,
      headers: this.#headers(),
      body: new URLSearchParams(form).toString(),
      timeoutMs: this.timeoutMs,
      maxBodyBytes: MAX_TOKEN_RESPONSE_BYTES,
      fetch: this.#fetch,
    })
    const received = this.#now()
    if (res.status < 200 || res.status >= 300) throw tokenEndpointError(res.status, res.text(), where)
    const contentType = res.headers.get('content-type') ?? ''
    if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
      throw invalidResponse(`${where} answered with content type "${sanitize(contentType, 60) || 'none'}" instead of JSON.`, res.status)
    }
    let body: unknown
    try {
      body = JSON.parse(res.text())
    } catch {
      throw invalidResponse(`${where} answered with a body that is not JSON.`, res.status)
    }
    return validateTokenResponse(body, received, where, res.status, requireRefreshToken)
  }
}

function validateTokenResponse(
  body: unknown,
  received: number,
  where: string,
  status: number,
  requireRefreshToken: boolean,
): LexofficeTokenResponse {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidResponse(`${where} answered with JSON that is not an object.`, status)
  }
  const b = body as Record<string, unknown>
  if (typeof b.error === 'string') throw tokenEndpointError(status, JSON.stringify({ error: b.error }), where)
  if (typeof b.access_token !== 'string' || b.access_token.length === 0) {
    throw invalidResponse(`${where} answered without an access_token.`, status)
  }
  if (typeof b.token_type !== 'string' || b.token_type.toLowerCase() !== 'bearer') {
    throw invalidResponse(`${where} answered without token_type "bearer".`, status)
  }
  if ('refresh_token' in b && (typeof b.refresh_token !== 'string' || b.refresh_token.length === 0)) {
    throw invalidResponse(`${where} answered with an invalid refresh_token member.`, status)
  }
  if (requireRefreshToken && !('refresh_token' in b)) {
    throw invalidResponse(`${where} answered the code exchange without a refresh_token.`, status)
  }
  if ('expires_in' in b && (typeof b.expires_in !== 'number' || !Number.isFinite(b.expires_in) || b.expires_in <= 0)) {
    throw invalidResponse(`${where} answered with an invalid expires_in.`, status)
  }
  if ('scope' in b && typeof b.scope !== 'string') {
    throw invalidResponse(`${where} answered with an invalid scope.`, status)
  }
  const out: LexofficeTokenResponse = { ...b, access_token: b.access_token, token_type: b.token_type }
  if (typeof b.expires_in === 'number') {
    out.expires_in = Math.min(b.expires_in, MAX_TOKEN_LIFETIME_SECONDS)
    out.expiresAt = received + Math.round(out.expires_in * 1000)
  }
  return out
}

function invalidResponse(message: string, status: number): LexofficeOAuthError {
  return new LexofficeOAuthError(ErrorCodes.TOKEN_RESPONSE_INVALID, message, { upstreamStatus: status, status: 502 })
}

/** Maps a non-2xx token endpoint answer to a typed error (RFC 6749 §5.2). @internal */
export function tokenEndpointError(status: number, text: string, where: string): LexofficeOAuthError {
  const oauth = parseOAuthError(text)
  if (status === 429) {
    return new LexofficeOAuthError(ErrorCodes.TOKEN_RATE_LIMITED, `${where} is rate limiting this client (HTTP 429).`, {
      upstreamStatus: status,
      status: 503,
      ...oauth,
    })
  }
  if (oauth.error === 'invalid_grant') {
    return new LexofficeOAuthError(
      ErrorCodes.INVALID_GRANT,
      `${where} rejected the grant (invalid_grant): it expired, was used already or was revoked.`,
      {
        upstreamStatus: status,
        status: 400,
        ...oauth,
      },
    )
  }
  if (oauth.error === 'invalid_client' || oauth.error === 'unauthorized_client') {
    return new LexofficeOAuthError(
      ErrorCodes.INVALID_CLIENT,
      `${where} rejected the client credentials (${oauth.error}); check clientID and clientSecret.`,
      {
        upstreamStatus: status,
        status: 502,
        ...oauth,
      },
    )
  }
  const what = oauth.error ? `error "${oauth.error}"` : `HTTP ${status}`
  return new LexofficeOAuthError(ErrorCodes.TOKEN_ENDPOINT_ERROR, `${where} answered with ${what}.`, {
    upstreamStatus: status,
    status: 502,
    ...oauth,
  })
}

/** Reads `{error, error_description}` from a body, sanitised; anything else is ignored. */
function parseOAuthError(text: string): { error?: string; errorDescription?: string } {
  try {
    const body = JSON.parse(text) as unknown
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const { error, error_description: description } = body as Record<string, unknown>
      const out: { error?: string; errorDescription?: string } = {}
      if (typeof error === 'string' && /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(error)) out.error = error
      if (typeof description === 'string') out.errorDescription = sanitize(description, 200)
      return out
    }
  } catch {
    // not JSON: nothing usable
  }
  return {}
}

/** Removes control characters and truncates; for untrusted text that may reach logs. @internal */
export function sanitize(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim()
  return clean.length > max ? clean.slice(0, max) + '…' : clean
}

import { ErrorCodes, LexofficeError } from '../errors'

/**
 * Stands where passport-oauth2 strategies keep node-oauth's `OAuth2` (`strategy._oauth2`), for
 * code that reads it: passport-oauth2-refresh builds its own copy with
 * `new strategy._oauth2.constructor(...)` and calls `getOAuthAccessToken(refreshToken, { grant_type: 'refresh_token' })`.
 * It carries no client secret, and it refuses every token request: lexoffice rotates refresh
 * tokens, and a refresh outside the token manager's coordinated path ends the connection.
 *
 * @example
 * ```ts
 * const oauth2: UnmanagedOAuth2 = new LexofficeStrategy(lexoffice)._oauth2
 * oauth2.getOAuthAccessToken('refresh-token', { grant_type: 'refresh_token' }, (err) => console.log(err)) // LexofficeError UNMANAGED_REFRESH
 * ```
 */
export class UnmanagedOAuth2 {
  readonly _clientId: string
  /** Never the secret: the strategy's token calls go through its own OAuth client. */
  readonly _clientSecret = ''
  readonly _baseSite: string
  readonly _authorizeUrl: string
  readonly _accessTokenUrl: string
  readonly _customHeaders: Record<string, string> = {}

  constructor(clientId: string, _clientSecret: string, baseSite: string, authorizeUrl: string, accessTokenUrl: string) {
    this._clientId = clientId
    this._baseSite = baseSite
    this._authorizeUrl = authorizeUrl
    this._accessTokenUrl = accessTokenUrl
  }

  /** Refused: see the class. The callback gets a `LexofficeError` with code `UNMANAGED_REFRESH`. */
  getOAuthAccessToken(
    _code: string,
    _params: unknown,
    callback: (err: unknown, accessToken?: string, refreshToken?: string, results?: unknown) => void,
  ): void {
    process.nextTick(callback, unmanagedRefresh())
  }

  /** Refused like {@link UnmanagedOAuth2.getOAuthAccessToken}: API calls go through `req.lexoffice.client`. */
  get(_url: string, _accessToken: string, callback: (err: unknown, result?: string, response?: unknown) => void): void {
    process.nextTick(callback, unmanagedRefresh())
  }
}

function unmanagedRefresh(): LexofficeError {
  return new LexofficeError(
    ErrorCodes.UNMANAGED_REFRESH,
    'passport-lexoffice refreshes lexoffice tokens itself: lexoffice rotates refresh tokens, so a second refresh path would end ' +
      'the connection. Use req.lexoffice.client, lexoffice.client(key) or lexoffice.manager.getAccessToken(key) instead of ' +
      "the strategy's _oauth2 (passport-oauth2-refresh).",
    { status: 500 },
  )
}

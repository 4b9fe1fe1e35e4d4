/**
 * What an API client needs from the token layer for one connection: a fresh access token, and a
 * forced refresh after lexoffice answered 401. {@link TokenManager.providerFor} returns one; it
 * holds no token itself, only the connection key and the manager. It satisfies the API client's
 * `AccessTokenProvider` (where `refreshAfterUnauthorized` is optional, for static API keys).
 *
 * @example
 * ```ts
 * const provider = manager.providerFor(userId)
 * let token = await provider.getAccessToken()
 * let res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
 * if (res.status === 401) {
 *   token = await provider.refreshAfterUnauthorized(token) // refresh once, retry once
 *   res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
 * }
 * ```
 */
export interface ConnectionTokenProvider {
  /** A valid access token, refreshed first when it is due. */
  getAccessToken(): Promise<string>
  /** After an API 401 with `rejected`: a newer stored token, or one forced (coalesced) refresh. */
  refreshAfterUnauthorized(rejected: string): Promise<string>
}

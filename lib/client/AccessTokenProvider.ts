/**
 * Where {@link LexofficeClient} gets the Bearer token for each request.
 *
 * - An OAuth connection: the token manager's `manager.providerFor(key)` returns a provider
 *   whose `getAccessToken()` refreshes ahead of expiry and whose `refreshAfterUnauthorized()`
 *   forces one refresh after lexoffice rejected a token (lexoffice may invalidate tokens early).
 * - A private integration: a static API key (lexoffice's 24-month Bearer keys) is a provider
 *   without `refreshAfterUnauthorized`; pass `{ apiKey }` to the client instead of writing one.
 *
 * Implementations must never put the token into an error message or a log line.
 *
 * @example
 * ```ts
 * import type { AccessTokenProvider } from 'passport-lexoffice'
 * const provider: AccessTokenProvider = {
 *   getAccessToken: () => vault.read('lexoffice-token'),
 *   refreshAfterUnauthorized: (rejected) => vault.rotate('lexoffice-token', rejected),
 * }
 * ```
 */
export interface AccessTokenProvider {
  /** Resolves with a currently valid access token (or API key). */
  getAccessToken(): Promise<string>
  /**
   * Called once when lexoffice answered 401 to `rejectedToken`; resolves with a new token.
   * The client retries the request exactly once with it. Absent for static API keys.
   */
  refreshAfterUnauthorized?(rejectedToken: string): Promise<string>
}

/**
 * The tokens of one lexoffice connection, as the token layer stores them.
 *
 * A `TokenSet` holds secrets: never log it, never put it in a session, never send it to a
 * browser. Use `lexoffice.manager.tokenInfo(key)` (expiry, scope, status; no token) for anything
 * that leaves the process.
 *
 * @example
 * ```ts
 * import type { TokenSet } from 'passport-lexoffice'
 * const expiresInMs = (tokens: TokenSet) => tokens.expiresAt - Date.now()
 * ```
 */
export interface TokenSet {
  /** Bearer token for the API (lexoffice: valid 4 h, up to 4096 characters). */
  accessToken: string
  /** The current refresh token. lexoffice rotates it on every refresh; the old one is dead after. */
  refreshToken: string
  /** Absolute expiry of the access token, ms since the epoch. */
  expiresAt: number
  /** `true` when lexoffice sent no `expires_in` and `expiresAt` is an estimate. */
  expiresAtEstimated?: boolean
  /** Granted scopes, space-separated, as lexoffice returned them. */
  scope?: string
  /** lexoffice organisation (tenant) id, from `/v1/profile`. */
  organizationId?: string
  /** lexoffice connection id, from `/v1/profile`; the `resourceId` of `token.revoked`. */
  connectionId?: string
  /** When these tokens were obtained (login or last refresh), ms since the epoch. */
  obtainedAt: number
}

/**
 * Who connected what: the non-secret details kept beside the tokens, and in the tombstone once
 * the connection is lost, so that a list of connections can name them.
 *
 * @example
 * ```ts
 * const details: ConnectionDetails = { owner: 'app-user-7', companyName: 'Müller GmbH', userName: 'Anna Müller' }
 * ```
 */
export interface ConnectionDetails {
  /** Connect mode: your app's user who owns the connection. */
  owner?: string | undefined
  organizationId?: string | undefined
  connectionId?: string | undefined
  companyName?: string | undefined
  /** The lexoffice user who granted the connection. */
  userId?: string | undefined
  userName?: string | undefined
  userEmail?: string | undefined
}

/**
 * What the store keeps under one connection key: the token set while the connection is active,
 * or a tombstone after it was lost, plus bookkeeping for the refresh path. Written with
 * compare-and-set on `version` (see {@link TokenStore.set}).
 */
export interface TokenRecord {
  /** Incremented by one on every write; compare-and-set guards against lost updates. */
  version: number
  /** `active` with tokens, or `lost` with a tombstone. */
  state: 'active' | 'lost'
  /** Present when `state` is `active`. */
  tokens?: TokenSet
  /** Present when `state` is `lost`: why and when. */
  lost?: { reason: string; at: number }
  /** Number of successful refreshes of this connection. */
  refreshCount: number
  /** When the last successful refresh happened (ms since epoch). */
  lastRefreshAt?: number
  /** When the connection was established (login). */
  connectedAt: number
  /** Last refresh failure, for status output: code and time. No secrets. */
  lastError?: { code: string; at: number }
  /**
   * "Refresh in flight" marker (docs/security.md §6 rule 7b): written under the lock just before the
   * token endpoint is called, removed by the write of the rotated set. Still present later means
   * a refresh ended with an unknown outcome (crash, timeout), which explains a following
   * `invalid_grant`. `owner` is a random per-process id, not a secret.
   */
  refreshing?: { owner: string; startedAt: number }
  /** Who connected what (kept in the tombstone too). */
  details?: ConnectionDetails
}

/** The non-secret view of a token set, safe for logs, JSON answers and templates. */
export interface TokenInfo {
  expiresAt: number
  expiresInMs: number
  expiresAtEstimated: boolean
  scope: string | undefined
  organizationId: string | undefined
  connectionId: string | undefined
  obtainedAt: number
}

/**
 * The non-secret part of a token set.
 *
 * @example
 * ```ts
 * res.json(describeTokenSet(tokens, Date.now()))
 * ```
 */
export function describeTokenSet(tokens: TokenSet, now: number = Date.now()): TokenInfo {
  return {
    expiresAt: tokens.expiresAt,
    expiresInMs: tokens.expiresAt - now,
    expiresAtEstimated: tokens.expiresAtEstimated === true,
    scope: tokens.scope,
    organizationId: tokens.organizationId,
    connectionId: tokens.connectionId,
    obtainedAt: tokens.obtainedAt,
  }
}

/**
 * The option and result types of `TokenManager`'s methods (no secrets in any of them).
 *
 * @module
 */
import type { ConnectionDetails, TokenInfo } from './TokenSet'

/**
 * Options of `TokenManager.getAccessToken`.
 *
 * @example
 * ```ts
 * await manager.getAccessToken(key, { minValidityMs: 10 * 60_000 }) // valid for 10 more minutes, or refreshed
 * ```
 */
export interface GetAccessTokenOptions {
  /** Refresh now unless another caller refreshed since this call read the store. Default `false`. */
  forceRefresh?: boolean
  /**
   * The token must stay valid this much longer (ms), else it is refreshed even if not yet due
   * (the background refresher's window). With it, a failed refresh throws instead of serving
   * the old token. Default: the refresh-ahead rule only.
   */
  minValidityMs?: number
}

/**
 * Bookkeeping shown by `TokenManager.tokenInfo` for both states. No secrets.
 *
 * @example
 * ```ts
 * const { refreshCount, lastRefreshAt, lastError } = (await manager.tokenInfo(key))!
 * ```
 */
export interface ConnectionBookkeeping {
  key: string
  refreshCount: number
  lastRefreshAt: number | undefined
  connectedAt: number
  /** The last refresh failure (code and time), cleared by the next success. */
  lastError: { code: string; at: number } | undefined
  /** Who connected what, when the connection was stored with details (the ready-made routes do). */
  details: ConnectionDetails | undefined
}

/**
 * The non-secret status of one connection: expiry, scope and ids while `active`; reason and
 * time once `lost`. `persisted: false` means a rotated set is held in memory while its store
 * write is retried.
 *
 * @example
 * ```ts
 * const status = await manager.tokenInfo(key)
 * if (status?.state === 'lost') console.log('lost:', status.reason)
 * else if (status) console.log('expires at', new Date(status.expiresAt))
 * ```
 */
export type ConnectionStatus =
  | (TokenInfo & ConnectionBookkeeping & { state: 'active'; persisted: boolean })
  | (ConnectionBookkeeping & { state: 'lost'; reason: string; lostAt: number })

/**
 * Result of `TokenManager.disconnect`.
 *
 * @example
 * ```ts
 * const { revoked } = await manager.disconnect(key)
 * if (!revoked) console.warn('removed locally; lexoffice did not confirm the revocation')
 * ```
 */
export interface DisconnectResult {
  /** `false` when nothing was stored or the revocation at lexoffice failed (the record is removed anyway). */
  revoked: boolean
}

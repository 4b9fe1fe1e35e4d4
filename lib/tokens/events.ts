/**
 * The events a {@link TokenManager} emits. Every payload is secret-free by construction: it
 * carries the connection key, times, counters and error codes, never a token.
 *
 * @packageDocumentation
 */

/**
 * Payload of `connected`: a token set was stored by {@link TokenManager.connect}.
 *
 * @example
 * ```ts
 * manager.on('connected', ({ key, organizationId }) => console.log('lexoffice connected', key, organizationId))
 * ```
 */
export interface ConnectedEvent {
  key: string
  /** Expiry of the new access token (ms since epoch). */
  expiresAt: number
  organizationId: string | undefined
  connectionId: string | undefined
}

/**
 * Payload of `refreshed`: a refresh succeeded and the rotated set was written (or, when
 * `persisted` is `false`, is held in memory while the write is retried; see `persistRecovered`).
 *
 * @example
 * ```ts
 * manager.on('refreshed', ({ key, refreshCount }) => metrics.gauge('lexoffice.refresh_count', refreshCount, { key }))
 * ```
 */
export interface RefreshedEvent {
  key: string
  /** Expiry of the new access token (ms since epoch). */
  expiresAt: number
  /** Successful refreshes of this connection so far, including this one. */
  refreshCount: number
  /** `false` when the store write failed and is being retried from memory. */
  persisted: boolean
}

/**
 * Payload of `refreshFailed`: one refresh attempt failed. `code` is a {@link ErrorCodes} value
 * (`TOKEN_ENDPOINT_ERROR`, `TIMEOUT`, `NETWORK_ERROR`, `TOKEN_RATE_LIMITED`, `INVALID_GRANT`, ...).
 *
 * @example
 * ```ts
 * manager.on('refreshFailed', ({ key, code, attempt, willRetry }) => log.warn({ key, code, attempt, willRetry }, 'lexoffice refresh failed'))
 * ```
 */
export interface RefreshFailedEvent {
  key: string
  code: string
  /** 1 for the first attempt of a refresh, 2 for its first retry, ... */
  attempt: number
  /** `true` when this call retries after a backoff. */
  willRetry: boolean
}

/**
 * Payload of `authLost`: the connection is gone (`invalid_grant`, a `token.revoked` webhook via
 * {@link TokenManager.markLost}, ...). Fired once per loss.
 *
 * @example
 * ```ts
 * manager.on('authLost', ({ key, reason }) => mailer.send(key, `Please reconnect lexoffice (${reason})`))
 * ```
 */
export interface AuthLostEvent {
  key: string
  reason: string
}

/**
 * Payload of `disconnected`: {@link TokenManager.disconnect} removed the stored set.
 * `revoked` is `false` when the revocation at lexoffice failed (the set was removed anyway).
 *
 * @example
 * ```ts
 * manager.on('disconnected', ({ key, revoked }) => audit.log('lexoffice disconnected', { key, revoked }))
 * ```
 */
export interface DisconnectedEvent {
  key: string
  revoked: boolean
}

/**
 * Payload of `persistFailed`: writing a freshly rotated set to the store failed. The set is kept
 * in process memory, served, and its write retried (docs/security.md §6 rule 7c).
 *
 * @example
 * ```ts
 * manager.on('persistFailed', ({ key, attempt }) => log.error({ key, attempt }, 'token store write failed; retrying'))
 * ```
 */
export interface PersistFailedEvent {
  key: string
  code: string
  attempt: number
}

/**
 * Payload of `persistRecovered`: a rotated set that was held in memory is now stored.
 *
 * @example
 * ```ts
 * manager.on('persistRecovered', ({ key }) => log.info({ key }, 'token store write recovered'))
 * ```
 */
export interface PersistRecoveredEvent {
  key: string
  /** How many write attempts it took, the failed first one included. */
  attempts: number
}

/**
 * The typed event map of {@link TokenManager} (Node's generic `EventEmitter`).
 *
 * @example
 * ```ts
 * const onLost = (e: TokenManagerEvents['authLost'][0]) => console.log(e.reason)
 * manager.on('authLost', onLost)
 * ```
 */
export interface TokenManagerEvents {
  connected: [ConnectedEvent]
  refreshed: [RefreshedEvent]
  refreshFailed: [RefreshFailedEvent]
  authLost: [AuthLostEvent]
  disconnected: [DisconnectedEvent]
  persistFailed: [PersistFailedEvent]
  persistRecovered: [PersistRecoveredEvent]
}

/**
 * Tombstone reason after lexoffice answered `invalid_grant` to a refresh.
 *
 * @example
 * ```ts
 * manager.on('authLost', ({ reason }) => { if (reason === LOST_INVALID_GRANT) console.log('connection ended at lexoffice') })
 * ```
 */
export const LOST_INVALID_GRANT = 'invalid_grant'

/**
 * Tombstone reason after `invalid_grant` when the refresh before it ended with an unknown outcome
 * (a crash or timeout after the request was sent), which most likely rotated the token unseen.
 *
 * @example
 * ```ts
 * if (err.reason === LOST_AFTER_INTERRUPTED) log.warn('a refresh was interrupted; the user must reconnect')
 * ```
 */
export const LOST_AFTER_INTERRUPTED = 'invalid_grant_after_interrupted_refresh'

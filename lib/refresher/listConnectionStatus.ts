import type { TokenStore } from '../tokens/TokenStore'

/**
 * The secret-free status of one stored lexoffice connection, as `passport-lexoffice status` and
 * {@link lexofficeHealth} show it: key, state, expiry, refresh bookkeeping. Never a token.
 *
 * @example
 * ```ts
 * const lost = (await listConnectionStatus(store)).filter((c: StoredConnectionStatus) => c.state === 'lost')
 * ```
 */
export interface StoredConnectionStatus {
  key: string
  state: 'active' | 'lost'
  /** Why it was lost (`invalid_grant`, `token.revoked`, `disconnected`, ...). */
  lostReason?: string
  /** When it was lost (ms since epoch). */
  lostAt?: number
  /** Access-token expiry of an active connection (ms since epoch). */
  expiresAt?: number
  /** `expiresAt` minus the time of the listing; negative when already expired. */
  expiresInMs?: number
  lastRefreshAt?: number
  refreshCount: number
  connectedAt: number
  /** The last refresh failure: error code and time. */
  lastError?: { code: string; at: number }
  organizationId?: string
  connectionId?: string
}

/**
 * Reads every record of `store` (which needs `list()`) and returns each connection's
 * {@link StoredConnectionStatus}, sorted by key. Records that vanish meanwhile or cannot be read (e.g.
 * encrypted with a key this process lacks) are left out.
 *
 * @throws TypeError when the store has no `list()`; the store's error (e.g. `STORE_UNAVAILABLE`).
 * @example
 * ```ts
 * for (const c of await listConnectionStatus(store)) console.log(c.key, c.state, c.expiresInMs)
 * ```
 */
export async function listConnectionStatus(
  store: TokenStore,
  options: { now?: number; concurrency?: number } = {},
): Promise<StoredConnectionStatus[]> {
  if (typeof store.list !== 'function') throw new TypeError('the token store cannot list its connections (no list())')
  const now = options.now ?? Date.now()
  const keys = (await store.list()).sort()
  const rows = new Array<StoredConnectionStatus | undefined>(keys.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const i = next++
      const key = keys[i]
      const record = await store.get(key)
      if (record === undefined) continue
      const row: StoredConnectionStatus = { key, state: record.state, refreshCount: record.refreshCount, connectedAt: record.connectedAt }
      if (record.state === 'lost') {
        row.lostReason = record.lost?.reason ?? 'unknown'
        if (record.lost !== undefined) row.lostAt = record.lost.at
      } else if (record.tokens !== undefined) {
        row.expiresAt = record.tokens.expiresAt
        row.expiresInMs = record.tokens.expiresAt - now
        if (record.tokens.organizationId !== undefined) row.organizationId = record.tokens.organizationId
        if (record.tokens.connectionId !== undefined) row.connectionId = record.tokens.connectionId
      }
      if (record.lastRefreshAt !== undefined) row.lastRefreshAt = record.lastRefreshAt
      if (record.lastError !== undefined) row.lastError = { code: record.lastError.code, at: record.lastError.at }
      rows[i] = row
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, keys.length) }, worker))
  return rows.filter((r): r is StoredConnectionStatus => r !== undefined)
}

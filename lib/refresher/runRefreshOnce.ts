import { MemoryRateLimiter } from '../client/rateLimit/MemoryRateLimiter'
import type { RateLimiter } from '../client/rateLimit/RateLimiter'
import type { TokenStore } from '../tokens/TokenStore'
import type { TokenRecord } from '../tokens/TokenSet'

/**
 * What the refresher needs from a token manager: its one refresh path. `TokenManager` fits.
 *
 * `getAccessToken(key, { minValidityMs })` must resolve a token that stays valid at least
 * `minValidityMs` longer, refreshing first when the stored one does not (once, under the
 * manager's in-process single-flight and cross-process lock, after re-reading the store), and
 * must reject when that refresh fails. The refresher never talks to the token endpoint itself
 * and never looks at the token it resolves.
 *
 * @example
 * ```ts
 * const manager: RefresherManager = new TokenManager({ store, oauth })
 * ```
 */
export interface RefresherManager {
  /** A valid access token of `key`, refreshed when it expires within `minValidityMs`. */
  getAccessToken(key: string, options?: { minValidityMs?: number }): Promise<string>
}

/**
 * How one connection fared in a refresher run.
 *
 * - `refreshed`: the stored token set was replaced during the call (by this process, or by another
 *   one that held the lock: the connection was kept alive either way);
 * - `alreadyFresh`: it was valid for the whole window already: another instance refreshed it
 *   between the scan and the call;
 * - `lost`: the connection is gone (`invalid_grant`, revoked): the user must connect again;
 * - `failed`: a transient failure (network, token endpoint 5xx, lock timeout, store down); the
 *   stored tokens are untouched and the next run tries again;
 * - `skipped`: the record disappeared (disconnected) between the scan and the call.
 *
 * @example
 * ```ts
 * const outcome: RefreshOutcome = 'refreshed'
 * ```
 */
export type RefreshOutcome = 'refreshed' | 'alreadyFresh' | 'lost' | 'failed' | 'skipped'

/**
 * One connection's result in a {@link RefreshRunSummary}. Carries no secret: the key, the
 * outcome, an error `code` for `failed` and the loss `reason` for `lost`.
 *
 * @example
 * ```ts
 * const lostKeys = summary.connections.filter((c) => c.outcome === 'lost').map((c) => c.key)
 * ```
 */
export interface RefreshConnectionResult {
  key: string
  outcome: RefreshOutcome
  /** The error code of a `failed` refresh (e.g. `REFRESH_FAILED`, `LOCK_TIMEOUT`, `STORE_UNAVAILABLE`). */
  code?: string
  /** Why a `lost` connection was lost (e.g. `invalid_grant`, `token.revoked`). */
  reason?: string
}

/**
 * The figures of one refresher run.
 *
 * @example
 * ```ts
 * refresher.on('run', (s: RefreshRunSummary) => metrics.gauge('lexoffice.refresh.failed', s.failed))
 * ```
 */
export interface RefreshRunSummary {
  /** When the run started (ms since epoch, from the injected clock). */
  startedAt: number
  /** Connections the scan found due (expiring within the window). */
  scanned: number
  refreshed: number
  alreadyFresh: number
  failed: number
  lost: number
  skipped: number
  /** Due connections not handled because `stop()` was called during the run. */
  notStarted: number
  /** Wall time of the run in ms (injected clock). */
  durationMs: number
  /** Per-connection results, in the order they finished. */
  connections: RefreshConnectionResult[]
}

/**
 * Options of {@link runRefreshOnce}.
 *
 * @example
 * ```ts
 * const options: RunRefreshOnceOptions = { manager, store, windowMs: 15 * 60_000, concurrency: 4 }
 * ```
 */
export interface RunRefreshOnceOptions {
  manager: RefresherManager
  /** Must implement `listDue`. */
  store: TokenStore
  /** Refresh connections whose access token expires within this many ms. */
  windowMs: number
  /** How many connections to refresh at the same time. */
  concurrency: number
  /**
   * At most this many refreshes start per second in this process (default 5). lexoffice publishes no limit for its token endpoint and
   * answers excess with 429 and a block that can become permanent (docs/lexoffice.md §2b); with
   * several instances the limits add up. A connection another instance already refreshed takes
   * no slot.
   */
  tokenCallsPerSecond?: number
  /** The pacer of a refresher that runs many passes (one pace across them). @internal */
  pacer?: RateLimiter
  /** Clock (ms since epoch). Default `Date.now`. Test seam, not an option. @internal */
  now?: () => number
  /** Random number in [0, 1) for the order of the due list. Default `Math.random`. Test seam, not an option. @internal */
  random?: () => number
  /** Checked before each connection; when it returns `true`, no further connection is started. */
  shouldStop?: () => boolean
  /** Called after each connection (progress output). */
  onConnection?: (result: RefreshConnectionResult, done: number, total: number) => void
}

/**
 * One scan-and-refresh pass: lists the connections expiring within `windowMs` and keeps each one
 * alive through `manager.getAccessToken(key, { minValidityMs: windowMs })`, at most `concurrency`
 * at a time, so that afterwards every connection is valid for at least the window (or counted as
 * `failed` or `lost`). Never throws for a single connection's failure (it is counted); throws only when the scan
 * itself fails (store unreachable). {@link BackgroundRefresher} and the `passport-lexoffice refresh`
 * command are built on it.
 *
 * @throws the store's error when `listDue` fails (e.g. `STORE_UNAVAILABLE`).
 * @example
 * ```ts
 * const summary = await runRefreshOnce({ manager, store, windowMs: 15 * 60_000, concurrency: 4 })
 * console.log(`${summary.refreshed} refreshed, ${summary.lost} lost`)
 * ```
 */
export async function runRefreshOnce(options: RunRefreshOnceOptions): Promise<RefreshRunSummary> {
  const { manager, store, windowMs, concurrency } = options
  const now = options.now ?? Date.now
  const pacer = options.pacer ?? tokenCallPacer(options.tokenCallsPerSecond)
  if (typeof store.listDue !== 'function') throw new TypeError('the token store has no listDue(); it cannot be scanned')
  const startedAt = now()
  // In random order: instances that scan at the same time then share the work (a connection one
  // of them refreshed is fresh when the other gets to it, and takes no slot of its pace).
  const keys = shuffle(await store.listDue(startedAt + windowMs), options.random ?? Math.random)
  const summary: RefreshRunSummary = {
    startedAt,
    scanned: keys.length,
    refreshed: 0,
    alreadyFresh: 0,
    failed: 0,
    lost: 0,
    skipped: 0,
    notStarted: 0,
    durationMs: 0,
    connections: [],
  }
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      if (options.shouldStop?.() === true) return
      const key = keys[next++]
      const result = await refreshOne(manager, store, key, windowMs, pacer, now)
      summary[result.outcome]++
      summary.connections.push(result)
      options.onConnection?.(result, summary.connections.length, keys.length)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker))
  summary.notStarted = keys.length - next
  summary.durationMs = now() - startedAt
  return summary
}

/** Refreshes per second and process when nothing else is configured (`tokenCallsPerSecond`). @internal */
export const DEFAULT_TOKEN_CALLS_PER_SECOND = 5

/** The pace of token calls: one slot per refresh, no burst. @internal */
export function tokenCallPacer(
  tokenCallsPerSecond = DEFAULT_TOKEN_CALLS_PER_SECOND,
  seams?: ConstructorParameters<typeof MemoryRateLimiter>[1],
): RateLimiter {
  return seams === undefined
    ? new MemoryRateLimiter({ ratePerSecond: tokenCallsPerSecond })
    : new MemoryRateLimiter({ ratePerSecond: tokenCallsPerSecond }, seams)
}

/** Keeps one connection alive and classifies what happened. Never throws. */
async function refreshOne(
  manager: RefresherManager,
  store: TokenStore,
  key: string,
  windowMs: number,
  pacer: RateLimiter,
  now: () => number,
): Promise<RefreshConnectionResult> {
  let before: TokenRecord | undefined
  try {
    before = await store.get(key)
    if (before === undefined) return { key, outcome: 'skipped' }
    if (before.state === 'lost') return lostResult(key, before)
    // Only a call that will reach the token endpoint waits for a slot (not one another instance refreshed).
    const expiresAt = before.tokens?.expiresAt
    if (expiresAt === undefined || expiresAt - now() <= windowMs) await pacer.acquire('token-endpoint')
    await manager.getAccessToken(key, { minValidityMs: windowMs })
  } catch (err) {
    const code = errorCode(err)
    if (code === 'AUTH_LOST') {
      const reason = (err as { reason?: unknown }).reason
      return { key, outcome: 'lost', reason: typeof reason === 'string' ? reason : 'unknown' }
    }
    if (code === 'NOT_CONNECTED') return { key, outcome: 'skipped' }
    return { key, outcome: 'failed', code }
  }
  let after: TokenRecord | undefined
  try {
    after = await store.get(key)
  } catch {
    // The manager vouched for the window; only the bookkeeping read failed, so whether this call
    // refreshed is unknown. Counted as refreshed: the connection is kept alive either way.
    return { key, outcome: 'refreshed' }
  }
  if (after === undefined) return { key, outcome: 'skipped' }
  if (after.state === 'lost') return lostResult(key, after)
  const changed = after.refreshCount !== before.refreshCount || after.tokens?.expiresAt !== before.tokens?.expiresAt
  return { key, outcome: changed ? 'refreshed' : 'alreadyFresh' }
}

function lostResult(key: string, record: TokenRecord): RefreshConnectionResult {
  return { key, outcome: 'lost', reason: record.lost?.reason ?? 'unknown' }
}

/** The `code` of a package error (or a Node system error); `UNKNOWN` otherwise. Never the message. */
function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : 'UNKNOWN'
}

/** Fisher-Yates, in place. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const swap = items[i]
    items[i] = items[j]
    items[j] = swap
  }
  return items
}

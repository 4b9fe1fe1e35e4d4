import type { TokenStore } from '../tokens/TokenStore'
import { assertFunction, assertInteger, assertKnownKeys, assertObject, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { listConnectionStatus } from './listConnectionStatus'

/**
 * Options of {@link lexofficeHealth} and {@link lexofficeHealthRoute}.
 *
 * @example
 * ```ts
 * const options: LexofficeHealthOptions = { store, warnWithinMs: 5 * 60_000 }
 * ```
 */
export interface LexofficeHealthOptions {
  /** The token store to inspect; needs `list()`. Default: `manager.store`. */
  store?: TokenStore
  /** A TokenManager; only its `store` is used when `store` is not given. */
  manager?: { readonly store?: TokenStore }
  /**
   * An active connection whose access token expires within this many ms (or has expired) counts as
   * "expiring soon": with a refresher keeping connections alive 15 minutes ahead, it means the
   * refresher is not running or not keeping up. Default 5 minutes.
   */
  warnWithinMs?: number
  /** When `true`, lost connections do not make `ok` false (they are still listed). Default `false`. */
  tolerateLost?: boolean
  /** Records read at the same time. Default 16. */
  concurrency?: number
}

/** Test seam of {@link lexofficeHealth} and {@link lexofficeHealthRoute}, their second argument (not an option). @internal */
export interface LexofficeHealthSeams {
  /** Clock (ms since epoch). Default `Date.now`. */
  now?: () => number
}

/**
 * The token keep-alive's health: counts, and the connections that need attention. No token, no
 * secret: only keys, states, reasons and times.
 *
 * @example
 * ```ts
 * const report: LexofficeHealthReport = await lexofficeHealth({ store })
 * ```
 */
export interface LexofficeHealthReport {
  /** `false` when a connection is expiring soon, or (unless `tolerateLost`) lost. */
  ok: boolean
  /** When the report was made (ms since epoch). */
  checkedAt: number
  connections: { total: number; active: number; lost: number; expiringSoon: number }
  /** Lost connections: key, reason (`invalid_grant`, `token.revoked`, ...) and when (ms since epoch). */
  lost: { key: string; reason: string; at: number }[]
  /** Active connections expiring within `warnWithinMs` (negative `expiresInMs`: already expired). */
  expiringSoon: { key: string; expiresAt: number; expiresInMs: number }[]
}

/**
 * Reads every connection from the store and reports lost ones and ones about to expire. Use it
 * for monitoring that the background refresher keeps connections alive, not as a liveness probe
 * for a load balancer (a lost connection is the user's to repair, not a reason to restart).
 *
 * @throws TypeError when the store has no `list()`; the store's error (e.g. `STORE_UNAVAILABLE`) when it cannot be read.
 * @example
 * ```ts
 * import { lexofficeHealth } from 'passport-lexoffice'
 * const { ok, connections } = await lexofficeHealth({ store })
 * if (!ok) alert(`lexoffice: ${connections.lost} lost, ${connections.expiringSoon} expiring`)
 * ```
 */
export async function lexofficeHealth(options: LexofficeHealthOptions): Promise<LexofficeHealthReport>
/** @internal */
// eslint-disable-next-line @typescript-eslint/unified-signatures -- this overload is @internal: stripped from the published declarations
export async function lexofficeHealth(options: LexofficeHealthOptions, seams: LexofficeHealthSeams): Promise<LexofficeHealthReport>
export async function lexofficeHealth(options: LexofficeHealthOptions, seams: LexofficeHealthSeams = {}): Promise<LexofficeHealthReport> {
  const { store, warnWithinMs, concurrency, now, tolerateLost } = resolveHealthOptions(options, seams)
  const checkedAt = now()
  const rows = await listConnectionStatus(store, { now: checkedAt, concurrency })
  const lost = rows
    .filter((r) => r.state === 'lost')
    .map((r) => ({ key: r.key, reason: r.lostReason ?? 'unknown', at: r.lostAt ?? 0 }))
    .sort((a, b) => b.at - a.at || (a.key < b.key ? -1 : 1))
  const expiringSoon = rows
    .flatMap((r) =>
      r.state === 'active' && r.expiresAt !== undefined && r.expiresAt - checkedAt < warnWithinMs
        ? [{ key: r.key, expiresAt: r.expiresAt, expiresInMs: r.expiresAt - checkedAt }]
        : [],
    )
    .sort((a, b) => a.expiresAt - b.expiresAt || (a.key < b.key ? -1 : 1))
  return {
    ok: expiringSoon.length === 0 && (tolerateLost || lost.length === 0),
    checkedAt,
    connections: { total: rows.length, active: rows.length - lost.length, lost: lost.length, expiringSoon: expiringSoon.length },
    lost,
    expiringSoon,
  }
}

/** The minimal request/response shapes the route uses (Express 4 and 5 fit). */
/**
 * The part of an Express response that {@link lexofficeHealthRoute} uses (Express 4 and 5).
 *
 * @example
 * ```ts
 * import type { LexofficeHealthResponse } from 'passport-lexoffice'
 * const answer = (res: LexofficeHealthResponse) => res.status(503).json({ ok: false })
 * ```
 */
export interface LexofficeHealthResponse {
  /** Sets the HTTP status; returns the response. */
  status(code: number): LexofficeHealthResponse
  /** Sets a response header. */
  setHeader(name: string, value: string): unknown
  /** Sends `body` as JSON. */
  json(body: unknown): unknown
}

/**
 * An Express handler answering the {@link lexofficeHealth} report as JSON: 200 when `ok`, 503
 * otherwise, and 503 `{ ok: false, error: code }` when the store cannot be read. `Cache-Control:
 * no-store`. The report holds connection keys (your user or connection ids): mount it where only
 * your monitoring can reach it.
 *
 * @example
 * ```ts
 * import { lexofficeHealthRoute } from 'passport-lexoffice'
 * app.get('/internal/health/lexoffice', requireInternal, lexofficeHealthRoute({ store }))
 * ```
 */
export function lexofficeHealthRoute(options: LexofficeHealthOptions): (req: unknown, res: LexofficeHealthResponse) => Promise<void>
/** @internal */
export function lexofficeHealthRoute(
  options: LexofficeHealthOptions,
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- this overload is @internal: stripped from the published declarations
  seams: LexofficeHealthSeams,
): (req: unknown, res: LexofficeHealthResponse) => Promise<void>
export function lexofficeHealthRoute(
  options: LexofficeHealthOptions,
  seams: LexofficeHealthSeams = {},
): (req: unknown, res: LexofficeHealthResponse) => Promise<void> {
  resolveHealthOptions(options, seams) // fail at startup, not on the first request
  return async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store')
    let report: LexofficeHealthReport
    try {
      report = await lexofficeHealth(options, seams)
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code
      res.status(503).json({ ok: false, error: typeof code === 'string' ? code : 'HEALTH_CHECK_FAILED' })
      return
    }
    res.status(report.ok ? 200 : 503).json(report)
  }
}

const OPTION_KEYS = optionKeys<LexofficeHealthOptions>()(['store', 'manager', 'warnWithinMs', 'tolerateLost', 'concurrency'])

function resolveHealthOptions(
  options: LexofficeHealthOptions,
  seams: LexofficeHealthSeams,
): {
  store: TokenStore
  warnWithinMs: number
  concurrency: number
  now: () => number
  tolerateLost: boolean
} {
  assertObject(options, 'options')
  assertKnownKeys(options, OPTION_KEYS, 'lexofficeHealth')
  const store = options.store ?? options.manager?.store
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  if (store === undefined || store === null || typeof store !== 'object')
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"store" (or a "manager" with a store) is required')
  if (typeof store.list !== 'function') throw invalidArg('ERR_INVALID_ARG_VALUE', '"store" must implement list()')
  const warnWithinMs = options.warnWithinMs ?? 5 * 60_000
  assertInteger(warnWithinMs, 'warnWithinMs', 0)
  const concurrency = options.concurrency ?? 16
  assertInteger(concurrency, 'concurrency', 1, 1000)
  if (seams.now !== undefined) assertFunction(seams.now, 'now')
  return { store, warnWithinMs, concurrency, now: seams.now ?? Date.now, tolerateLost: options.tolerateLost === true }
}

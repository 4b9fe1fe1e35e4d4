/**
 * A request pacer: before each request to lexoffice the client calls `acquire(key)` and
 * waits for the returned promise. Implementations reserve the next free send slot for the
 * connection `key` and resolve when that slot has come, so requests of one connection leave
 * no faster than the configured rate (lexoffice: 2 requests per second per connection, token
 * bucket, 429 beyond).
 *
 * Two implementations ship: {@link MemoryRateLimiter} (one process) and
 * `RedisRateLimiter` from `passport-lexoffice/redis` (a budget shared by every process using the same Redis and key).
 * Both use the same GCRA schedule, so they are interchangeable.
 *
 * @example
 * ```ts
 * import type { RateLimiter } from 'passport-lexoffice'
 * const noLimit: RateLimiter = { acquire: async () => 0 }
 * ```
 */
export interface RateLimiter {
  /**
   * Reserves the next send slot of `key` and resolves when it has come.
   * @returns the milliseconds waited.
   */
  acquire(key: string, signal?: AbortSignal): Promise<number>
  /**
   * lexoffice answered 429 for `key`: pushes every later slot of that key back by `delayMs`,
   * so all callers sharing the budget back off together.
   */
  penalize?(key: string, delayMs: number): Promise<void>
}

/**
 * Rate settings shared by both limiter implementations.
 *
 * @example
 * ```ts
 * const settings: RateLimitSettings = { ratePerSecond: 1.8, burst: 1 }
 * ```
 */
export interface RateLimitSettings {
  /** Requests per second. Default 1.9 (lexoffice allows 2; the margin absorbs network jitter). */
  ratePerSecond?: number
  /** Requests that may leave back to back before pacing starts. Default 1 (strict spacing). */
  burst?: number
}

/**
 * Default pace: a little below lexoffice's 2 requests per second.
 *
 * @example
 * ```ts
 * new MemoryRateLimiter({ ratePerSecond: DEFAULT_RATE_PER_SECOND })
 * ```
 */
export const DEFAULT_RATE_PER_SECOND = 1.9

/** @internal Resolves and checks rate settings into an emission interval and tolerance (ms). */
export function gcraParameters(settings: RateLimitSettings): { intervalMs: number; toleranceMs: number } {
  const rate = settings.ratePerSecond ?? DEFAULT_RATE_PER_SECOND
  const burst = settings.burst ?? 1
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > 1000) {
    throw rangeError('"ratePerSecond" must be a number above 0 and at most 1000')
  }
  if (!Number.isInteger(burst) || burst < 1 || burst > 100) {
    throw rangeError('"burst" must be an integer between 1 and 100')
  }
  const intervalMs = 1000 / rate
  return { intervalMs, toleranceMs: (burst - 1) * intervalMs }
}

function rangeError(message: string): TypeError {
  const err = new TypeError(message) as TypeError & { code: string }
  err.code = 'ERR_INVALID_ARG_VALUE'
  return err
}

/**
 * The sandbox API's rate limit: a token bucket per connection, as lexoffice enforces "up to 2
 * requests per second" (docs/lexoffice.md §4). A request that finds the bucket empty is answered
 * `429 {"message":"Rate limit exceeded"}` and not performed.
 *
 * lexoffice documents the algorithm (token bucket) but not the bucket size; the default burst 2
 * (one second's worth) is an assumption. What it implies for a client pacing at 0.95 x 2 per
 * second (526 ms apart): a refusal needs three requests within 500 ms, i.e. requests that left
 * ~550 ms later than their slots (the soak found such clumps: calls that waited for the same
 * token refresh after their slots). Time is taken when the request is handled, so the
 * sandbox's own event-loop lag counts as arrival jitter, as network jitter would at lexoffice.
 * With `burst: 1` every gap under 500 ms is refused, which no client can guarantee across a
 * network at 0.95 x the limit.
 *
 * @packageDocumentation
 */

/**
 * Who shares one bucket. lexoffice says "a client can make up to 2 requests per second" without
 * defining the client: per connection (access token or API key), per OAuth client id (the partner
 * app), or per organisation (every app and the web UI of one company).
 */
export type RateLimitScope = 'connection' | 'client' | 'organization'

/** Rate-limit settings of the sandbox API. */
export interface RateLimitOptions {
  /** Tokens added per second (lexoffice: 2). */
  perSecond: number
  /** Bucket size: how many requests may come at once after a quiet period (default: `perSecond`). */
  burst?: number
  /** Who shares a bucket (undocumented at lexoffice). Default `'connection'`. */
  scope?: RateLimitScope
}

/** What the limiter has counted so far (for tests). */
export interface RateLimitCounters {
  /** Requests let through. */
  allowed: number
  /** Requests answered 429. */
  limited: number
}

/**
 * A token bucket per key (the sandbox uses the connection id). Time comes from an injectable
 * clock in milliseconds, so tests can drive refills without sleeping.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private readonly perMs: number
  private readonly burst: number
  private readonly counters: RateLimitCounters = { allowed: 0, limited: 0 }
  private readonly byKey = new Map<string, RateLimitCounters>()

  /**
   * @param options - `false` disables limiting (every request passes and is counted as allowed).
   * @param now - clock in milliseconds (default `Date.now`).
   */
  constructor(
    private readonly options: RateLimitOptions | false,
    private readonly now: () => number = Date.now,
  ) {
    if (options === false) {
      this.perMs = Infinity
      this.burst = Infinity
      return
    }
    const burst = options.burst ?? options.perSecond
    if (!(options.perSecond > 0) || !Number.isFinite(options.perSecond))
      throw new TypeError('rateLimit.perSecond must be a positive number')
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new TypeError('rateLimit.burst must be a number >= 1')
    this.perMs = options.perSecond / 1000
    this.burst = burst
  }

  /** Whether limiting is on. */
  get enabled(): boolean {
    return this.options !== false
  }

  /** Who shares a bucket. */
  get scope(): RateLimitScope {
    return this.options === false ? 'connection' : (this.options.scope ?? 'connection')
  }

  /**
   * Takes one token from the bucket `key`; `false` means "answer 429". The outcome is counted
   * under `statsKey` (the connection, whatever the bucket is keyed by).
   */
  take(key: string, statsKey: string = key): boolean {
    const mine = this.byKey.get(statsKey) ?? { allowed: 0, limited: 0 }
    this.byKey.set(statsKey, mine)
    if (this.options === false) {
      this.counters.allowed++
      mine.allowed++
      return true
    }
    const now = this.now()
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now }
    bucket.tokens = Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs)
    bucket.at = now
    this.buckets.set(key, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      this.counters.allowed++
      mine.allowed++
      return true
    }
    this.counters.limited++
    mine.limited++
    return false
  }

  /** A snapshot of the counters: of all requests, or of the requests counted under `key`. */
  stats(key?: string): RateLimitCounters {
    const counters = key === undefined ? this.counters : (this.byKey.get(key) ?? { allowed: 0, limited: 0 })
    return { ...counters }
  }

  /** Forgets all buckets and counters. */
  reset(): void {
    this.buckets.clear()
    this.byKey.clear()
    this.counters.allowed = 0
    this.counters.limited = 0
  }
}

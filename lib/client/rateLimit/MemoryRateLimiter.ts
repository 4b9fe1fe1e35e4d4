import { assertKnownKeys, assertObject } from '../../options/assert'
import { optionKeys } from '../../options/optionKeys'
import { delay } from '../../timing/delay'
import { gcraParameters, type RateLimiter, type RateLimitSettings } from './RateLimiter'

/**
 * Settings of {@link MemoryRateLimiter}: the rate, and for tests a clock and a sleep (a test proves
 * the schedule on them without waiting it out in real time).
 */
type MemoryRateLimiterSettings = RateLimitSettings & { now?: () => number; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> }

const SETTING_KEYS = optionKeys<MemoryRateLimiterSettings>()(['ratePerSecond', 'burst', 'now', 'sleep'])

/**
 * In-process {@link RateLimiter}: a GCRA (generic cell rate algorithm) schedule per key.
 * Each `acquire` reserves the next slot at once (no polling), so concurrent callers are
 * served in call order, spaced by `1000 / ratePerSecond` ms after an initial `burst`.
 *
 * Use it for a single process; for several processes sharing a connection use
 * {@link RedisRateLimiter}.
 *
 * @example
 * ```ts
 * import { MemoryRateLimiter, LexofficeClient } from 'passport-lexoffice'
 * const limiter = new MemoryRateLimiter({ ratePerSecond: 1.8 })
 * const client = new LexofficeClient({ apiKey: process.env.LEXOFFICE_API_KEY!, rateLimit: { limiter } })
 * ```
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly #intervalMs: number
  readonly #toleranceMs: number
  /** key -> theoretical arrival time (ms since epoch) of the next request. */
  readonly #tat = new Map<string, number>()
  readonly #now: () => number
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>

  constructor(settings: MemoryRateLimiterSettings = {}) {
    assertObject(settings, 'settings')
    assertKnownKeys(settings, SETTING_KEYS, 'MemoryRateLimiter')
    const { intervalMs, toleranceMs } = gcraParameters(settings)
    this.#intervalMs = intervalMs
    this.#toleranceMs = toleranceMs
    this.#now = settings.now ?? Date.now
    this.#sleep = settings.sleep ?? delay
  }

  /** {@inheritDoc RateLimiter.acquire} */
  async acquire(key: string, signal?: AbortSignal): Promise<number> {
    const wait = this.reserve(key)
    await this.#sleep(wait, signal)
    return wait
  }

  /** {@inheritDoc RateLimiter.penalize} */
  async penalize(key: string, delayMs: number): Promise<void> {
    const now = this.#now()
    this.#tat.set(key, Math.max(this.#tat.get(key) ?? now, now) + Math.max(0, delayMs))
  }

  /**
   * Reserves a slot synchronously and returns how many ms the caller must wait for it.
   * @internal
   */
  reserve(key: string): number {
    const now = this.#now()
    if (this.#tat.size > 10_000) this.#sweep(now)
    const tat = this.#tat.get(key) ?? now
    const sendAt = Math.max(now, tat - this.#toleranceMs)
    this.#tat.set(key, Math.max(tat, now) + this.#intervalMs)
    return sendAt - now
  }

  #sweep(now: number): void {
    for (const [key, tat] of this.#tat) if (tat < now) this.#tat.delete(key)
  }
}

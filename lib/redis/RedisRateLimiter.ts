import { assertKnownKeys, assertObject, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { RedisExecutor, RedisScript, toCommandFn, type RedisClientLike } from './redisAdapter'
import { MemoryRateLimiter } from '../client/rateLimit/MemoryRateLimiter'
import { gcraParameters, type RateLimiter, type RateLimitSettings } from '../client/rateLimit/RateLimiter'
import { delay } from '../timing/delay'

/**
 * Options of {@link RedisRateLimiter}.
 *
 * @example
 * ```ts
 * const options: RedisRateLimiterOptions = { client: redis, keyPrefix: 'myapp:lexoffice:rl:', onError: (e) => log.warn(e.message) }
 * ```
 */
export interface RedisRateLimiterOptions extends RateLimitSettings {
  /**
   * A connected node-redis (v4+) or ioredis client, the same kind `RedisTokenStore` takes
   * (without the client's own `keyPrefix` option).
   */
  client: RedisClientLike
  /** Prefix of the Redis keys. Default `lexoffice:ratelimit:`. */
  keyPrefix?: string
  /** Deadline of one Redis round trip in ms. Default 1000. */
  commandTimeoutMs?: number
  /**
   * Called when Redis fails or is too slow. The limiter then paces that request in this
   * process only (fail-open: a lexoffice 429 is handled by the client's backoff, an outage of
   * Redis should not stop all API calls). The error carries no secret.
   */
  onError?: (err: Error) => void
}

/**
 * One atomic GCRA step. The clock is Redis's own (`TIME`), so processes on hosts with skewed
 * clocks still share one schedule. Mode `reserve` books the next slot and returns how long the
 * caller must wait for it; mode `penalize` pushes the schedule back by ARGV[3] ms.
 * Numbers travel as strings: Redis truncates Lua numbers to integers.
 */
const OPTION_KEYS = optionKeys<RedisRateLimiterOptions>()(['client', 'keyPrefix', 'commandTimeoutMs', 'onError', 'ratePerSecond', 'burst'])

const GCRA_SCRIPT = new RedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local penalty = tonumber(ARGV[3])
local stored = redis.call('GET', KEYS[1])
local tat = now
if stored then tat = math.max(tonumber(stored), now) end
local wait = 0
if penalty > 0 then
  tat = tat + penalty
else
  wait = math.max(0, tat - tolerance - now)
  tat = tat + interval
end
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 1000)
return string.format('%.3f', wait)
`)

/**
 * A {@link RateLimiter} whose schedule lives in Redis, so every process using the same Redis,
 * key prefix and connection key shares one budget (lexoffice counts requests per connection,
 * not per process).
 *
 * Why not a library: rate-limiter-flexible's Redis limiters count fixed windows with
 * whole-second expiry (they cannot space requests ~526 ms apart across processes, and a window
 * boundary lets two requests through back to back), its waiting queue is per process, and
 * redis-gcra (unmaintained since 2020) pins ioredis < 5 and reads the callers' clocks. This
 * is a ~20-line GCRA Lua script, like lxw-cli's limiter: each call atomically books the next
 * slot (no polling, no lost wake-ups) using Redis's clock. If Redis fails, requests are paced
 * per process until it is back (see `onError`).
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { RedisRateLimiter, LexofficeClient } from 'passport-lexoffice'
 * const limiter = new RedisRateLimiter({ client: new Redis(process.env.REDIS_URL!) })
 * const client = new LexofficeClient({ tokenProvider, connectionKey: userId, rateLimit: { limiter } })
 * ```
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: RedisExecutor
  readonly #prefix: string
  readonly #intervalMs: number
  readonly #toleranceMs: number
  readonly #fallback: MemoryRateLimiter
  readonly #onError: ((err: Error) => void) | undefined

  constructor(options: RedisRateLimiterOptions) {
    assertObject(options, 'options')
    assertKnownKeys(options, OPTION_KEYS, 'RedisRateLimiter')
    const { intervalMs, toleranceMs } = gcraParameters(options)
    const timeout = options.commandTimeoutMs ?? 1000
    if (!Number.isInteger(timeout) || timeout < 1)
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"commandTimeoutMs" must be a positive integer')
    if (options.onError !== undefined && typeof options.onError !== 'function')
      throw invalidArg('ERR_INVALID_ARG_TYPE', '"onError" must be a function')
    this.#redis = new RedisExecutor(toCommandFn(options.client, 'client'), timeout)
    this.#prefix = options.keyPrefix ?? 'lexoffice:ratelimit:'
    this.#intervalMs = intervalMs
    this.#toleranceMs = toleranceMs
    this.#fallback = new MemoryRateLimiter({
      ...(options.ratePerSecond !== undefined && { ratePerSecond: options.ratePerSecond }),
      ...(options.burst !== undefined && { burst: options.burst }),
    })
    this.#onError = options.onError
  }

  /** {@inheritDoc RateLimiter.acquire} */
  async acquire(key: string, signal?: AbortSignal): Promise<number> {
    const wait = await this.reserve(key)
    await delay(wait, signal)
    return wait
  }

  /**
   * Books the next slot of `key` without waiting for it; resolves with the ms until that slot.
   * The caller must not send before then (`acquire` does the waiting for you).
   */
  async reserve(key: string): Promise<number> {
    try {
      return await this.#run(key, 0)
    } catch (err) {
      this.#report(err)
      return this.#fallback.reserve(key)
    }
  }

  /** {@inheritDoc RateLimiter.penalize} */
  async penalize(key: string, delayMs: number): Promise<void> {
    if (!(delayMs > 0)) return
    await this.#fallback.penalize(key, delayMs)
    try {
      await this.#run(key, delayMs)
    } catch (err) {
      this.#report(err)
    }
  }

  async #run(key: string, penaltyMs: number): Promise<number> {
    const reply = await this.#redis.script(
      GCRA_SCRIPT,
      [this.#prefix + key],
      [String(this.#intervalMs), String(this.#toleranceMs), String(penaltyMs)],
    )
    const wait = Number(reply)
    return Number.isFinite(wait) && wait > 0 ? wait : 0
  }

  #report(err: unknown): void {
    try {
      this.#onError?.(err instanceof Error ? err : new Error(String(err)))
    } catch {
      // A reporting callback must not break pacing.
    }
  }
}

import { delay, gcraParameters, type RateLimiter, type RateLimitSettings } from './RateLimiter'

/** The part of an ioredis client this package uses (`eval(script, numKeys, ...args)`). */
export interface IORedisEvalClient {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>
}

/** The part of a node-redis (`redis` v4+) client this package uses (`eval(script, { keys, arguments })`). */
export interface NodeRedisEvalClient {
  isOpen: boolean
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

/** An ioredis or node-redis client; both are detected at run time. */
export type RedisEvalClient = IORedisEvalClient | NodeRedisEvalClient

/** Options of {@link RedisRateLimiter}. */
export interface RedisRateLimiterOptions extends RateLimitSettings {
  /** A connected ioredis or node-redis client. */
  client: RedisEvalClient
  /** Prefix of the Redis keys. Default `lexoffice:ratelimit:`. */
  keyPrefix?: string
}

/**
 * One atomic GCRA step. The clock is Redis's own (`TIME`), so processes on hosts with skewed
 * clocks still share one schedule. Mode `reserve` books the next slot and returns how long the
 * caller must wait for it; mode `penalize` pushes the schedule back by ARGV[3] ms.
 * Numbers travel as strings: Redis truncates Lua numbers to integers.
 */
const GCRA_SCRIPT = `
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
`

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
 * slot (no polling, no lost wake-ups) using Redis's clock.
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
  readonly #client: RedisEvalClient
  readonly #prefix: string
  readonly #intervalMs: number
  readonly #toleranceMs: number

  constructor(options: RedisRateLimiterOptions) {
    if (!options || typeof options.client !== 'object' || options.client === null || typeof options.client.eval !== 'function') {
      const err = new TypeError('"client" must be an ioredis or node-redis client') as TypeError & { code: string }
      err.code = 'ERR_INVALID_ARG_TYPE'
      throw err
    }
    const { intervalMs, toleranceMs } = gcraParameters(options)
    this.#client = options.client
    this.#prefix = options.keyPrefix ?? 'lexoffice:ratelimit:'
    this.#intervalMs = intervalMs
    this.#toleranceMs = toleranceMs
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
  reserve(key: string): Promise<number> {
    return this.#run(key, 0)
  }

  /** {@inheritDoc RateLimiter.penalize} */
  async penalize(key: string, delayMs: number): Promise<void> {
    if (delayMs > 0) await this.#run(key, delayMs)
  }

  async #run(key: string, penaltyMs: number): Promise<number> {
    const redisKey = this.#prefix + key
    const args = [String(this.#intervalMs), String(this.#toleranceMs), String(penaltyMs)]
    const client = this.#client
    const reply =
      'isOpen' in client
        ? await client.eval(GCRA_SCRIPT, { keys: [redisKey], arguments: args })
        : await client.eval(GCRA_SCRIPT, 1, redisKey, ...args)
    const wait = Number(reply)
    return Number.isFinite(wait) && wait > 0 ? wait : 0
  }
}

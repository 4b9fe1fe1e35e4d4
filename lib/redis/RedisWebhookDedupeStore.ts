import { randomBytes } from 'node:crypto'
import type { LexofficeError } from '../errors'
import { storeUnavailable } from '../failures/storeUnavailable'
import { assertInteger, assertKnownKeys, assertObject, assertString } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { RedisExecutor, RedisScript, toCommandFn, type RedisClientLike } from './redisAdapter'
import { assertClaimArguments, type WebhookDedupeClaim, type WebhookDedupeStore } from '../webhooks/dedupe/WebhookDedupeStore'

/**
 * Options of {@link RedisWebhookDedupeStore}.
 *
 * @example
 * ```ts
 * const options: RedisWebhookDedupeStoreOptions = { client, prefix: 'myapp:lexoffice:webhook:' }
 * ```
 */
export interface RedisWebhookDedupeStoreOptions {
  /**
   * Your node-redis (v4+) or ioredis client (single node, Sentinel or Cluster), without `keyPrefix`.
   * Configure it to fail fast while Redis is away (node-redis `disableOfflineQueue: true`,
   * ioredis `enableOfflineQueue: false`), or each event waits `commandTimeoutMs` before it is
   * handled without the duplicate check.
   */
  client: RedisClientLike
  /**
   * Prefix of the keys (default `'lexoffice:webhook:'`). Give each app its own when several apps
   * (different lexoffice clients) share one Redis, or each would drop the others' events.
   */
  prefix?: string
  /** Deadline of each Redis command, ms (default 5000). */
  commandTimeoutMs?: number
}

const OPTION_KEYS = optionKeys<RedisWebhookDedupeStoreOptions>()(['client', 'prefix', 'commandTimeoutMs'])

/** Default of {@link RedisWebhookDedupeStoreOptions.prefix}. @internal */
export const DEFAULT_WEBHOOK_DEDUPE_PREFIX = 'lexoffice:webhook:'

const RELEASE_SCRIPT = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end
`)

/**
 * A {@link WebhookDedupeStore} in Redis, shared by every process of your app, so a delivery that
 * lexoffice repeats to another process behind the load balancer runs your handlers only once.
 *
 * A claim is `SET <prefix><eventId> <random token> NX PX <ttlMs>`: atomic, and it expires by
 * itself. `release()` deletes the key only while it still holds this claim's token
 * (compare-and-delete script), so a late release never removes a newer claim. The key holds
 * only ids and the event date, never a token or secret.
 *
 * When Redis cannot be reached, `claim` and `release` reject with `LexofficeError`
 * (`STORE_UNAVAILABLE`, 503) without secrets (no URL, no password); `lexofficeWebhooks` then
 * runs your handlers anyway and reports the error to `onError` (stage `dedupe`).
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { lexofficeWebhooks } from 'passport-lexoffice'
 * import { RedisWebhookDedupeStore } from 'passport-lexoffice/redis'
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 * await client.connect()
 * app.post('/webhooks/lexoffice', lexofficeWebhooks({ onEvent, dedupe: new RedisWebhookDedupeStore({ client }) }))
 * ```
 */
export class RedisWebhookDedupeStore implements WebhookDedupeStore {
  readonly #redis: RedisExecutor
  readonly #prefix: string

  /** @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for a missing or unsupported client or a bad option. */
  constructor(options: RedisWebhookDedupeStoreOptions) {
    assertObject(options, 'options')
    assertKnownKeys(options, OPTION_KEYS, 'RedisWebhookDedupeStore')
    const prefix = options.prefix ?? DEFAULT_WEBHOOK_DEDUPE_PREFIX
    assertString(prefix, 'prefix', { max: 256 })
    const timeoutMs = options.commandTimeoutMs ?? 5000
    assertInteger(timeoutMs, 'commandTimeoutMs', 1, 600_000)
    this.#redis = new RedisExecutor(toCommandFn(options.client, 'client'), timeoutMs)
    this.#prefix = prefix
  }

  /**
   * Claims `eventId` for `ttlMs`; see {@link WebhookDedupeStore.claim}.
   * @throws LexofficeError `STORE_UNAVAILABLE` when Redis cannot be reached; TypeError for bad arguments.
   * @example
   * ```ts
   * const claim = await store.claim(eventId, 48 * 3600_000)
   * if (!claim) return // handled already, by this or another process
   * ```
   */
  async claim(eventId: string, ttlMs: number): Promise<WebhookDedupeClaim | undefined> {
    assertClaimArguments(eventId, ttlMs)
    const key = this.#prefix + eventId
    const token = randomBytes(16).toString('hex')
    let reply: unknown
    try {
      reply = await this.#redis.command(['SET', key, token, 'NX', 'PX', String(ttlMs)])
    } catch (err) {
      throw unavailable(err)
    }
    if (reply !== 'OK') return undefined
    return {
      release: async () => {
        try {
          await this.#redis.script(RELEASE_SCRIPT, [key], [token])
        } catch (err) {
          throw unavailable(err)
        }
      },
    }
  }
}

/** The executor's error names the token store; this one names what failed here. Keeps the sanitised cause. */
function unavailable(err: unknown): LexofficeError {
  return storeUnavailable('The webhook dedupe store (Redis)', err)
}

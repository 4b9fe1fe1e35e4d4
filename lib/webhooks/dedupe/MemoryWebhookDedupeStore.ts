import { assertInteger, assertKnownKeys, invalidArg } from '../../options/assert'
import { optionKeys } from '../../options/optionKeys'
import { assertClaimArguments, type WebhookDedupeClaim, type WebhookDedupeStore } from './WebhookDedupeStore'

/**
 * Options of {@link MemoryWebhookDedupeStore}.
 *
 * @example
 * ```ts
 * const options: MemoryWebhookDedupeStoreOptions = { maxEntries: 5000 }
 * ```
 */
export interface MemoryWebhookDedupeStoreOptions {
  /** How many event ids to remember (1 to 1,000,000; default 1000); the oldest is forgotten first. */
  maxEntries?: number
}

const OPTION_KEYS = optionKeys<MemoryWebhookDedupeStoreOptions>()(['maxEntries'])

/** Default of {@link MemoryWebhookDedupeStoreOptions.maxEntries}. @internal */
export const DEFAULT_DEDUPE_ENTRIES = 1000

/**
 * The default {@link WebhookDedupeStore}: a bounded map in this process. Claims end after their
 * TTL or when `maxEntries` newer ones push them out (the oldest first; a repeated delivery moves
 * its id back to the newest place, so a burst of retries keeps it). It cannot see deliveries
 * that reached another process: with several processes use `RedisWebhookDedupeStore`.
 *
 * `lexofficeWebhooks` creates one for `dedupe: true` (the default) or `dedupe: <maxEntries>`;
 * you only construct it yourself to share it between several handlers of one process.
 *
 * @example
 * ```ts
 * import { lexofficeWebhooks, MemoryWebhookDedupeStore } from 'passport-lexoffice'
 * const dedupe = new MemoryWebhookDedupeStore({ maxEntries: 5000 })
 * app.post('/hooks/a', lexofficeWebhooks({ onEvent, dedupe }))
 * app.post('/hooks/b', lexofficeWebhooks({ onEvent, dedupe }))
 * ```
 */
export class MemoryWebhookDedupeStore implements WebhookDedupeStore {
  readonly #max: number
  /** Event id -> its claim; insertion order is eviction order. */
  readonly #claims = new Map<string, { expiresAt: number }>()

  /** @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for a bad option. */
  constructor(options: MemoryWebhookDedupeStoreOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', '"options" must be an object')
    assertKnownKeys(options, OPTION_KEYS, 'MemoryWebhookDedupeStore')
    const max = options.maxEntries ?? DEFAULT_DEDUPE_ENTRIES
    assertInteger(max, 'maxEntries', 1, 1_000_000)
    this.#max = max
  }

  /**
   * Claims `eventId` for `ttlMs`; see {@link WebhookDedupeStore.claim}. Never rejects except for bad arguments.
   * @throws TypeError for an empty or over-long `eventId` or a `ttlMs` that is not a positive integer.
   * @example
   * ```ts
   * const claim = await store.claim('org|invoice.created|id|2024-01-01T00:00:00.000Z', 60_000)
   * ```
   */
  async claim(eventId: string, ttlMs: number): Promise<WebhookDedupeClaim | undefined> {
    assertClaimArguments(eventId, ttlMs)
    const now = Date.now()
    const held = this.#claims.get(eventId)
    if (held) {
      this.#claims.delete(eventId)
      if (held.expiresAt > now) {
        this.#claims.set(eventId, held)
        return undefined
      }
    }
    const entry = { expiresAt: now + ttlMs }
    this.#claims.set(eventId, entry)
    if (this.#claims.size > this.#max) {
      const oldest = this.#claims.keys().next()
      if (!oldest.done) this.#claims.delete(oldest.value)
    }
    return {
      release: async () => {
        if (this.#claims.get(eventId) === entry) this.#claims.delete(eventId)
      },
    }
  }

  /** Number of event ids remembered (expired ones included until they are pushed out). */
  get size(): number {
    return this.#claims.size
  }
}

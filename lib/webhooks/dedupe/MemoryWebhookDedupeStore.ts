import { ErrorCodes, LexofficeError } from '../../errors'
import { assertInteger, assertKnownKeys, assertObject } from '../../options/assert'
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
  /**
   * How many claims the store holds at once (1 to 1,000,000; default 10,000). Expired claims make
   * room; a store full of running claims refuses new ones (see {@link MemoryWebhookDedupeStore}).
   */
  maxEntries?: number
}

const OPTION_KEYS = optionKeys<MemoryWebhookDedupeStoreOptions>()(['maxEntries'])

/** Default of {@link MemoryWebhookDedupeStoreOptions.maxEntries}. @internal */
export const DEFAULT_DEDUPE_ENTRIES = 10_000

/**
 * The default {@link WebhookDedupeStore}: a bounded map in this process. A claim lasts its whole
 * TTL: an event stays remembered as long as `lexofficeWebhooks` accepts it, so a captured delivery
 * cannot be replayed by pushing its claim out with newer events. When `maxEntries` claims are
 * running, expired ones are dropped first; if none has expired, the new claim is refused with a
 * `LexofficeError` (`STORE_UNAVAILABLE`, 503): `lexofficeWebhooks` then handles that event without
 * the duplicate check and tells `onError` (stage `dedupe`), so no event is lost and the overflow is
 * visible. Size it for the events of 48 hours, or use `RedisWebhookDedupeStore`, which also sees
 * deliveries that reached another process.
 *
 * `lexofficeWebhooks` creates one for `dedupe: true` (the default) or `dedupe: <maxEntries>`;
 * you only construct it yourself to share it between several handlers of one process.
 *
 * @example
 * ```ts
 * import { lexofficeWebhooks, MemoryWebhookDedupeStore } from 'passport-lexoffice'
 * const dedupe = new MemoryWebhookDedupeStore({ maxEntries: 5000 })
 * app.use('/hooks/a', lexofficeWebhooks({ onEvent, dedupe }))
 * app.use('/hooks/b', lexofficeWebhooks({ onEvent, dedupe }))
 * ```
 */
export class MemoryWebhookDedupeStore implements WebhookDedupeStore {
  readonly #max: number
  /** Event id -> its claim; insertion order is eviction order. */
  readonly #claims = new Map<string, { expiresAt: number }>()

  /** @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for a bad option. */
  constructor(options: MemoryWebhookDedupeStoreOptions = {}) {
    assertObject(options, 'options')
    assertKnownKeys(options, OPTION_KEYS, 'MemoryWebhookDedupeStore')
    const max = options.maxEntries ?? DEFAULT_DEDUPE_ENTRIES
    assertInteger(max, 'maxEntries', 1, 1_000_000)
    this.#max = max
  }

  /**
   * Claims `eventId` for `ttlMs`; see {@link WebhookDedupeStore.claim}.
   * @throws TypeError for an empty or over-long `eventId` or a `ttlMs` that is not a positive integer.
   * @throws LexofficeError `STORE_UNAVAILABLE` when `maxEntries` unexpired claims are held.
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
    if (this.#claims.size >= this.#max) {
      for (const [id, claim] of this.#claims) if (claim.expiresAt <= now) this.#claims.delete(id)
      if (this.#claims.size >= this.#max) {
        throw new LexofficeError(
          ErrorCodes.STORE_UNAVAILABLE,
          `The in-memory webhook dedupe store is full (${this.#max} running claims); raise "dedupe" or use a shared store.`,
        )
      }
    }
    const entry = { expiresAt: now + ttlMs }
    this.#claims.set(eventId, entry)
    return {
      release: async () => {
        if (this.#claims.get(eventId) === entry) this.#claims.delete(eventId)
      },
    }
  }

  /** Number of event ids remembered (expired ones included until a full store sweeps them). */
  get size(): number {
    return this.#claims.size
  }
}

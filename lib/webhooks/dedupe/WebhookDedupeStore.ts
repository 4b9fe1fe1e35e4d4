import { assertInteger, assertString } from '../../options/assert'

/**
 * A held claim on one event id (see {@link WebhookDedupeStore.claim}). It lasts until its TTL
 * ends, or until `release()` gives it up early.
 *
 * @example
 * ```ts
 * const claim = await store.claim(eventId, 60_000)
 * if (claim) {
 *   try { await handle(event) } catch (err) { await claim.release(); throw err }
 * }
 * ```
 */
export interface WebhookDedupeClaim {
  /**
   * Gives the event id up before the TTL ends, so that a later delivery of the same event runs
   * the handlers again. Removes only this claim: once it has expired and another process has
   * claimed the id, `release()` leaves that newer claim alone. Rejects when the store cannot be
   * reached (the claim then simply runs out after its TTL).
   */
  release(): Promise<void>
}

/**
 * Where `lexofficeWebhooks` records the events it has handled, so a repeated delivery of the same
 * event runs your handlers once. The default is a {@link MemoryWebhookDedupeStore} (this process
 * only); with several processes behind a load balancer, share one store between them, e.g.
 * `RedisWebhookDedupeStore` from `passport-lexoffice/redis`.
 *
 * **The event id.** lexoffice's payload has no event id: it carries exactly `organizationId`,
 * `eventType`, `resourceId` and `eventDate`. The handler therefore claims
 * `` `${organizationId}|${eventType}|${resourceId}|${eventDate}` `` (at most about 220 characters,
 * ids and a date only, no secret), so a redelivery is recognised when it repeats these four
 * fields. Two different events that agree on all four (same resource, same type, same
 * millisecond) count as one, which is harmless: each only says "fetch this resource again".
 *
 * **Implementing one** (Postgres, DynamoDB...): `claim` must be atomic across all processes
 * ("insert if absent, with an expiry"), must settle quickly (put a timeout on your calls), and
 * should reject when the backend is unreachable: the handler then runs your handlers anyway and
 * reports the error to `onError` (stage `dedupe`). A claim must last its whole TTL, never be
 * evicted early to make room (reject instead): the handler accepts an event exactly as long as
 * its claim lasts, so an early eviction would let a captured delivery run again.
 *
 * @example
 * ```ts
 * import type { WebhookDedupeStore } from 'passport-lexoffice'
 *
 * const store: WebhookDedupeStore = {
 *   async claim(eventId, ttlMs) {
 *     const inserted = await db.insertIfAbsent('webhook_claims', { id: eventId, expiresAt: Date.now() + ttlMs })
 *     return inserted ? { release: () => db.delete('webhook_claims', { id: eventId, expiresAt: inserted.expiresAt }) } : undefined
 *   },
 * }
 * ```
 */
export interface WebhookDedupeStore {
  /**
   * Atomically claims `eventId` for `ttlMs` milliseconds if nobody holds it.
   *
   * @param eventId - The event id (see above); 1 to 1024 characters.
   * @param ttlMs - How long the claim lasts, in ms (a positive integer).
   * @returns A {@link WebhookDedupeClaim} when the id was new (run the handlers), `undefined`
   *   when it is already claimed (a repeated delivery: skip it).
   * @throws When the store cannot be reached (the built-in stores: `LexofficeError`
   *   `STORE_UNAVAILABLE`), or `TypeError` for a bad argument.
   */
  claim(eventId: string, ttlMs: number): Promise<WebhookDedupeClaim | undefined>
}

/** Longest event id a store must accept. @internal */
export const MAX_EVENT_ID_CHARS = 1024

/**
 * Checks the arguments of {@link WebhookDedupeStore.claim} (shared by the built-in stores).
 * @internal
 */
export function assertClaimArguments(eventId: unknown, ttlMs: unknown): asserts eventId is string {
  assertString(eventId, 'eventId', { max: MAX_EVENT_ID_CHARS })
  assertInteger(ttlMs, 'ttlMs', 1)
}

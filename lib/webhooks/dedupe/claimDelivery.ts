/**
 * The duplicate check of `lexofficeWebhooks`: derive the event id, claim it, and fail open.
 * @internal
 */
import { type LexofficeError, isLexofficeError } from '../../errors'
import { storeUnavailable } from '../../failures/storeUnavailable'
import type { LexofficeEvent } from '../events'
import type { WebhookDedupeClaim, WebhookDedupeStore } from './WebhookDedupeStore'

/**
 * The id under which a delivery is claimed. lexoffice sends no event id (its payload is exactly
 * these four fields), so the id is derived from all of them.
 * @internal
 */
export function webhookDedupeKey(event: LexofficeEvent): string {
  return `${event.organizationId}|${event.eventType}|${event.resourceId}|${event.eventDate}`
}

/** What the claim step decided. @internal */
export type DeliveryClaim =
  /** Another delivery of this event holds the claim: run nothing. */
  | { readonly duplicate: true }
  /** Run the handlers; `claim` is `undefined` when the store failed (fail open). */
  | { readonly duplicate: false; readonly claim: WebhookDedupeClaim | undefined }

/**
 * Claims the event. A store that fails or rejects does not stop the event: it is handled
 * without the duplicate check (at least once beats never) and the error goes to `report`.
 * @internal
 */
export async function claimDelivery(
  store: WebhookDedupeStore,
  ttlMs: number,
  event: LexofficeEvent,
  report: (err: LexofficeError) => Promise<void>,
): Promise<DeliveryClaim> {
  let claim: WebhookDedupeClaim | undefined | null
  try {
    claim = await store.claim(webhookDedupeKey(event), ttlMs)
  } catch (err) {
    await report(toDedupeError(err))
    return { duplicate: false, claim: undefined }
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  if (claim === undefined || claim === null) return { duplicate: true }
  return { duplicate: false, claim }
}

/**
 * Releases a claim; a failure is reported, never thrown.
 * @internal
 */
export async function releaseDelivery(claim: WebhookDedupeClaim, report: (err: LexofficeError) => Promise<void>): Promise<void> {
  try {
    if (typeof claim.release === 'function') await claim.release()
  } catch (err) {
    await report(toDedupeError(err))
  }
}

/**
 * Errors of the built-in stores are already typed and secret-free. Anything else (a custom
 * store) becomes `STORE_UNAVAILABLE` with a secret-free cause, as the token stores do.
 * @internal
 */
export function toDedupeError(err: unknown): LexofficeError {
  if (isLexofficeError(err)) return err
  return storeUnavailable('The webhook dedupe store', err)
}

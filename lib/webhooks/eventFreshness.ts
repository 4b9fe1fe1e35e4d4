/**
 * The `eventDate` window of `lexofficeWebhooks`: a genuinely signed event is still refused when it
 * is older than lexoffice's retries can explain, or later than clock skew can explain. Together
 * with a dedupe claim that lasts as long as the window, a captured delivery can never run twice.
 * @internal
 */
import { ErrorCodes, LexofficeError } from '../errors'
import type { LexofficeEvent } from './events'

/** The accepted window and the clock it is checked against. @internal */
export interface EventFreshness {
  readonly maxAgeMs: number
  readonly maxSkewMs: number
  readonly now: () => number
}

/**
 * `WEBHOOK_EVENT_STALE` (400) when `event` lies outside the window, `undefined` when it is fresh.
 * @internal
 */
export function staleEventError(event: LexofficeEvent, freshness: EventFreshness): LexofficeError | undefined {
  // parseLexofficeEvent accepted the date, so it parses (`+hhmm` normalised to `+hh:mm`).
  const at = Date.parse(event.eventDate.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
  const ageMs = freshness.now() - at
  if (ageMs > freshness.maxAgeMs) {
    return stale(`The webhook event is dated ${describe(ageMs)} ago, older than the accepted ${describe(freshness.maxAgeMs)}.`)
  }
  if (-ageMs > freshness.maxSkewMs) {
    return stale(
      `The webhook event is dated ${describe(-ageMs)} in the future, more than the tolerated clock skew of ${describe(freshness.maxSkewMs)}.`,
    )
  }
  return undefined
}

function stale(message: string): LexofficeError {
  return new LexofficeError(ErrorCodes.WEBHOOK_EVENT_STALE, message)
}

function describe(ms: number): string {
  if (ms >= 2 * 86_400_000) return `${Math.floor(ms / 86_400_000)} days`
  if (ms >= 2 * 3_600_000) return `${Math.floor(ms / 3_600_000)} hours`
  return `${Math.max(0, Math.round(ms / 60_000))} minutes`
}

import { ErrorCodes, LexofficeError } from '../errors'
import { isLexofficeId } from '../lexofficeId'
import { isLexofficeEventType, type LexofficeEvent } from './events'

// Lower-case, dot-separated words with dashes: `invoice.status.changed`, `down-payment-invoice.created`.
const EVENT_TYPE = /^[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)+$/
const MAX_EVENT_TYPE_CHARS = 100
// ISO 8601 date-time with seconds optional fractions and a mandatory zone (`Z` or `±hh:mm`/`±hhmm`).
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/
const MAX_JSON_BYTES = 64 * 1024

function invalid(message: string, cause?: unknown): LexofficeError {
  return new LexofficeError(ErrorCodes.WEBHOOK_PAYLOAD_INVALID, message, { cause })
}

function isIsoDateTime(value: string): boolean {
  if (!ISO_DATE_TIME.test(value)) return false
  // Date.parse rejects impossible dates such as month 13; it also normalises `+hhmm`, so check both.
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
  return !Number.isNaN(Date.parse(normalised))
}

/**
 * Validates a lexoffice webhook payload and returns it typed. Accepts the raw JSON (string or
 * bytes) or an already parsed value. Call it only on a body whose signature was verified.
 *
 * Rules: a JSON object with `organizationId` and `resourceId` (UUIDs), `eventType` (lower-case,
 * dot-separated, at most 100 characters) and `eventDate` (ISO 8601 date-time with a zone). A
 * documented `eventType` gives `known: true`; any other well-formed one gives `known: false`
 * instead of an error, so new lexoffice event types never break your app. Extra fields are
 * ignored (lexoffice may add some) and not copied into the result.
 *
 * @param json - The verified body: JSON text, its UTF-8 bytes, or the parsed value.
 * @returns The event with exactly the four documented fields and `known`.
 * @throws LexofficeError with code `WEBHOOK_PAYLOAD_INVALID` (status 400), naming the bad field.
 *
 * @example
 * ```ts
 * import { parseLexofficeEvent } from 'passport-lexoffice'
 * const event = parseLexofficeEvent(
 *   '{"organizationId":"aa93e8a8-2aa3-470b-b914-caad8a255dd8","eventType":"invoice.created",' +
 *     '"resourceId":"4d43ad14-2c4d-4b2a-a8a3-1b4c5d6e7f80","eventDate":"2023-04-11T12:30:00.000+02:00"}',
 * )
 * if (event.known && event.eventType === 'invoice.created') console.log('new invoice', event.resourceId)
 * ```
 */
export function parseLexofficeEvent(json: unknown): LexofficeEvent {
  let value: unknown = json
  if (typeof json === 'string' || json instanceof Uint8Array) {
    const text = typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8')
    if (text.length > MAX_JSON_BYTES) throw invalid('The webhook payload is too large to be a lexoffice event.')
    try {
      value = JSON.parse(text)
    } catch (cause) {
      throw invalid('The webhook payload is not valid JSON.', cause)
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('The webhook payload is not a JSON object.')
  }
  const { organizationId, eventType, resourceId, eventDate } = value as Record<string, unknown>
  if (!isLexofficeId(organizationId)) {
    throw invalid('The webhook payload has no valid "organizationId" (a UUID is expected).')
  }
  if (!isLexofficeId(resourceId)) {
    throw invalid('The webhook payload has no valid "resourceId" (a UUID is expected).')
  }
  if (typeof eventType !== 'string' || eventType.length > MAX_EVENT_TYPE_CHARS || !EVENT_TYPE.test(eventType)) {
    throw invalid('The webhook payload has no valid "eventType" (e.g. "invoice.created" is expected).')
  }
  if (typeof eventDate !== 'string' || !isIsoDateTime(eventDate)) {
    throw invalid('The webhook payload has no valid "eventDate" (an ISO 8601 date-time with zone is expected).')
  }
  const fields = { organizationId, resourceId, eventDate }
  return isLexofficeEventType(eventType) ? { ...fields, eventType, known: true } : { ...fields, eventType, known: false }
}

/**
 * Steps 1 to 6 of `lexofficeWebhooks`: everything that decides whether a request carries a
 * genuine lexoffice event, before anything is answered or run.
 * @internal
 */
import type { KeyObject } from 'node:crypto'
import { ErrorCodes, LexofficeError } from '../errors'
import { invalidArg } from '../options/assert'
import type { LexofficeEvent } from './events'
import type { LexofficeWebhookRejection } from './LexofficeWebhooksOptions'
import { type EventFreshness, staleEventError } from './eventFreshness'
import { parseLexofficeEvent } from './parseLexofficeEvent'
import { readRawBody, type WebhookRequest } from './readRawBody'
import { decodeSignatureHeader, LEXOFFICE_SIGNATURE_HEADER, verifyBytes } from './signatureInternals'

/** Error code of the raw-body misconfiguration reported to `onError` (stage `configuration`). @internal */
export const RAW_BODY_UNAVAILABLE = 'ERR_LEXOFFICE_RAW_BODY_UNAVAILABLE'

/**
 * What a request turned out to be.
 * - `head`: lexoffice's HEAD check of the callback URL (answer 200);
 * - `rejected`: refuse it as described (and tell `onRejected`);
 * - `consumed`: a body parser ate the body, no raw copy (answer 500, report `error`);
 * - `aborted`: the client went away or the stream failed while reading;
 * - `event`: a verified, valid event.
 * @internal
 */
export type WebhookRequestOutcome =
  | { readonly kind: 'head' }
  | {
      readonly kind: 'rejected'
      readonly rejection: LexofficeWebhookRejection
      readonly message: string
      readonly headers: Record<string, string>
    }
  | { readonly kind: 'consumed'; readonly error: TypeError }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'event'; readonly event: LexofficeEvent }

/**
 * Checks method, media type, signature header, size, signature, payload and its date, in that order (the
 * order is the one `lexofficeWebhooks` documents), reading the body only after the cheap checks.
 * @internal
 */
export async function readLexofficeWebhookRequest(
  req: WebhookRequest,
  key: KeyObject,
  maxBodyBytes: number,
  freshness: EventFreshness,
): Promise<WebhookRequestOutcome> {
  const method = req.method ?? ''
  if (method === 'HEAD') return { kind: 'head' }
  if (method !== 'POST') {
    return rejected({ status: 405, reason: 'METHOD_NOT_ALLOWED', error: undefined }, 'Method Not Allowed', { Allow: 'POST, HEAD' })
  }
  if (!isJsonUtf8(req.headers['content-type']) || !isIdentityEncoding(req.headers['content-encoding'])) {
    return rejected({ status: 415, reason: 'UNSUPPORTED_MEDIA_TYPE', error: undefined }, 'Unsupported Media Type: send application/json')
  }
  const signature = decodeSignatureHeader(req.headers[LEXOFFICE_SIGNATURE_HEADER])
  if (signature === undefined) {
    const error = new LexofficeError(ErrorCodes.WEBHOOK_SIGNATURE_MISSING, 'The webhook request has no X-Lxo-Signature header.', {
      status: 401,
    })
    return rejected({ status: 401, reason: ErrorCodes.WEBHOOK_SIGNATURE_MISSING, error }, 'Missing X-Lxo-Signature')
  }
  if (signature === null) {
    const error = new LexofficeError(ErrorCodes.WEBHOOK_SIGNATURE_INVALID, 'The X-Lxo-Signature header is not a base64 signature.', {
      status: 401,
    })
    return rejected({ status: 401, reason: ErrorCodes.WEBHOOK_SIGNATURE_INVALID, error }, 'Invalid X-Lxo-Signature')
  }

  const result = await readRawBody(req, maxBodyBytes)
  if (result === 'consumed') return { kind: 'consumed', error: rawBodyUnavailable() }
  if (!result.ok) {
    if (result.tooLarge)
      return rejected({ status: 413, reason: 'BODY_TOO_LARGE', error: undefined }, 'Payload Too Large', { Connection: 'close' })
    return { kind: 'aborted' }
  }
  if (!verifyBytes(result.body, signature, key)) {
    const error = new LexofficeError(
      ErrorCodes.WEBHOOK_SIGNATURE_INVALID,
      'The X-Lxo-Signature header does not verify over the request body.',
      { status: 401 },
    )
    return rejected({ status: 401, reason: ErrorCodes.WEBHOOK_SIGNATURE_INVALID, error }, 'Invalid X-Lxo-Signature')
  }
  let event: LexofficeEvent
  try {
    event = parseLexofficeEvent(result.body)
  } catch (err) {
    const error = err as LexofficeError
    return rejected({ status: 400, reason: ErrorCodes.WEBHOOK_PAYLOAD_INVALID, error }, 'Invalid lexoffice event payload')
  }
  // 400, not 401: lexoffice retries 401 for 40 hours, but never a plain 4xx (docs/lexoffice.md §6).
  const stale = staleEventError(event, freshness)
  if (stale) return rejected({ status: 400, reason: ErrorCodes.WEBHOOK_EVENT_STALE, error: stale }, 'Stale lexoffice event')
  return { kind: 'event', event }
}

function rejected(rejection: LexofficeWebhookRejection, message: string, headers: Record<string, string> = {}): WebhookRequestOutcome {
  return { kind: 'rejected', rejection, message, headers }
}

function rawBodyUnavailable(): TypeError {
  const err = invalidArg(
    'ERR_INVALID_ARG_VALUE',
    'lexofficeWebhooks: the request body was already consumed by a body parser and no raw copy exists, so the ' +
      'X-Lxo-Signature cannot be checked. Mount the webhook route before express.json(), or use ' +
      'express.json({ verify: lexofficeRawBody() }).',
  )
  ;(err as Error & { code: string }).code = RAW_BODY_UNAVAILABLE
  return err
}

function isJsonUtf8(contentType: string | undefined): boolean {
  if (typeof contentType !== 'string') return false
  const [type, ...params] = contentType.split(';')
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  if (type?.trim().toLowerCase() !== 'application/json') return false
  for (const param of params) {
    const [name, value] = param.split('=')
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
    if (name?.trim().toLowerCase() !== 'charset') continue
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
    const charset = value?.trim().replace(/^"|"$/g, '').toLowerCase()
    if (charset !== 'utf-8' && charset !== 'utf8') return false
  }
  return true
}

function isIdentityEncoding(encoding: string | undefined): boolean {
  return encoding === undefined || encoding.trim() === '' || encoding.trim().toLowerCase() === 'identity'
}

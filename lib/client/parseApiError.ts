import { ErrorCodes, LexofficeApiError, type LexofficeErrorCode, type LexofficeErrorDetail } from '../errors'

/** Status code -> error code and the status our app should answer with. */
const BY_STATUS: Record<number, [LexofficeErrorCode, number]> = {
  400: [ErrorCodes.API_VALIDATION, 400],
  401: [ErrorCodes.API_UNAUTHORIZED, 401],
  402: [ErrorCodes.API_PAYMENT_REQUIRED, 402],
  403: [ErrorCodes.API_FORBIDDEN, 403],
  404: [ErrorCodes.API_NOT_FOUND, 404],
  406: [ErrorCodes.API_VALIDATION, 422],
  409: [ErrorCodes.API_CONFLICT, 409],
  429: [ErrorCodes.API_RATE_LIMITED, 503],
}

const MAX_TEXT = 300
/** The legacy `i18nKey` lexoffice answers a stale contact `version` with (docs/lexoffice-api-sources.md). */
const STALE_VERSION_KEY = 'invalid_value'

/**
 * Turns a lexoffice error answer into a {@link LexofficeApiError}. Understands all three of lexoffice's error bodies:
 *
 * 1. gateway/auth: `{ "message": "Unauthorized" }` (also `{ "message": null }`);
 * 2. legacy (contacts, files, vouchers): `{ "IssueList": [{ i18nKey, source, type, ... }] }`;
 *    each issue becomes a detail `{ violation: i18nKey, field: source, message: type }`;
 * 3. regular: `{ timestamp, status, error, path, traceId, message, details: [{ violation, field, message }] }`.
 *
 * A stale `version` is `API_CONFLICT` whether lexoffice answers 409 (its docs) or, as measured for
 * contacts, 406 with a legacy issue `{ source: 'version', i18nKey: 'invalid_value' }`
 * (`upstreamStatus` keeps the 406). Anything else (HTML, empty, invalid JSON) still gives an error
 * with the status mapped.
 * Texts taken from the body are cut to 300 characters, stripped of control characters, and
 * every `secrets` value and any `Bearer ...` value is replaced by `[REDACTED]` (a gateway 403
 * can echo the Authorization header). The request is kept as method + path only.
 *
 * @example
 * ```ts
 * import { parseApiError } from 'passport-lexoffice'
 * const err = parseApiError(404, Buffer.from('{"message":"not found"}'), { method: 'GET', path: '/v1/contacts/x' })
 * err.code // 'API_NOT_FOUND'
 * ```
 */
export function parseApiError(
  status: number,
  body: Buffer | string,
  request: { method: string; path: string },
  secrets: readonly string[] = [],
): LexofficeApiError {
  let [code, answerStatus] =
    BY_STATUS[status] ??
    (status >= 500 && status <= 599 ? [ErrorCodes.API_SERVER_ERROR, status === 504 ? 504 : 502] : [ErrorCodes.API_ERROR, 502])
  const clean = (value: unknown): string | undefined => (typeof value === 'string' ? sanitize(value, secrets) : undefined)
  const parsed = parseJson(typeof body === 'string' ? body : body.toString('utf8'))

  let upstreamMessage: string | undefined
  let traceId: string | undefined
  const details: LexofficeErrorDetail[] = []
  if (isRecord(parsed)) {
    upstreamMessage = clean(parsed['message'])
    traceId = clean(parsed['traceId'])
    const issueList = parsed['IssueList'] ?? parsed['issueList']
    if (Array.isArray(issueList)) {
      for (const issue of issueList.slice(0, 50)) {
        if (!isRecord(issue)) continue
        details.push(compact({ field: clean(issue['source']), violation: clean(issue['i18nKey']), message: clean(issue['type']) }))
      }
    }
    if (Array.isArray(parsed['details'])) {
      for (const d of parsed['details'].slice(0, 50)) {
        if (!isRecord(d)) continue
        details.push(compact({ field: clean(d['field']), violation: clean(d['violation']), message: clean(d['message']) }))
      }
    }
    if (upstreamMessage === undefined) upstreamMessage = clean(parsed['error'])
  }
  // A stale `version` on contacts comes back as 406 naming `version` with `invalid_value` (measured;
  // the docs say 409): it is the same conflict, so callers need only one check (README, API_CONFLICT).
  if (status === 406 && details.some((d) => d.field === 'version' && d.violation === STALE_VERSION_KEY)) {
    code = ErrorCodes.API_CONFLICT
    answerStatus = 409
  }
  const summary = upstreamMessage ?? (details[0] ? [details[0].violation, details[0].field].filter(Boolean).join(' at ') : undefined)
  const message = `lexoffice answered ${status} to ${request.method} ${request.path}${summary ? `: ${summary}` : ''}`
  const options = {
    status: answerStatus,
    upstreamStatus: status,
    traceId,
    details,
    request: { method: request.method, path: request.path },
  }
  return new LexofficeApiError(code, message, options)
}

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function compact(detail: { field: string | undefined; violation: string | undefined; message: string | undefined }): LexofficeErrorDetail {
  const out: LexofficeErrorDetail = {}
  if (detail.field !== undefined) out.field = detail.field
  if (detail.violation !== undefined) out.violation = detail.violation
  if (detail.message !== undefined) out.message = detail.message
  return out
}

/** @internal Removes control characters and secrets, and bounds the length. */
export function sanitize(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[REDACTED]')
  out = out.replace(/(bearer|basic)\s+[^\s'",)]+/gi, '$1 [REDACTED]')
  // eslint-disable-next-line no-control-regex
  out = out.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT)}…` : out
}

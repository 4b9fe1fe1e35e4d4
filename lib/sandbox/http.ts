import { randomUUID } from 'node:crypto'
import type { SandboxRequest, SandboxResponse } from './types'

/**
 * Small response and request helpers shared by every sandbox route module. They keep the
 * answer formats in one place: RFC 6749 errors for the OAuth endpoints, lexoffice's gateway
 * `{message}` and regular `{timestamp, status, error, path, traceId, message, details}` errors
 * for the API.
 *
 * @packageDocumentation
 */

/** Reason phrases for the statuses the sandbox answers with. @internal */
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** The reason phrase of an HTTP status, as Spring writes it into `error`. @internal */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error'
}

/**
 * A JSON answer.
 *
 * @example
 * ```ts
 * return json(200, { id: contact.id, version: contact.version })
 * ```
 */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: Buffer.from((JSON.stringify(body) as string | undefined) ?? 'null', 'utf8'),
  }
}

/**
 * lexoffice's gateway error shape, `{ "message": "..." }` (used for 401 on the API).
 *
 * @example
 * ```ts
 * return gatewayError(401, 'Unauthorized')
 * ```
 */
export function gatewayError(status: number, message: string | null): SandboxResponse {
  return json(status, { message })
}

/**
 * One field-level problem of a regular lexoffice error.
 *
 * @example
 * ```ts
 * const detail: RegularErrorDetail = { violation: 'NOTNULL', field: 'name', message: 'must not be null' }
 * ```
 */
export interface RegularErrorDetail {
  violation: string
  field: string
  message: string
}

/**
 * lexoffice's regular error format (docs/lexoffice.md §5, shape 3).
 *
 * @example
 * ```ts
 * return regularError(req, 404, 'Resource not found')
 * return regularError(req, 406, 'Validation failed', [{ violation: 'NOTNULL', field: 'name', message: 'must not be null' }])
 * ```
 */
export function regularError(
  req: Pick<SandboxRequest, 'path'>,
  status: number,
  message: string,
  details: readonly RegularErrorDetail[] = [],
  now: number = Date.now(),
): SandboxResponse {
  return json(status, {
    timestamp: formatLexofficeDate(now),
    status,
    error: reasonPhrase(status),
    path: req.path,
    traceId: randomUUID().replace(/-/g, '').slice(0, 16),
    message,
    details,
  })
}

/**
 * An RFC 6749 §5.2 error answer of the token or revoke endpoint, with `Cache-Control: no-store`.
 * `invalid_client` answers 401 with a `WWW-Authenticate: Basic` challenge.
 *
 * @example
 * ```ts
 * return oauthError('invalid_grant', 'The authorization code has expired.')
 * ```
 */
export function oauthError(error: string, description: string, status = error === 'invalid_client' ? 401 : 400): SandboxResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store', pragma: 'no-cache' }
  if (status === 401) headers['www-authenticate'] = 'Basic realm="lexoffice-sandbox", charset="UTF-8"'
  return json(status, { error, error_description: description }, headers)
}

/**
 * A `302 Found` to `location`, never cached.
 *
 * @example
 * ```ts
 * return redirect('https://app.example.com/callback?code=abc&state=xyz')
 * ```
 */
export function redirect(location: string): SandboxResponse {
  return { status: 302, headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }, body: '' }
}

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * ```ts
 * `<p>${escapeHtml(connectionName)}</p>`
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * A form body (`application/x-www-form-urlencoded`) parsed so that duplicated parameters are
 * detectable (RFC 6749 §3.1). `undefined` when the content type is not a form.
 *
 * @example
 * ```ts
 * const form = readForm(req)
 * if (!form) return oauthError('invalid_request', 'Expected an application/x-www-form-urlencoded body.')
 * ```
 */
export function readForm(req: Pick<SandboxRequest, 'headers' | 'body'>): URLSearchParams | undefined {
  const type = req.headers['content-type'] ?? ''.split(';')[0].trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') return undefined
  return new URLSearchParams(req.body.toString('utf8'))
}

/**
 * The names of parameters given more than once (RFC 6749 §3.1: each at most once).
 *
 * @example
 * ```ts
 * if (duplicatedParams(form).length > 0) return oauthError('invalid_request', 'Repeated parameter.')
 * ```
 */
export function duplicatedParams(params: URLSearchParams): string[] {
  const seen = new Set<string>()
  const dup = new Set<string>()
  for (const key of params.keys()) {
    if (seen.has(key)) dup.add(key)
    seen.add(key)
  }
  return [...dup]
}

/**
 * Formats a time as lexoffice does (`yyyy-MM-ddTHH:mm:ss.SSSXXX`), in Europe/Berlin time.
 *
 * @example
 * ```ts
 * formatLexofficeDate(Date.UTC(2024, 0, 3, 12, 15, 45)) // '2024-01-03T13:15:45.000+01:00'
 * ```
 */
export function formatLexofficeDate(ms: number): string {
  const offset = berlinOffsetMinutes(ms)
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23)
  const sign = offset < 0 ? '-' : '+'
  const abs = Math.abs(offset)
  const hh = String(Math.floor(abs / 60)).padStart(2, '0')
  const mm = String(abs % 60).padStart(2, '0')
  return `${local}${sign}${hh}:${mm}`
}

const berlinOffsetFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'longOffset' })

function berlinOffsetMinutes(ms: number): number {
  const part = berlinOffsetFormat.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT'
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(part)
  if (!m) return 0
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]))
}

import { ErrorCodes, type LexofficeErrorCode } from '../errors'

/**
 * Reading and checking the authorization response (the callback's query string) before
 * anything else happens (RFC 6749 §3.1, §4.1.2, §10.14; RFC 9700 §2.1.2).
 *
 * @packageDocumentation
 */

/**
 * Parameters of an authorization response, each present at most once.
 *
 * @example
 * ```ts
 * const parsed = parseCallbackParams(req)
 * if ('params' in parsed) console.log(parsed.params.state)
 * ```
 */
export interface CallbackParams {
  code?: string
  state?: string
  error?: string
  /** Sanitised: no control characters, no HTML special characters, at most 200 characters. */
  errorDescription?: string
  iss?: string
}

/**
 * A refused callback: the challenge passport's `fail()` receives, and the HTTP status.
 *
 * @example
 * ```ts
 * const failure: CallbackFailure = { code: 'STATE_MISSING', status: 403, message: 'no state' }
 * ```
 */
export interface CallbackFailure {
  code: LexofficeErrorCode
  message: string
  status: number
}

/** Parameters that may appear at most once. */
const SINGLE = ['code', 'state', 'error', 'error_description', 'error_uri', 'iss', 'session_state'] as const
/** Parameters of implicit/hybrid/JARM responses, which we never request. */
const FORBIDDEN = ['access_token', 'id_token', 'token', 'response', 'token_type', 'expires_in', 'refresh_token']
/** Any parameter whose presence marks a request as a callback. */
const CALLBACK_MARKERS = ['code', 'state', 'error', 'iss', ...FORBIDDEN]

/**
 * Longest accepted authorization code (lexoffice documents 128; we allow headroom).
 *
 * @example
 * ```ts
 * checkCode('a'.repeat(MAX_CODE_LENGTH + 1)) // INVALID_PARAMETER
 * ```
 */
export const MAX_CODE_LENGTH = 1024
/** Longest accepted `state` (ours are 43 characters). */
const MAX_STATE_LENGTH = 512

/**
 * The raw query string of a request (never `req.query`, whose parser differs between Express 4 and 5).
 *
 * @internal
 */
export function rawQuery(req: { originalUrl?: string | undefined; url?: string | undefined }): URLSearchParams {
  const url = req.originalUrl ?? req.url ?? ''
  const q = url.indexOf('?')
  return new URLSearchParams(q === -1 ? '' : url.slice(q + 1))
}

/**
 * `true` when the request looks like a return from lexoffice (it carries `code`, `state`,
 * `error`, `iss` or an implicit-flow parameter), `false` for a fresh login request.
 *
 * @example
 * ```ts
 * if (isCallbackRequest(req)) handleCallback(req)
 * ```
 */
export function isCallbackRequest(req: { originalUrl?: string | undefined; url?: string | undefined }): boolean {
  const query = rawQuery(req)
  for (const key of query.keys()) {
    const base = key.replace(/\[.*$/, '')
    if (CALLBACK_MARKERS.includes(base)) return true
  }
  return false
}

/**
 * Reads and checks the callback parameters. Returns the parameters, or the failure to report:
 * `DUPLICATE_PARAMETER` (400) for repeated or array-style parameters, `INVALID_PARAMETER` (400)
 * for implicit-flow parameters or a malformed `code`/`state`, `STATE_MISSING` (403) for no state.
 * `code` is checked only when there is no `error`.
 *
 * @example
 * ```ts
 * const parsed = parseCallbackParams(req)
 * if ('failure' in parsed) return strategy.fail(parsed.failure, parsed.failure.status)
 * ```
 */
export function parseCallbackParams(req: {
  originalUrl?: string | undefined
  url?: string | undefined
  query?: unknown
}): { params: CallbackParams } | { failure: CallbackFailure } {
  const query = rawQuery(req)
  for (const key of query.keys()) {
    const base = key.replace(/\[.*$/, '')
    if (base !== key && (SINGLE as readonly string[]).includes(base)) return { failure: duplicate(base) }
  }
  for (const name of SINGLE) {
    if (query.getAll(name).length > 1) return { failure: duplicate(name) }
  }
  // Belt and braces: a query parser (qs) may have built arrays or objects from other syntaxes.
  const parsed = req.query
  if (parsed !== null && typeof parsed === 'object') {
    for (const name of SINGLE) {
      const v = (parsed as Record<string, unknown>)[name]
      if (v !== undefined && typeof v !== 'string') return { failure: duplicate(name) }
    }
  }
  for (const name of FORBIDDEN) {
    if (query.has(name)) {
      return {
        failure: {
          code: ErrorCodes.INVALID_PARAMETER,
          status: 400,
          message: `The callback carried "${name}": only the authorization code flow is supported.`,
        },
      }
    }
  }

  const params: CallbackParams = {}
  const state = query.get('state')
  if (state === null || state === '') {
    return { failure: { code: ErrorCodes.STATE_MISSING, status: 403, message: 'The callback carried no state; start the login again.' } }
  }
  if (state.length > MAX_STATE_LENGTH || hasControl(state)) {
    return {
      failure: {
        code: ErrorCodes.STATE_MISMATCH,
        status: 403,
        message: 'The callback state matches no login of this session; start the login again.',
      },
    }
  }
  params.state = state

  const iss = query.get('iss')
  if (iss !== null) params.iss = iss
  const error = query.get('error')
  if (error !== null) {
    params.error = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(error) ? error : 'invalid_error_value'
    const description = query.get('error_description')
    if (description !== null) params.errorDescription = sanitizeDescription(description)
  }
  const code = query.get('code')
  if (code !== null) params.code = code
  return { params }
}

/**
 * Checks the authorization code's shape: present, non-empty, at most {@link MAX_CODE_LENGTH}
 * characters, printable ASCII only (RFC 6749 Appendix A.11 VSCHAR). Returns the failure or `undefined`.
 *
 * @example
 * ```ts
 * const failure = checkCode(params.code)
 * ```
 */
export function checkCode(code: string | undefined): CallbackFailure | undefined {
  if (code === undefined || code === '') {
    return { code: ErrorCodes.INVALID_PARAMETER, status: 400, message: 'The callback carried no authorization code.' }
  }
  if (code.length > MAX_CODE_LENGTH) {
    return {
      code: ErrorCodes.INVALID_PARAMETER,
      status: 400,
      message: `The authorization code is longer than ${MAX_CODE_LENGTH} characters.`,
    }
  }
  if (!/^[\x20-\x7e]+$/.test(code)) {
    return { code: ErrorCodes.INVALID_PARAMETER, status: 400, message: 'The authorization code contains invalid characters.' }
  }
  return undefined
}

/**
 * Makes an untrusted `error_description` safe to show and log: control characters and HTML
 * special characters are removed, whitespace collapsed, and the text cut to 200 characters.
 *
 * @example
 * ```ts
 * sanitizeDescription('<script>x</script>\r\nSet-Cookie: a=b') // 'scriptx/script Set-Cookie: a=b'
 * ```
 */
export function sanitizeDescription(text: string): string {
  const clean = text
    // eslint-disable-next-line no-control-regex -- control characters are what this pattern removes
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/[<>&"'`]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  return clean.length > 200 ? clean.slice(0, 200) + '…' : clean
}

function hasControl(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]/.test(s)
}

function duplicate(name: string): CallbackFailure {
  return { code: ErrorCodes.DUPLICATE_PARAMETER, status: 400, message: `The callback parameter "${name}" must be given exactly once.` }
}

/** RFC 6749 §4.1.2.1 error codes, with readable messages. */
const AUTHORIZATION_ERRORS: Record<string, string> = {
  access_denied: 'You declined the connection to lexoffice.',
  invalid_request: 'lexoffice rejected the login request as invalid.',
  unauthorized_client: 'lexoffice does not allow this application to log in (unauthorized_client).',
  unsupported_response_type: 'lexoffice does not support this response type.',
  invalid_scope: 'lexoffice rejected the requested scope.',
  server_error: 'lexoffice had an internal error; try again later.',
  temporarily_unavailable: 'lexoffice is temporarily unavailable; try again later.',
}

/**
 * Maps an `error=` callback (RFC 6749 §4.1.2.1) to the failure to report: `ACCESS_DENIED` (401)
 * for `access_denied`, `AUTHORIZATION_ERROR` (400) for every other or unknown code; the message
 * is readable and includes the already sanitised description.
 *
 * @example
 * ```ts
 * authorizationFailure('access_denied', undefined) // { code: 'ACCESS_DENIED', status: 401, message: 'You declined ...' }
 * ```
 */
export function authorizationFailure(error: string, description: string | undefined): CallbackFailure {
  const known = AUTHORIZATION_ERRORS[error]
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  const base = known ?? `lexoffice refused the login (${error.replace(/[^\w.-]/g, '').slice(0, 64) || 'unknown error'}).`
  const message = description ? `${base} ${description}` : base
  const code: LexofficeErrorCode = error === 'access_denied' ? ErrorCodes.ACCESS_DENIED : ErrorCodes.AUTHORIZATION_ERROR
  return { code, status: error === 'access_denied' ? 401 : 400, message }
}

/**
 * One shallow error hierarchy for the whole package.
 *
 * Every error is a {@link LexofficeError} with a machine-readable `code` (check `err.code`,
 * not `instanceof`, since bundlers can duplicate classes), a suggested HTTP `status` for the
 * answer your app gives (Express's error handler reads it), and the original `cause`.
 *
 * No error ever carries a secret: messages are built from fixed text and from values that
 * were checked not to be secrets; upstream response bodies are kept only as parsed, harmless
 * fields (OAuth `error`, lexoffice `traceId`, field-level `details`).
 *
 * @packageDocumentation
 */

/**
 * Machine-readable error codes, each with the HTTP `status` its errors carry (your app's answer;
 * Express's error handler reads it). Errors with fields of their own are thrown as the subclass
 * named; every other code is a plain {@link LexofficeError}.
 */
export const ErrorCodes = {
  /** {@link LexofficeAuthorizationError}, status 403: the callback carried no `state`. */
  STATE_MISSING: 'STATE_MISSING',
  /** {@link LexofficeAuthorizationError}, status 403: `state` matches no pending login of this session (unknown, reused or from another browser). */
  STATE_MISMATCH: 'STATE_MISMATCH',
  /** {@link LexofficeAuthorizationError}, status 403: the pending login is older than its time to live. */
  TRANSACTION_EXPIRED: 'TRANSACTION_EXPIRED',
  /** {@link LexofficeAuthorizationError}, status 400: a callback parameter was given more than once (RFC 6749 §3.1). */
  DUPLICATE_PARAMETER: 'DUPLICATE_PARAMETER',
  /** {@link LexofficeAuthorizationError}, status 400: a callback parameter is missing, empty, too long or has bad characters. */
  INVALID_PARAMETER: 'INVALID_PARAMETER',
  /** {@link LexofficeAuthorizationError}, status 401: the user denied access at lexoffice (`error=access_denied`). */
  ACCESS_DENIED: 'ACCESS_DENIED',
  /** {@link LexofficeAuthorizationError}, status 400: lexoffice answered the authorization with another RFC 6749 §4.1.2.1 error. */
  AUTHORIZATION_ERROR: 'AUTHORIZATION_ERROR',
  /** {@link LexofficeAuthorizationError}, status 500: the request had no session (express-session missing, or the cookie was not sent). */
  SESSION_MISSING: 'SESSION_MISSING',
  /** {@link LexofficeAuthorizationError}, status 400: an `iss` parameter named another authorization server (RFC 9207). */
  ISSUER_MISMATCH: 'ISSUER_MISMATCH',
  /** {@link LexofficeAuthorizationError}, status 403: a connect-mode callback arrived for another app user than the one who started the login. */
  OWNER_MISMATCH: 'OWNER_MISMATCH',
  /** {@link LexofficeAuthorizationError}, status 403: your `verify` refused the new connection; it was revoked. */
  CONNECTION_REFUSED: 'CONNECTION_REFUSED',
  /** {@link LexofficeError}, status 500: a token request through the strategy's `_oauth2` (e.g. passport-oauth2-refresh); use the token manager. */
  UNMANAGED_REFRESH: 'UNMANAGED_REFRESH',

  /** {@link LexofficeOAuthError}, status 400: the token endpoint rejected the grant (expired/used code, rotated refresh token). */
  INVALID_GRANT: 'INVALID_GRANT',
  /** {@link LexofficeOAuthError}, status 502: the token endpoint rejected the client credentials. */
  INVALID_CLIENT: 'INVALID_CLIENT',
  /** {@link LexofficeOAuthError}, status 502: the token endpoint answered with another RFC 6749 §5.2 error or a non-2xx status. */
  TOKEN_ENDPOINT_ERROR: 'TOKEN_ENDPOINT_ERROR',
  /** {@link LexofficeOAuthError}, status 502: the token endpoint's 2xx answer is not a valid token response (HTML, not JSON, no access_token...). */
  TOKEN_RESPONSE_INVALID: 'TOKEN_RESPONSE_INVALID',
  /** {@link LexofficeOAuthError}, status 503: the token endpoint answered 429. Not retried at once: lexoffice may block the client. */
  TOKEN_RATE_LIMITED: 'TOKEN_RATE_LIMITED',
  /** {@link LexofficeOAuthError}, status 502: revocation at `/oauth2/revoke` failed. */
  REVOKE_FAILED: 'REVOKE_FAILED',

  /** Status 504: a request to lexoffice did not complete within its timeout. */
  TIMEOUT: 'TIMEOUT',
  /** Status 502: connection refused or reset, DNS or TLS failure. */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** Status 502: the response body was larger than allowed. */
  RESPONSE_TOO_LARGE: 'RESPONSE_TOO_LARGE',

  /** {@link LexofficeAuthLostError}, status 401: the connection is gone (revoked, `invalid_grant`); the user must connect again. */
  AUTH_LOST: 'AUTH_LOST',
  /** Status 401: no token set is stored for this key. */
  NOT_CONNECTED: 'NOT_CONNECTED',
  /** Status 503: the token store, a lock or the webhook dedupe store (e.g. Redis) cannot be reached or is too slow. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /**
   * Status 503: a compare-and-set write lost against newer records several times in a row. Nothing
   * was written; the same call succeeds once the concurrent writers are done, so it is a transient
   * server condition (503), not a conflict the user could resolve (409).
   */
  STORE_CONFLICT: 'STORE_CONFLICT',
  /** Status 503: the refresh lock of a connection could not be taken in time. */
  LOCK_TIMEOUT: 'LOCK_TIMEOUT',
  /** Status 503: a refresh failed for a transient reason; the stored token set is untouched. */
  REFRESH_FAILED: 'REFRESH_FAILED',

  /** {@link LexofficeApiError}, status 401 (502 from the login's profile call): lexoffice answered 401. */
  API_UNAUTHORIZED: 'API_UNAUTHORIZED',
  /** {@link LexofficeApiError}, status 402 (502 from the login's profile call): lexoffice answered 402 (contract issue). */
  API_PAYMENT_REQUIRED: 'API_PAYMENT_REQUIRED',
  /** {@link LexofficeApiError}, status 403 (502 from the login's profile call): lexoffice answered 403 (scope or rights missing). */
  API_FORBIDDEN: 'API_FORBIDDEN',
  /** {@link LexofficeApiError}, status 404 (502 from the login's profile call): lexoffice answered 404. */
  API_NOT_FOUND: 'API_NOT_FOUND',
  /**
   * {@link LexofficeApiError}, status 422 for lexoffice's 406 (validation failed; see `details`), 400
   * for its 400 and for the client's search window ({@link LexofficeSearchWindowError}).
   */
  API_VALIDATION: 'API_VALIDATION',
  /** {@link LexofficeApiError}, status 409: lexoffice answered 409 (stale `version`, duplicate). */
  API_CONFLICT: 'API_CONFLICT',
  /** {@link LexofficeApiError}, status 503 (502 from the login's profile call): lexoffice answered 429 and the retries ran out. */
  API_RATE_LIMITED: 'API_RATE_LIMITED',
  /** {@link LexofficeApiError}, status 502 (504 when lexoffice answered 504): lexoffice answered 5xx. */
  API_SERVER_ERROR: 'API_SERVER_ERROR',
  /** Status 502 ({@link LexofficeApiError} when lexoffice answered): another unexpected status or an unreadable body. */
  API_ERROR: 'API_ERROR',

  /** Status 401: no `X-Lxo-Signature` header. */
  WEBHOOK_SIGNATURE_MISSING: 'WEBHOOK_SIGNATURE_MISSING',
  /** Status 401: the signature does not verify over the raw body. */
  WEBHOOK_SIGNATURE_INVALID: 'WEBHOOK_SIGNATURE_INVALID',
  /** Status 400: the signed body is not a valid event payload. */
  WEBHOOK_PAYLOAD_INVALID: 'WEBHOOK_PAYLOAD_INVALID',
  /** Status 400: the verified event's `eventDate` lies outside the accepted window (too old, or in the future). */
  WEBHOOK_EVENT_STALE: 'WEBHOOK_EVENT_STALE',
} as const

/** Union of every {@link ErrorCodes} value. */
export type LexofficeErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

/** The status of each code unless the throw site gives another documented one (see {@link ErrorCodes}). */
const DEFAULT_STATUS: Readonly<Record<LexofficeErrorCode, number>> = {
  STATE_MISSING: 403,
  STATE_MISMATCH: 403,
  TRANSACTION_EXPIRED: 403,
  DUPLICATE_PARAMETER: 400,
  INVALID_PARAMETER: 400,
  ACCESS_DENIED: 401,
  AUTHORIZATION_ERROR: 400,
  SESSION_MISSING: 500,
  ISSUER_MISMATCH: 400,
  OWNER_MISMATCH: 403,
  CONNECTION_REFUSED: 403,
  UNMANAGED_REFRESH: 500,
  INVALID_GRANT: 400,
  INVALID_CLIENT: 502,
  TOKEN_ENDPOINT_ERROR: 502,
  TOKEN_RESPONSE_INVALID: 502,
  TOKEN_RATE_LIMITED: 503,
  REVOKE_FAILED: 502,
  TIMEOUT: 504,
  NETWORK_ERROR: 502,
  RESPONSE_TOO_LARGE: 502,
  AUTH_LOST: 401,
  NOT_CONNECTED: 401,
  STORE_UNAVAILABLE: 503,
  STORE_CONFLICT: 503,
  LOCK_TIMEOUT: 503,
  REFRESH_FAILED: 503,
  API_UNAUTHORIZED: 401,
  API_PAYMENT_REQUIRED: 402,
  API_FORBIDDEN: 403,
  API_NOT_FOUND: 404,
  API_VALIDATION: 422,
  API_CONFLICT: 409,
  API_RATE_LIMITED: 503,
  API_SERVER_ERROR: 502,
  API_ERROR: 502,
  WEBHOOK_SIGNATURE_MISSING: 401,
  WEBHOOK_SIGNATURE_INVALID: 401,
  WEBHOOK_PAYLOAD_INVALID: 400,
  WEBHOOK_EVENT_STALE: 400,
}

/**
 * Marks errors of this package on their prototype. `Symbol.for` is the same in every copy of the
 * package (two versions in one app, a bundle beside `node_modules`), where `instanceof` fails.
 */
const ERROR_BRAND = Symbol.for('passport-lexoffice.error')

/** Options common to every {@link LexofficeError}. */
export interface LexofficeErrorOptions {
  /** The underlying error. Kept as `cause`; it must itself carry no secret. */
  cause?: unknown
  /** The HTTP status your app should answer with. Default: the code's status (see {@link ErrorCodes}). */
  status?: number
}

/**
 * The error class of this package (option errors are `TypeError`s, as in Node). Codes whose
 * errors carry fields of their own use a subclass ({@link LexofficeAuthorizationError},
 * {@link LexofficeOAuthError}, {@link LexofficeAuthLostError}, {@link LexofficeApiError},
 * `LexofficeSearchWindowError`); every other code is a plain `LexofficeError`. Tell errors apart
 * by `code`, with {@link isLexofficeError}: it works across two copies of the package, where
 * `instanceof` does not.
 *
 * @example
 * ```ts
 * import { isLexofficeError } from 'passport-lexoffice'
 * try {
 *   await manager.getAccessToken(userId)
 * } catch (err) {
 *   if (isLexofficeError(err, 'AUTH_LOST')) res.redirect('/auth/lexoffice')
 *   else throw err
 * }
 * ```
 */
export class LexofficeError extends Error {
  /** Machine-readable code, one of {@link ErrorCodes}. */
  readonly code: LexofficeErrorCode
  /** Suggested HTTP status for your answer (4xx for bad input, 502/503/504 for upstream trouble). */
  readonly status: number
  /** `true` for 4xx: the message may be shown to the user (Express/http-errors convention). */
  readonly expose: boolean

  constructor(code: LexofficeErrorCode, message: string, options: LexofficeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.status = options.status ?? (DEFAULT_STATUS as Partial<Record<string, number>>)[code] ?? 500
    this.expose = this.status < 500
    // `cause` may hold a large object; keep it out of JSON/inspect noise but reachable.
    if (options.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false, writable: true, configurable: true })
    }
  }

  /** A plain, secret-free view for logs and JSON answers. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, status: this.status }
  }
}
Object.defineProperty(LexofficeError.prototype, ERROR_BRAND, { value: true })

/**
 * A bad or refused authorization callback (state, parameters, `error=` from lexoffice).
 * `status` is 400 for malformed input and 403 for state failures; no token request was made.
 *
 * @example
 * ```ts
 * if (err instanceof LexofficeAuthorizationError && err.code === 'ACCESS_DENIED') res.render('denied')
 * ```
 */
export class LexofficeAuthorizationError extends LexofficeError {
  /** The RFC 6749 `error` value lexoffice sent, when the failure came from lexoffice. */
  readonly error: string | undefined
  constructor(code: LexofficeErrorCode, message: string, options: LexofficeErrorOptions & { error?: string } = {}) {
    super(code, message, options)
    this.error = options.error
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), error: this.error }
  }
}

/**
 * The token or revoke endpoint refused a request or answered something unusable.
 * Carries the RFC 6749 `error` code and the upstream HTTP status, never the request or raw body.
 *
 * @example
 * ```ts
 * if (err instanceof LexofficeOAuthError && err.code === 'INVALID_GRANT') console.log('login expired, start again')
 * ```
 */
export class LexofficeOAuthError extends LexofficeError {
  /** RFC 6749 §5.2 `error` (e.g. `invalid_grant`), when the endpoint sent one. */
  readonly error: string | undefined
  /** Sanitised `error_description` (control characters removed, at most 200 characters). */
  readonly errorDescription: string | undefined
  /** HTTP status of the endpoint's answer, when there was one. */
  readonly upstreamStatus: number | undefined
  constructor(
    code: LexofficeErrorCode,
    message: string,
    options: LexofficeErrorOptions & { error?: string; errorDescription?: string; upstreamStatus?: number } = {},
  ) {
    super(code, message, options)
    this.error = options.error
    this.errorDescription = options.errorDescription
    this.upstreamStatus = options.upstreamStatus
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), error: this.error, upstreamStatus: this.upstreamStatus }
  }
}

/**
 * The lexoffice connection is gone (`AUTH_LOST`, status 401): the refresh token was rejected
 * (`invalid_grant`), the connection was revoked (`token.revoked` webhook) or disconnected. The user
 * must connect again. A tombstone in the token store remembers the `reason`, so every caller gets
 * this error at once (no retry storm).
 *
 * @example
 * ```ts
 * if (isLexofficeError(err, 'AUTH_LOST')) console.warn('lexoffice connection lost:', (err as LexofficeAuthLostError).reason)
 * ```
 */
export class LexofficeAuthLostError extends LexofficeError {
  /** Why the connection was lost, e.g. `invalid_grant`, `token.revoked`, `disconnected`. */
  readonly reason: string
  constructor(reason: string, options: LexofficeErrorOptions = {}) {
    super(ErrorCodes.AUTH_LOST, `The lexoffice connection was lost (${reason}); the user must connect again.`, options)
    this.reason = reason
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason }
  }
}

/** One field-level problem reported by lexoffice (regular `details` or legacy `IssueList`). */
export interface LexofficeErrorDetail {
  /** The offending field or source, e.g. `address.countryCode`. */
  field?: string
  /** The violation or i18n key, e.g. `NOTNULL` or `missing_entity`. */
  violation?: string
  /** lexoffice's message (not meant for end users). */
  message?: string
}

/**
 * lexoffice's API answered with an error (every `API_*` code, `API_RATE_LIMITED` after the
 * retries ran out included). All three of lexoffice's error shapes (gateway `{message}`, legacy
 * `IssueList`, regular `{traceId, details}`) map to this one class.
 *
 * @example
 * ```ts
 * try {
 *   await req.lexoffice!.client.contacts.update(id, contact)
 * } catch (err) {
 *   if (err instanceof LexofficeApiError && err.code === 'API_CONFLICT') reloadAndRetry()
 * }
 * ```
 */
export class LexofficeApiError extends LexofficeError {
  /** HTTP status lexoffice answered with. */
  readonly upstreamStatus: number
  /** lexoffice's `traceId` (regular error format), for support requests. */
  readonly traceId: string | undefined
  /** Field-level details from `details` or `IssueList`. */
  readonly details: readonly LexofficeErrorDetail[]
  /** HTTP method and path (without query) of the failed request. */
  readonly request: { method: string; path: string }
  constructor(
    code: LexofficeErrorCode,
    message: string,
    options: LexofficeErrorOptions & {
      upstreamStatus: number
      traceId?: string | undefined
      details?: readonly LexofficeErrorDetail[]
      request: { method: string; path: string }
    },
  ) {
    super(code, message, options)
    this.upstreamStatus = options.upstreamStatus
    this.traceId = options.traceId
    this.details = options.details ?? []
    this.request = options.request
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      upstreamStatus: this.upstreamStatus,
      traceId: this.traceId,
      details: this.details,
      request: this.request,
    }
  }
}

/**
 * `true` when `err` is an error of this package (of any copy of it: the check is a brand, not
 * `instanceof`), and has the given code when one is given.
 *
 * @example
 * ```ts
 * if (isLexofficeError(err, 'AUTH_LOST')) res.redirect('/auth/lexoffice')
 * ```
 */
export function isLexofficeError(err: unknown, code?: LexofficeErrorCode): err is LexofficeError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] === true &&
    (code === undefined || (err as { code?: unknown }).code === code)
  )
}

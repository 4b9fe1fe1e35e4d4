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

/** Machine-readable error codes. Each is assigned to `err.code` of the error class named. */
export const ErrorCodes = {
  /** Assigned to {@link LexofficeAuthorizationError}: the callback carried no `state`. */
  STATE_MISSING: 'STATE_MISSING',
  /** Assigned to {@link LexofficeAuthorizationError}: `state` matches no pending login of this session (unknown, reused or from another browser). */
  STATE_MISMATCH: 'STATE_MISMATCH',
  /** Assigned to {@link LexofficeAuthorizationError}: the pending login is older than its time to live. */
  TRANSACTION_EXPIRED: 'TRANSACTION_EXPIRED',
  /** Assigned to {@link LexofficeAuthorizationError}: a callback parameter was given more than once (RFC 6749 §3.1). */
  DUPLICATE_PARAMETER: 'DUPLICATE_PARAMETER',
  /** Assigned to {@link LexofficeAuthorizationError}: a callback parameter is missing, empty, too long or has bad characters. */
  INVALID_PARAMETER: 'INVALID_PARAMETER',
  /** Assigned to {@link LexofficeAuthorizationError}: the user denied access at lexoffice (`error=access_denied`). */
  ACCESS_DENIED: 'ACCESS_DENIED',
  /** Assigned to {@link LexofficeAuthorizationError}: lexoffice answered the authorization with another RFC 6749 §4.1.2.1 error. */
  AUTHORIZATION_ERROR: 'AUTHORIZATION_ERROR',
  /** Assigned to {@link LexofficeAuthorizationError}: the request had no session (express-session missing, or the cookie was not sent). */
  SESSION_MISSING: 'SESSION_MISSING',
  /** Assigned to {@link LexofficeAuthorizationError}: an `iss` parameter named another authorization server (RFC 9207). */
  ISSUER_MISMATCH: 'ISSUER_MISMATCH',

  /** Assigned to {@link LexofficeOAuthError}: the token endpoint rejected the grant (expired/used code, rotated refresh token). */
  INVALID_GRANT: 'INVALID_GRANT',
  /** Assigned to {@link LexofficeOAuthError}: the token endpoint rejected the client credentials. */
  INVALID_CLIENT: 'INVALID_CLIENT',
  /** Assigned to {@link LexofficeOAuthError}: the token endpoint answered with another RFC 6749 §5.2 error or a non-2xx status. */
  TOKEN_ENDPOINT_ERROR: 'TOKEN_ENDPOINT_ERROR',
  /** Assigned to {@link LexofficeOAuthError}: the token endpoint's 2xx answer is not a valid token response (HTML, not JSON, no access_token...). */
  TOKEN_RESPONSE_INVALID: 'TOKEN_RESPONSE_INVALID',
  /** Assigned to {@link LexofficeOAuthError}: the token endpoint answered 429. Not retried at once: lexoffice may block the client. */
  TOKEN_RATE_LIMITED: 'TOKEN_RATE_LIMITED',
  /** Assigned to {@link LexofficeOAuthError}: revocation at `/oauth2/revoke` failed. */
  REVOKE_FAILED: 'REVOKE_FAILED',

  /** Assigned to {@link LexofficeNetworkError}: the request did not complete within its timeout. */
  TIMEOUT: 'TIMEOUT',
  /** Assigned to {@link LexofficeNetworkError}: connection refused or reset, DNS or TLS failure. */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** Assigned to {@link LexofficeNetworkError}: the response body was larger than allowed. */
  RESPONSE_TOO_LARGE: 'RESPONSE_TOO_LARGE',

  /** Assigned to {@link LexofficeAuthLostError}: the connection is gone (revoked, `invalid_grant`); the user must connect again. */
  AUTH_LOST: 'AUTH_LOST',
  /** Assigned to {@link LexofficeNotConnectedError}: no token set is stored for this key. */
  NOT_CONNECTED: 'NOT_CONNECTED',
  /** Assigned to {@link LexofficeStoreError}: the token store or the webhook dedupe store (e.g. Redis) cannot be reached. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** Assigned to {@link LexofficeStoreError}: a compare-and-set write lost against a newer record. */
  STORE_CONFLICT: 'STORE_CONFLICT',
  /** Assigned to {@link LexofficeLockError}: the refresh lock of a connection could not be taken in time. */
  LOCK_TIMEOUT: 'LOCK_TIMEOUT',
  /** Assigned to {@link LexofficeRefreshError}: a refresh failed for a transient reason; the stored token set is untouched. */
  REFRESH_FAILED: 'REFRESH_FAILED',

  /** Assigned to {@link LexofficeApiError}: lexoffice answered 401. */
  API_UNAUTHORIZED: 'API_UNAUTHORIZED',
  /** Assigned to {@link LexofficeApiError}: lexoffice answered 402 (contract issue). */
  API_PAYMENT_REQUIRED: 'API_PAYMENT_REQUIRED',
  /** Assigned to {@link LexofficeApiError}: lexoffice answered 403 (scope or rights missing). */
  API_FORBIDDEN: 'API_FORBIDDEN',
  /** Assigned to {@link LexofficeApiError}: lexoffice answered 404. */
  API_NOT_FOUND: 'API_NOT_FOUND',
  /** Assigned to {@link LexofficeApiError}: lexoffice answered 406 (validation failed; see `details`). */
  API_VALIDATION: 'API_VALIDATION',
  /** Assigned to {@link LexofficeApiError}: lexoffice answered 409 (stale `version`, duplicate). */
  API_CONFLICT: 'API_CONFLICT',
  /** Assigned to {@link LexofficeRateLimitError}: lexoffice answered 429 and the retries ran out. */
  API_RATE_LIMITED: 'API_RATE_LIMITED',
  /** Assigned to {@link LexofficeApiError}: lexoffice answered 5xx. */
  API_SERVER_ERROR: 'API_SERVER_ERROR',
  /** Assigned to {@link LexofficeApiError}: another unexpected status or an unreadable body. */
  API_ERROR: 'API_ERROR',

  /** Assigned to {@link LexofficeWebhookError}: no `X-Lxo-Signature` header. */
  WEBHOOK_SIGNATURE_MISSING: 'WEBHOOK_SIGNATURE_MISSING',
  /** Assigned to {@link LexofficeWebhookError}: the signature does not verify over the raw body. */
  WEBHOOK_SIGNATURE_INVALID: 'WEBHOOK_SIGNATURE_INVALID',
  /** Assigned to {@link LexofficeWebhookError}: the signed body is not a valid event payload. */
  WEBHOOK_PAYLOAD_INVALID: 'WEBHOOK_PAYLOAD_INVALID',
  /** Assigned to {@link LexofficeWebhookError}: the verified event's `eventDate` lies outside the accepted window (too old, or in the future). */
  WEBHOOK_EVENT_STALE: 'WEBHOOK_EVENT_STALE',
} as const

/** Union of every {@link ErrorCodes} value. */
export type LexofficeErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

/** Options common to every {@link LexofficeError}. */
export interface LexofficeErrorOptions {
  /** The underlying error. Kept as `cause`; it must itself carry no secret. */
  cause?: unknown
  /** The HTTP status your app should answer with. */
  status?: number
}

/**
 * Base class of every error this package throws (option errors are `TypeError`s, as in Node).
 *
 * @example
 * ```ts
 * import { LexofficeError } from 'passport-lexoffice'
 * try {
 *   await manager.getAccessToken(userId)
 * } catch (err) {
 *   if (err instanceof LexofficeError && err.code === 'AUTH_LOST') res.redirect('/auth/lexoffice')
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
    this.status = options.status ?? 500
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
    super(code, message, { status: 400, ...options })
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
    super(code, message, { status: 502, ...options })
    this.error = options.error
    this.errorDescription = options.errorDescription
    this.upstreamStatus = options.upstreamStatus
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), error: this.error, upstreamStatus: this.upstreamStatus }
  }
}

/**
 * A request to lexoffice (token, revoke, API) timed out, failed at the network level, or its
 * answer was too large. `status` is 504 for timeouts and 502 otherwise.
 *
 * @example
 * ```ts
 * if (err instanceof LexofficeNetworkError && err.code === 'TIMEOUT') res.status(504).send('lexoffice is slow, try again')
 * ```
 */
export class LexofficeNetworkError extends LexofficeError {}

/**
 * The lexoffice connection is gone: the refresh token was rejected (`invalid_grant`), the
 * connection was revoked (`token.revoked` webhook) or disconnected. The user must connect again.
 * A tombstone in the token store remembers the `reason`, so every caller gets this error at once
 * (no retry storm).
 *
 * @example
 * ```ts
 * manager.on('authLost', ({ key, reason }) => console.warn('lexoffice connection lost', key, reason))
 * ```
 */
export class LexofficeAuthLostError extends LexofficeError {
  /** Why the connection was lost, e.g. `invalid_grant`, `token.revoked`, `disconnected`. */
  readonly reason: string
  constructor(reason: string, options: LexofficeErrorOptions = {}) {
    super(ErrorCodes.AUTH_LOST, `The lexoffice connection was lost (${reason}); the user must connect again.`, {
      status: 401,
      ...options,
    })
    this.reason = reason
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason }
  }
}

/**
 * No lexoffice connection is stored for this key (the user never connected, or disconnected).
 *
 * @example
 * ```ts
 * if (err instanceof LexofficeNotConnectedError) res.redirect('/auth/lexoffice')
 * ```
 */
export class LexofficeNotConnectedError extends LexofficeError {
  constructor(message = 'No lexoffice connection is stored for this user.', options: LexofficeErrorOptions = {}) {
    super(ErrorCodes.NOT_CONNECTED, message, { status: 401, ...options })
  }
}

/**
 * The token store (or the webhook dedupe store) failed (`STORE_UNAVAILABLE`, status 503), or a
 * compare-and-set write lost against a newer record (`STORE_CONFLICT`, status 409). Stored tokens
 * are never lost by it.
 *
 * @example
 * ```ts
 * if (err instanceof LexofficeStoreError && err.code === 'STORE_UNAVAILABLE') res.status(503).send('try again soon')
 * ```
 */
export class LexofficeStoreError extends LexofficeError {}

/**
 * The cross-process refresh lock could not be taken within its wait time (status 503).
 *
 * @example
 * ```ts
 * if (err instanceof LexofficeLockError) res.status(503).set('Retry-After', '1').end()
 * ```
 */
export class LexofficeLockError extends LexofficeError {}

/**
 * A refresh failed for a transient reason (token endpoint 5xx, timeout, network) and the
 * retries inside the expiry window ran out. The stored token set is untouched; the next call
 * tries again. `cause` holds the last underlying error.
 *
 * @example
 * ```ts
 * manager.on('refreshFailed', ({ key, code, attempt }) => metrics.increment('lexoffice.refresh_failed', { code }))
 * ```
 */
export class LexofficeRefreshError extends LexofficeError {}

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
 * lexoffice's API answered with an error. All three of lexoffice's error shapes (gateway
 * `{message}`, legacy `IssueList`, regular `{traceId, details}`) map to this one class.
 *
 * @example
 * ```ts
 * try {
 *   await req.lexoffice.client.contacts.update(id, contact)
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
 * lexoffice answered 429 and the client's bounded retries ran out.
 *
 * @example
 * ```ts
 * if (err instanceof LexofficeRateLimitError) res.status(503).set('Retry-After', '2').end()
 * ```
 */
export class LexofficeRateLimitError extends LexofficeApiError {}

/**
 * A webhook request failed verification (missing or bad `X-Lxo-Signature`, status 401), or its
 * verified body is not a valid event or is dated outside the accepted window (status 400). No handler ran.
 *
 * @example
 * ```ts
 * if (err instanceof LexofficeWebhookError) console.warn('rejected webhook', err.code)
 * ```
 */
export class LexofficeWebhookError extends LexofficeError {}

/**
 * `true` when `err` is a {@link LexofficeError} with the given code.
 *
 * @example
 * ```ts
 * if (isLexofficeError(err, 'AUTH_LOST')) res.redirect('/auth/lexoffice')
 * ```
 */
export function isLexofficeError(err: unknown, code?: LexofficeErrorCode): err is LexofficeError {
  return err instanceof LexofficeError && (code === undefined || err.code === code)
}

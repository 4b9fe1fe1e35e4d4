import { randomBytes } from 'node:crypto'
import { formatLexofficeDate, reasonPhrase } from '../http'
import type { SandboxResponse } from '../types'

/**
 * The three error body shapes of the lexoffice API (docs/lexoffice.md §5), as sandbox responses.
 *
 * - **legacy** `{ IssueList: [...] }`: contacts, files, vouchers;
 * - **regular** `{ timestamp, status, error, path, traceId, message, details }`: every other endpoint;
 * - **gateway** `{ message }`: 401, 429 and 500, answered before an endpoint sees the request.
 *
 * @packageDocumentation
 */

/** Which error body an endpoint answers with. */
export type ErrorStyle = 'legacy' | 'regular'

/** One entry of a legacy `IssueList`. */
export interface LegacyIssue {
  /** Machine-readable key, e.g. `missing_entity`, `invalid_value`, `bad_request_error`. */
  i18nKey: string
  /** The offending field (dotted path) or a short description. */
  source: string
  /** `validation_failure`, `bad_request_error`, `conflict`, `not_found`... */
  type: string
  additionalData?: unknown
  args?: unknown
}

/** One entry of a regular error's `details`. */
export interface RegularDetail {
  /** Constraint name, e.g. `NOTNULL`, `PATTERN`, `NOTALLOWED`, `NOTUNIQUE`. */
  violation: string
  /** The offending field (dotted path with `[i]` indices). */
  field: string
  /** Human text (German in lexoffice; not meant for end users). */
  message: string
}

/** A problem found while validating a request, independent of the body shape it is rendered in. */
export interface Violation {
  /** Dotted path of the field, e.g. `lineItems[0].name`. */
  field: string
  /** Constraint name (regular `violation`); mapped to an `i18nKey` for legacy bodies. */
  violation: 'NOTNULL' | 'PATTERN' | 'NOTALLOWED' | 'NOTUNIQUE' | 'NOTFOUND' | 'MIN' | 'MAX' | 'SIZE'
  message: string
}

export { reasonPhrase }

const JSON_HEADERS = { 'content-type': 'application/json' }

/** A legacy `{ IssueList }` error response. */
export function legacyError(status: number, issues: LegacyIssue[]): SandboxResponse {
  return {
    status,
    headers: JSON_HEADERS,
    body: {
      IssueList: issues.map((i) => ({
        i18nKey: i.i18nKey,
        source: i.source,
        type: i.type,
        additionalData: i.additionalData ?? null,
        args: i.args ?? null,
      })),
    },
  }
}

/** A regular (Spring-style) error response. `path` is the request path without query; `now` the sandbox clock (ms). */
export function regularError(
  status: number,
  path: string,
  message: string,
  details: RegularDetail[] = [],
  now: number = Date.now(),
): SandboxResponse {
  return {
    status,
    headers: JSON_HEADERS,
    body: {
      timestamp: formatLexofficeDate(now),
      status,
      error: reasonPhrase(status),
      path,
      traceId: randomBytes(6).toString('hex'),
      message,
      details,
    },
  }
}

/** A gateway error `{ message }` (401, 429, 500). */
export function gatewayError(status: number, message: string | null): SandboxResponse {
  return { status, headers: JSON_HEADERS, body: { message } }
}

const LEGACY_KEYS: Record<Violation['violation'], string> = {
  NOTNULL: 'missing_entity',
  PATTERN: 'invalid_value',
  NOTALLOWED: 'invalid_value',
  NOTUNIQUE: 'not_unique',
  NOTFOUND: 'missing_entity',
  MIN: 'invalid_value',
  MAX: 'invalid_value',
  SIZE: 'invalid_value',
}

/**
 * Errors of one endpoint in its own style: every handler builds its errors through one of these,
 * so an endpoint can never answer in the wrong shape.
 */
export interface ErrorFactory {
  readonly style: ErrorStyle
  /** 400: malformed request (bad JSON, bad query parameter). */
  badRequest(message: string, field?: string): SandboxResponse
  /** 404: unknown id. */
  notFound(what: string): SandboxResponse
  /** 406: validation failed. */
  validation(violations: Violation[]): SandboxResponse
  /** 409: stale version or duplicate. */
  conflict(message: string, field?: string): SandboxResponse
  /**
   * A stale `version`: 409 (lexoffice's docs), or 406 naming the field `version` with
   * `invalid_value` (what a live measurement found for contacts).
   */
  staleVersion(status: 406 | 409, message: string): SandboxResponse
  /** 415: Content-Type missing or not supported. */
  unsupportedMediaType(contentType: string | undefined): SandboxResponse
  /** 413: request body too large. */
  tooLarge(message: string): SandboxResponse
  /** 406 for an `Accept` header the endpoint cannot serve. */
  notAcceptable(accept: string): SandboxResponse
}

/** The error factory of an endpoint answering in `style`, for the request at `path`; `now` is the sandbox clock. */
export function errorsFor(style: ErrorStyle, path: string, now: () => number = Date.now): ErrorFactory {
  if (style === 'legacy') {
    return {
      style,
      badRequest: (message, field = 'request') =>
        legacyError(400, [{ i18nKey: 'bad_request_error', source: field, type: 'bad_request_error', additionalData: message }]),
      notFound: (what) => legacyError(404, [{ i18nKey: 'not_found', source: what, type: 'not_found' }]),
      validation: (violations) =>
        legacyError(
          406,
          violations.map((v) => ({
            i18nKey: LEGACY_KEYS[v.violation],
            source: v.field,
            type: 'validation_failure',
            additionalData: v.message,
          })),
        ),
      conflict: (message, field = 'version') =>
        legacyError(409, [{ i18nKey: 'conflict', source: field, type: 'conflict', additionalData: message }]),
      staleVersion: (status, message) =>
        status === 409
          ? legacyError(409, [{ i18nKey: 'conflict', source: 'version', type: 'conflict', additionalData: message }])
          : legacyError(406, [{ i18nKey: 'invalid_value', source: 'version', type: 'validation_failure', additionalData: message }]),
      unsupportedMediaType: (contentType) =>
        legacyError(415, [
          { i18nKey: 'unsupported_media_type', source: 'Content-Type', type: 'bad_request_error', additionalData: contentType ?? null },
        ]),
      tooLarge: (message) =>
        legacyError(413, [{ i18nKey: 'payload_too_large', source: 'body', type: 'bad_request_error', additionalData: message }]),
      notAcceptable: (accept) =>
        legacyError(406, [{ i18nKey: 'not_acceptable', source: 'Accept', type: 'bad_request_error', additionalData: accept }]),
    }
  }
  return {
    style,
    badRequest: (message, field) =>
      regularError(400, path, message, field === undefined ? [] : [{ violation: 'NOTALLOWED', field, message }], now()),
    notFound: (what) => regularError(404, path, `${what} not found`, [], now()),
    validation: (violations) =>
      regularError(
        406,
        path,
        'Validation failed for request. Please see details list for specific causes.',
        violations.map((v) => ({ violation: v.violation, field: v.field, message: v.message })),
        now(),
      ),
    conflict: (message, field) =>
      regularError(409, path, message, field === undefined ? [] : [{ violation: 'NOTUNIQUE', field, message }], now()),
    staleVersion: (status, message) =>
      status === 409
        ? regularError(409, path, message, [], now())
        : regularError(
            406,
            path,
            'Validation failed for request. Please see details list for specific causes.',
            [{ violation: 'NOTALLOWED', field: 'version', message }],
            now(),
          ),
    unsupportedMediaType: (contentType) => regularError(415, path, `Content type '${contentType ?? ''}' not supported`, [], now()),
    tooLarge: (message) => regularError(413, path, message, [], now()),
    notAcceptable: (accept) => regularError(406, path, `Could not find acceptable representation for '${accept}'`, [], now()),
  }
}

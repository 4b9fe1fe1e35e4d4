import type { SandboxRequest, SandboxResponse } from '../types'
import type { ErrorFactory } from './errors'

/**
 * Request helpers shared by the sandbox's API resources: body parsing with lexoffice's status
 * codes (415 without `Content-Type`, 400 for malformed JSON), search-string decoding, paging and
 * action results.
 *
 * @internal
 * @packageDocumentation
 */

/**
 * Thrown by a resource handler to answer with a ready error response. The route wrapper turns it
 * into the response; any other exception becomes a gateway 500.
 *
 * @internal
 */
export class ApiFailure extends Error {
  constructor(readonly response: SandboxResponse) {
    super(`sandbox API answered ${response.status}`)
    this.name = 'ApiFailure'
  }
}

/** Throws `response` as an {@link ApiFailure}. @internal */
export function fail(response: SandboxResponse): never {
  throw new ApiFailure(response)
}

/** The media type of a `Content-Type` header, lower case, without parameters. @internal */
export function mediaType(req: SandboxRequest): string | undefined {
  const raw = req.headers['content-type']
  if (typeof raw !== 'string' || raw.trim() === '') return undefined
  return (raw.split(';')[0] ?? '').trim().toLowerCase()
}

/** A JSON object body. @internal */
export type JsonObject = Record<string, unknown>

/**
 * Parses a JSON request body: 415 unless `Content-Type` is `application/json` (or `+json`), 400 for
 * malformed JSON, 406 (via `errors.validation`) when the body is not an object.
 *
 * @internal
 */
export function readJsonObject(req: SandboxRequest, errors: ErrorFactory): JsonObject {
  const type = mediaType(req)
  if (type === undefined || !(type === 'application/json' || type.endsWith('+json'))) {
    fail(errors.unsupportedMediaType(typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined))
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(req.body.toString('utf8'))
  } catch {
    fail(errors.badRequest('Malformed JSON request body', 'body'))
  }
  if (!isObject(parsed)) {
    fail(errors.validation([{ field: 'body', violation: 'NOTNULL', message: 'request body must be a JSON object' }]))
  }
  return parsed
}

/** True for a plain (non-array, non-null) object. @internal */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A non-blank string. @internal */
export function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== ''
}

/** A finite number. @internal */
export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(?:Z|[+-]\d{2}:\d{2})$/

/** lexoffice's timestamp format `yyyy-MM-ddTHH:mm:ss.SSSXXX` (exactly 3 ms digits), and a real date. @internal */
export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value))
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** A `yyyy-MM-dd` query date. @internal */
export function isDay(value: string): boolean {
  return DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A UUID in canonical text form. @internal */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}

/**
 * Decodes a search string as lexoffice expects it: the client HTML-encodes `&`, `<`, `>` and then
 * URL-encodes the result (docs/lexoffice.md §5). `URLSearchParams` has already undone the URL
 * encoding; this undoes the HTML encoding (the named entities `&amp;`, `&lt;`, `&gt;`, `&quot;`,
 * `&apos;` and numeric entities).
 *
 * @internal
 */
export function decodeSearchString(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (entity, name: string) => {
    switch (name) {
      case 'amp':
        return '&'
      case 'lt':
        return '<'
      case 'gt':
        return '>'
      case 'quot':
        return '"'
      case 'apos':
        return "'"
      default: {
        const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity
      }
    }
  })
}

/**
 * A case-insensitive "contains" matcher with lexoffice's wildcards: `_` is one arbitrary
 * character, `%` any number of characters, and a backslash escapes either (contacts `email` and
 * `name` filters).
 *
 * @internal
 */
export function likeMatcher(pattern: string): (value: string) => boolean {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]
    if (ch === '\\' && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[++i])
    } else if (ch === '_') {
      source += '.'
    } else if (ch === '%') {
      source += '.*'
    } else {
      source += escapeRegExp(ch)
    }
  }
  const re = new RegExp(source, 'isu')
  return (value) => re.test(value)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** One query parameter that must appear at most once; 400 if repeated. @internal */
export function singleParam(req: SandboxRequest, name: string, errors: ErrorFactory): string | undefined {
  const values = req.query.getAll(name)
  if (values.length > 1) fail(errors.badRequest(`Query parameter '${name}' given more than once`, name))
  return values[0]
}

/** A `true`/`false` query parameter; 400 for anything else. @internal */
export function booleanParam(req: SandboxRequest, name: string, errors: ErrorFactory): boolean | undefined {
  const value = singleParam(req, name, errors)
  if (value === undefined) return undefined
  if (value === 'true') return true
  if (value === 'false') return false
  return fail(errors.badRequest(`Query parameter '${name}' must be true or false`, name))
}

/** The sandbox's own base URL as the client reached it (from the `Host` header). @internal */
export function baseUrl(req: SandboxRequest): string {
  const host = typeof req.headers.host === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host) ? req.headers.host : 'localhost'
  return `http://${host}`
}

/** An entity's action-result fields. */
export interface Versioned {
  id: string
  createdDate: string
  updatedDate: string
  version: number
}

/**
 * lexoffice's "action result" answer to a POST/PUT: `{ id, resourceUri, createdDate, updatedDate,
 * version }`, with the resource URI also in `Location` (since 16.09.2024).
 *
 * @internal
 */
export function actionResult(req: SandboxRequest, resource: string, entity: Versioned, status = 200): SandboxResponse {
  const resourceUri = `${baseUrl(req)}/v1/${resource}/${entity.id}`
  return {
    status,
    headers: { 'content-type': 'application/json', location: resourceUri },
    body: { id: entity.id, resourceUri, createdDate: entity.createdDate, updatedDate: entity.updatedDate, version: entity.version },
  }
}

/** A 200 JSON response. @internal */
export function ok(body: object): SandboxResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body }
}

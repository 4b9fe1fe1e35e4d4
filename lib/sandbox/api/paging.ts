import type { SandboxRequest } from '../types'
import type { ErrorFactory } from './errors'
import { fail, singleParam } from './http'

/**
 * lexoffice's Spring-style paging (docs/lexoffice.md §7): `page` is 0-based, `size` defaults to 25
 * and is capped per endpoint (250 for articles, contacts, voucherlist and vouchers, 100 elsewhere),
 * and no request may reach past the 10,000-entry search window.
 *
 * @packageDocumentation
 */

/** The hard search window: no page may end beyond this many entries. */
export const SEARCH_WINDOW = 10_000

/** Default page size. */
export const DEFAULT_PAGE_SIZE = 25

/** One sort order entry of a page (`sort` array). */
export interface PageSort {
  property: string
  direction: 'ASC' | 'DESC'
  ignoreCase: boolean
  nullHandling: 'NATIVE'
  ascending: boolean
  descending: boolean
}

/** A Spring-style page, as lexoffice answers paged list endpoints. */
export interface Page<T> {
  content: T[]
  first: boolean
  last: boolean
  totalPages: number
  totalElements: number
  numberOfElements: number
  size: number
  number: number
  sort: PageSort[]
}

/** Parsed `page`/`size` of a request. @internal */
export interface PageRequest {
  page: number
  size: number
}

const INTEGER = /^\d{1,9}$/

/**
 * Reads `page` and `size`: 400 for non-numbers or `size=0`; a `size` above `maxSize` is clamped
 * to it (Spring's behaviour); 400 "Maximum search window size exceeded" when the requested page
 * ends beyond {@link SEARCH_WINDOW} (`(page + 1) * size > 10000`).
 *
 * @internal
 */
export function parsePaging(req: SandboxRequest, errors: ErrorFactory, maxSize: number): PageRequest {
  const rawPage = singleParam(req, 'page', errors)
  const rawSize = singleParam(req, 'size', errors)
  if (rawPage !== undefined && !INTEGER.test(rawPage)) fail(errors.badRequest(`Invalid page '${rawPage}'`, 'page'))
  if (rawSize !== undefined && !INTEGER.test(rawSize)) fail(errors.badRequest(`Invalid size '${rawSize}'`, 'size'))
  const page = rawPage === undefined ? 0 : Number(rawPage)
  let size = rawSize === undefined ? DEFAULT_PAGE_SIZE : Number(rawSize)
  if (size < 1) fail(errors.badRequest('Page size must not be less than one', 'size'))
  size = Math.min(size, maxSize)
  if ((page + 1) * size > SEARCH_WINDOW) fail(errors.badRequest('Maximum search window size exceeded', 'page'))
  return { page, size }
}

/** Cuts one page out of `items` (already filtered and sorted). @internal */
export function toPage<T>(items: readonly T[], request: PageRequest, sort: PageSort[] = []): Page<T> {
  const totalElements = Math.min(items.length, SEARCH_WINDOW)
  const totalPages = Math.ceil(totalElements / request.size)
  const content = items.slice(request.page * request.size, Math.min((request.page + 1) * request.size, totalElements))
  return {
    content,
    first: request.page === 0,
    last: request.page >= totalPages - 1,
    totalPages,
    totalElements,
    numberOfElements: content.length,
    size: request.size,
    number: request.page,
    sort,
  }
}

/** A `sort` array entry for `property`. @internal */
export function sortEntry(property: string, direction: 'ASC' | 'DESC'): PageSort {
  return {
    property,
    direction,
    ignoreCase: false,
    nullHandling: 'NATIVE',
    ascending: direction === 'ASC',
    descending: direction === 'DESC',
  }
}

/**
 * Parses `sort=property[,ASC|DESC]` against the allowed properties (400 otherwise) and returns the
 * order to apply, or `fallback` without a `sort` parameter.
 *
 * @internal
 */
export function parseSort(req: SandboxRequest, errors: ErrorFactory, allowed: readonly string[], fallback: PageSort): PageSort {
  const raw = singleParam(req, 'sort', errors)
  if (raw === undefined) return fallback
  const [property = '', direction = 'ASC', ...rest] = raw.split(',').map((s) => s.trim())
  const match = allowed.find((a) => a.toLowerCase() === property.toLowerCase())
  const dir = direction.toUpperCase()
  if (match === undefined || rest.length > 0 || (dir !== 'ASC' && dir !== 'DESC')) {
    return fail(errors.badRequest(`Invalid sort '${raw}'`, 'sort'))
  }
  return sortEntry(match, dir)
}

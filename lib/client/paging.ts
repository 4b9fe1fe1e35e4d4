import { invalidArg } from '../options/assert'
import { LexofficeSearchWindowError, SEARCH_WINDOW } from './LexofficeSearchWindowError'
import type { IterateOptions, Page } from './types/common'

/**
 * @internal Follows `page` from 0 until `last`, never asking for a page that reaches past the
 * 10,000-entry search window. `maxPageSize` is the endpoint's largest page (the default page size
 * of the iteration too).
 */
export async function* iteratePages<T>(
  path: string,
  fetchPage: (page: number, size: number) => Promise<Page<T>>,
  options: IterateOptions = {},
  maxPageSize = 250,
): AsyncGenerator<T, void, undefined> {
  const size = options.pageSize ?? maxPageSize
  if (!Number.isInteger(size) || size < 1 || size > maxPageSize)
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"pageSize" must be an integer between 1 and ${maxPageSize}`)
  const mode = options.searchWindow ?? 'error'
  let yielded = 0
  for (let page = 0; ; page++) {
    const result = await fetchPage(page, size)
    for (const item of result.content ?? []) {
      yielded++
      yield item
    }
    if (result.last || (result.content ?? []).length === 0) return
    if ((page + 2) * size > SEARCH_WINDOW) {
      if (mode === 'stop') return
      throw new LexofficeSearchWindowError(path, yielded, result.totalElements)
    }
  }
}

/** @internal Collects an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

/** @internal Checks an id before it goes into a path, and encodes it. */
export function pathId(id: unknown, name = 'id'): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200)
    throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be a non-empty string`)
  return encodeURIComponent(id)
}

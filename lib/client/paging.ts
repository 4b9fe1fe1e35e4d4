import { isLexofficeId } from '../lexofficeId'
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
    // lexoffice leaves `content` out of some empty pages.
    const content = result.content as readonly T[] | undefined
    for (const item of content ?? []) {
      yielded++
      yield item
    }
    if (result.last || (content ?? []).length === 0) return
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

/**
 * @internal Checks an id before it goes into a path: the one gate every resource uses. Only a
 * lexoffice id (a UUID) passes, so no id can leave its resource path (`.` and `..` would be removed
 * by URL normalisation: `DELETE /v1/articles/..` becomes `DELETE /v1/`).
 */
export function pathId(id: unknown, name = 'id'): string {
  if (typeof id !== 'string') throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be a string`)
  if (!isLexofficeId(id)) throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be a lexoffice id (a UUID)`)
  return id
}

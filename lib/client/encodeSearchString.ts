/**
 * Encodes a search value the way lexoffice requires for contacts (`name`, `email`), vouchers
 * and voucherlist searches: first HTML-encode `&`, `<` and `>` (as `&amp;`, `&lt;`, `&gt;`),
 * then URL-encode the result. The client does this for you; use this function only when you
 * build URLs yourself.
 *
 * @example
 * ```ts
 * import { encodeSearchString } from 'passport-lexoffice'
 * encodeSearchString('Smith & Sons') // 'Smith%20%26amp%3B%20Sons'
 * ```
 */
export function encodeSearchString(value: string): string {
  return encodeURIComponent(htmlEncode(value))
}

/** @internal `&`, `<`, `>` to entities (`&` first, so entities are not encoded twice over). */
export function htmlEncode(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * Query values the client accepts. Arrays are sent comma-separated (`voucherType=invoice,creditnote`).
 *
 * @example
 * ```ts
 * const q: Record<string, QueryValue> = { voucherType: ['invoice', 'creditnote'], archived: false }
 * ```
 */
export type QueryValue = string | number | boolean | readonly string[] | undefined

/**
 * @internal Builds `a=1&b=2` from a record, skipping `undefined`; keys in `searchKeys` are
 * HTML-encoded before URL-encoding.
 */
export function buildQuery(params: Readonly<Record<string, QueryValue>>, searchKeys: readonly string[] = []): string {
  const parts: string[] = []
  for (const [key, raw] of Object.entries(params)) {
    if (raw === undefined) continue
    const value = Array.isArray(raw) ? raw.join(',') : String(raw)
    parts.push(`${encodeURIComponent(key)}=${searchKeys.includes(key) ? encodeSearchString(value) : encodeURIComponent(value)}`)
  }
  return parts.join('&')
}

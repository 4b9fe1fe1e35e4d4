/**
 * Where to send the user after login, accepted only as a relative path on our own origin
 * (RFC 9700 §4.11.1: no open redirectors).
 *
 * @packageDocumentation
 */

/**
 * Longest `returnTo` we keep. Longer values are ignored.
 *
 * @example
 * ```ts
 * sanitizeReturnTo('/' + 'a'.repeat(MAX_RETURN_TO_LENGTH)) // undefined
 * ```
 */
export const MAX_RETURN_TO_LENGTH = 2048

/**
 * Returns `value` if it is a safe same-origin relative path, else `undefined`.
 *
 * Accepted: a string that starts with exactly one `/` followed by something that is neither `/`
 * nor `\`, contains no control characters, no backslash anywhere and no encoded CR/LF/NUL/TAB,
 * and that resolves to the same origin. Rejected (ignored): `//evil.com`, `/\evil.com`,
 * `https://evil.com`, `javascript:x`, `%0d%0a/`, values with control characters, arrays, objects
 * and anything over {@link MAX_RETURN_TO_LENGTH} characters.
 *
 * @example
 * ```ts
 * sanitizeReturnTo('/invoices?page=2') // '/invoices?page=2'
 * sanitizeReturnTo('//evil.com')        // undefined
 * ```
 */
export function sanitizeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  if (value.length === 0 || value.length > MAX_RETURN_TO_LENGTH) return undefined
  if (value[0] !== '/' || value[1] === '/' || value[1] === '\\') return undefined
  // Control characters (raw) and backslashes anywhere: WHATWG URL turns `\` into `/`.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(value)) return undefined
  // Encoded control characters and encoded slashes/backslashes at the start (`/%2f/evil.com`).
  if (/%(?:0[0-9a-f]|1[0-9a-f]|7f)/i.test(value)) return undefined
  if (/^\/%(?:2f|5c)/i.test(value)) return undefined
  let resolved: URL
  try {
    resolved = new URL(value, 'http://origin.invalid')
  } catch {
    return undefined
  }
  if (resolved.origin !== 'http://origin.invalid') return undefined
  return value
}

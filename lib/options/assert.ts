/**
 * Small argument checks used by every `resolve*Options()` function. They throw Node-style
 * `TypeError`s with `code` `ERR_INVALID_ARG_TYPE` or `ERR_INVALID_ARG_VALUE`, naming the option,
 * as Node core and oauth4webapi do. Messages never include the offending value when it could
 * be a secret.
 *
 * @internal
 */

/** A TypeError with a Node-style `code`. @internal */
export function invalidArg(code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE', message: string): TypeError {
  const err = new TypeError(message) as TypeError & { code: string }
  err.code = code
  return err
}

/** @internal */
export function assertString(value: unknown, name: string, opts: { min?: number; max?: number } = {}): asserts value is string {
  if (typeof value !== 'string') throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be a string`)
  if (value.length < (opts.min ?? 1)) throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must not be empty`)
  if (opts.max !== undefined && value.length > opts.max)
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be at most ${opts.max} characters`)
}

/** @internal */
export function assertFunction(value: unknown, name: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be a function`)
}

/** @internal */
export function assertBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be a boolean`)
}

/** @internal */
export function assertInteger(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be an integer`)
  if (value < min || value > max) throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be between ${min} and ${max}`)
}

/** @internal */
export function assertNumber(value: unknown, name: string, min: number, max = Number.MAX_VALUE): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be a number`)
  if (value < min || value > max) throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be between ${min} and ${max}`)
}

/** `true` for http URLs on loopback hosts, the only place where plain http is allowed. @internal */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/**
 * Checks an absolute http(s) URL. Plain `http:` is refused unless the host is loopback
 * (RFC 9700 §2.6: authorization responses and tokens travel over TLS only).
 * @internal
 */
export function assertUrl(value: unknown, name: string, opts: { allowRelative?: boolean } = {}): asserts value is string {
  assertString(value, name)
  if (opts.allowRelative && value.startsWith('/') && !value.startsWith('//')) return
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be an absolute URL`)
  }
  if (url.protocol === 'https:') return
  if (url.protocol === 'http:' && isLoopbackUrl(url)) return
  throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be an https URL (http only on localhost/127.0.0.1)`)
}

/** Rejects keys that are not listed, to catch typos such as `clientId` for `clientID`. @internal */
export function assertKnownKeys(value: object, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw invalidArg('ERR_INVALID_ARG_VALUE', `unknown ${what} option "${key}"`)
  }
}

/** `true` for a non-null object: the run-time check of input whose static type says "object". @internal */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object'
}

/** What {@link assertObject} proves: an `unknown` input becomes a record, a typed one keeps its type. @internal */
export type CheckedObject<T> = T & (unknown extends T ? Record<string, unknown> : object)

/**
 * Checks that an option (set) is a non-null object. Typed parameters are checked too: JavaScript
 * callers do not see the types.
 * @internal
 */
export function assertObject<T>(value: T, name: string, what = 'an object'): asserts value is CheckedObject<T> {
  if (!isObject(value)) throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be ${what}`)
}

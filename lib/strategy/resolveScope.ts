import { invalidArg } from '../options/assert'

/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/**
 * Normalises a scope option (array or space-separated string) to one space-separated string. @internal
 */
export function resolveScope(scope: unknown, name = 'scope'): string | undefined {
  if (scope === undefined) return undefined
  let tokens: unknown[]
  if (typeof scope === 'string') tokens = scope.split(' ').filter((s) => s !== '')
  else if (Array.isArray(scope)) tokens = scope
  else throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be a string or an array of strings`)
  if (tokens.length === 0)
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must name at least one scope (omit it to request all scopes)`)
  for (const token of tokens) {
    if (typeof token !== 'string' || !SCOPE_TOKEN.test(token) || token.length > 200) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" contains an invalid scope token`)
    }
  }
  return [...new Set(tokens as string[])].join(' ')
}

import { isLexofficeError } from '../errors'

const MAX_MESSAGE = 200

/**
 * The `cause` to keep of an underlying error, stripped of anything that could hold a secret: a
 * new `Error` with only the name, the `code` and a one-line message of at most 200 characters
 * (joined with the message of the error's own cause, e.g. undici's "fetch failed: connect
 * ECONNREFUSED"). Backend errors can reference what was sent (ioredis attaches `command.args`,
 * i.e. the token record; undici errors the request with its headers): none of that is copied.
 * Errors of this package are kept as they are (they carry no secret by construction); a thrown
 * string becomes the message; anything else gives `undefined`.
 *
 * Duck-typed, because errors of Node's own modules may come from another realm (a vm context,
 * as in jest), where `instanceof Error` is false.
 *
 * @internal
 */
export function secretFreeCause(err: unknown): Error | undefined {
  if (isLexofficeError(err)) return err
  if (typeof err === 'string') return copy('Error', err, undefined)
  if (!isErrorLike(err)) return undefined
  const inner = (err as { cause?: unknown }).cause
  const message = isErrorLike(inner) ? `${err.message}: ${inner.message}` : err.message
  return copy(typeof err.name === 'string' ? err.name : 'Error', message, codeOf(err) ?? codeOf(inner))
}

function copy(name: string, message: string, code: string | undefined): Error {
  const out = new Error(message.replace(/[\r\n]+/g, ' ').slice(0, MAX_MESSAGE))
  out.name = name
  if (code !== undefined) (out as Error & { code: string }).code = code
  return out
}

function codeOf(value: unknown): string | undefined {
  const code = (value as { code?: unknown } | null | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

function isErrorLike(value: unknown): value is Error {
  return (
    value instanceof Error || (value !== null && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string')
  )
}

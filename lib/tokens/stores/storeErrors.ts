/**
 * Failure handling shared by the stores: every backend failure becomes a secret-free
 * `LexofficeStoreError` (`STORE_UNAVAILABLE`, 503), and no backend call may hang.
 *
 * @internal
 */
import { ErrorCodes, LexofficeStoreError } from '../../errors'

/**
 * Backend errors can carry the command and its arguments (ioredis attaches `command.args`, i.e.
 * the record); the cause keeps only name, code and a bounded one-line message.
 * @example
 * ```ts
 * throw toStoreError(err, 'Redis') // LexofficeStoreError STORE_UNAVAILABLE, status 503
 * ```
 * @internal
 */
export function toStoreError(err: unknown, backend: string): LexofficeStoreError {
  if (err instanceof LexofficeStoreError) return err
  return new LexofficeStoreError(ErrorCodes.STORE_UNAVAILABLE, `The token store (${backend}) is unavailable; try again shortly.`, {
    status: 503,
    cause: boundedCause(err),
  })
}

/**
 * The cause to keep of a backend error: name, code and a one-line message of at most 200
 * characters, nothing else (no command arguments, no record).
 * @example
 * ```ts
 * new LexofficeStoreError(ErrorCodes.STORE_UNAVAILABLE, 'unavailable', { cause: boundedCause(err) })
 * ```
 * @internal
 */
export function boundedCause(err: unknown): Error {
  // Duck-typed: errors of Node's own sockets may come from another realm (vm contexts, test runners).
  const errorLike = err instanceof Error || (typeof err === 'object' && err !== null && typeof (err as Error).message === 'string')
  const source = errorLike ? (err as Error) : new Error(typeof err === 'string' ? err : 'unknown store failure')
  const cause = new Error(
    String(source.message)
      .replace(/[\r\n]+/g, ' ')
      .slice(0, 200),
  )
  cause.name = source.name
  const code = (source as { code?: unknown }).code
  if (typeof code === 'string') (cause as Error & { code: string }).code = code
  return cause
}

/**
 * Settles like `operation`, or rejects after `timeoutMs`. The operation may still settle later;
 * its rejection is never left unhandled.
 * @example
 * ```ts
 * const value = await withDeadline(callStore(), 5000, 'The session store')
 * ```
 * @internal
 */
export async function withDeadline<T>(operation: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  operation.catch(() => undefined)
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs)
    timer.unref?.()
  })
  try {
    return await Promise.race([operation, deadline])
  } finally {
    clearTimeout(timer)
  }
}

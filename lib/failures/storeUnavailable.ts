import { ErrorCodes, LexofficeError, isLexofficeError } from '../errors'
import { secretFreeCause } from './secretFreeCause'

/**
 * `STORE_UNAVAILABLE` (503) for a failed or timed-out call to a backend (token store, lock, Redis,
 * webhook dedupe store). `subject` names what failed, e.g. `The token store (Redis)`; the cause is
 * kept without secrets ({@link secretFreeCause}). A cause that is itself `STORE_UNAVAILABLE` is
 * not nested: its own cause is kept.
 *
 * @internal
 */
export function storeUnavailable(subject: string, cause: unknown): LexofficeError {
  const inner = isLexofficeError(cause, ErrorCodes.STORE_UNAVAILABLE) ? cause.cause : cause
  return new LexofficeError(ErrorCodes.STORE_UNAVAILABLE, `${subject} is unavailable.`, {
    cause: secretFreeCause(inner),
  })
}

import { ErrorCodes } from '../errors'
import { type CallbackFailure, authorizationFailure, checkCode, parseCallbackParams } from './callbackParams'
import type { PendingLogin, PendingLoginStore } from './PendingLoginStore'
import type { RequestWithSession } from './sessionCarryOver'

/**
 * Every check of the callback leg, in order, before any token request: parameters (duplicates,
 * implicit-flow leftovers), `state` against the session's pending logins (unknown, used, foreign,
 * expired), the issuer, lexoffice's `error=`, and the shape of `code`. A `state` that matches
 * consumes its pending login whatever follows.
 *
 * @returns the code and its pending login, or the failure to report (4xx, no secret in it).
 * @internal
 */
export function checkCallback(
  req: RequestWithSession & { originalUrl?: string | undefined; url?: string | undefined; query?: unknown },
  store: PendingLoginStore,
  issuer: string,
): { code: string; login: PendingLogin } | { failure: CallbackFailure } | { sessionMissing: true } {
  const parsed = parseCallbackParams(req)
  if ('failure' in parsed) return parsed
  const params = parsed.params
  const session = req.session
  if (!session) return { sessionMissing: true }
  const taken = store.take(session, params.state as string)
  if (taken.kind === 'unknown') {
    return {
      failure: {
        code: ErrorCodes.STATE_MISMATCH,
        status: 403,
        message: taken.hadRecord
          ? 'The callback state matches no pending login of this session (unknown, already used or from another browser); start the login again.'
          : 'This session has no pending lexoffice login. If you just logged in, the session cookie was not sent back: check that express-session runs before passport, the cookie uses SameSite=Lax (not Strict), and that a Secure cookie behind a proxy has app.set("trust proxy", ...).',
      },
    }
  }
  if (taken.kind === 'expired') {
    return {
      failure: {
        code: ErrorCodes.TRANSACTION_EXPIRED,
        status: 403,
        message: 'The lexoffice login took too long and expired; start the login again.',
      },
    }
  }
  const login = taken.login
  if (login.issuer !== issuer || (params.iss !== undefined && params.iss !== login.issuer)) {
    return {
      failure: {
        code: ErrorCodes.ISSUER_MISMATCH,
        status: 400,
        message: 'The callback came from another authorization server than the login was started at.',
      },
    }
  }
  if (params.error !== undefined) return { failure: authorizationFailure(params.error, params.errorDescription) }
  const codeFailure = checkCode(params.code)
  if (codeFailure) return { failure: codeFailure }
  return { code: params.code as string, login }
}

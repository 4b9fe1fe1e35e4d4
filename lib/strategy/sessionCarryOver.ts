import type { PendingLogin, PendingLoginStore, SessionLike } from './PendingLoginStore'
import { ErrorCodes, LexofficeAuthorizationError } from '../errors'

/** A request with an express-session session; only the members used here. @internal */
export type RequestWithSession = {
  session?: SessionLike & {
    save?: (cb: (err?: unknown) => void) => void
    regenerate?: (cb: (err?: unknown) => void) => void
    returnTo?: unknown
  }
}

/**
 * passport ≥ 0.6 regenerates the session in `req.logIn` and drops its data (CVE-2022-25896 fix).
 * For this one request, wrap `req.session.regenerate` with a non-enumerable own property (the
 * session store never serialises it) that calls the original and then re-attaches the other
 * tabs' pending logins, `returnTo` and the session's connection key to the new session. Both
 * also go into the current session, for logins without regeneration (connect mode).
 *
 * @internal
 */
export function carryOverSession(req: RequestWithSession, store: PendingLoginStore, login: PendingLogin, connectionKey: string): void {
  const session = req.session
  if (!session) return
  const returnTo = login.returnTo
  if (returnTo !== undefined) session.returnTo = returnTo
  store.setConnection(session, connectionKey)
  const original = session.regenerate
  if (typeof original !== 'function') return
  Object.defineProperty(session, 'regenerate', {
    configurable: true,
    enumerable: false,
    writable: true,
    value: function regenerate(cb: (err?: unknown) => void) {
      delete (session as Record<string, unknown>).regenerate
      const carried = store.snapshot(session)
      original.call(session, (err?: unknown) => {
        const fresh = req.session
        if (!err && fresh && fresh !== session) {
          if (carried) store.restore(fresh, carried)
          store.setConnection(fresh, connectionKey)
          if (returnTo !== undefined) fresh.returnTo = returnTo
        }
        cb(err)
      })
    },
  })
}

/**
 * The error for a request without `req.session` (status 500: a setup mistake, not user input).
 *
 * @internal
 */
export function sessionMissing(): LexofficeAuthorizationError {
  return new LexofficeAuthorizationError(
    ErrorCodes.SESSION_MISSING,
    'LexofficeStrategy needs sessions: install express-session and app.use(session(...)) before passport.',
    { status: 500 },
  )
}

/**
 * How the ready-made routes tell the strategy where a login returns to and for whom, through the
 * options of `passport.authenticate(strategy, options)` under a symbol that users cannot set by
 * accident. @internal
 */
export const ROUTE = Symbol.for('passport-lexoffice.route')

/** @internal */
export interface RouteOptions {
  /** `signIn`: the connection is the login (`req.user`); `connect`: it belongs to `owner`, a user of the app. */
  mode: 'signIn' | 'connect'
  /** The exact `redirect_uri` of this login: configured, never derived from request headers. */
  redirectUri: string
  /** Connect mode: the app user the connection belongs to. */
  owner?: string
}

import type { Request } from 'express'
import type { LexofficeTokenResponse } from '../oauth/LexofficeOAuthClient'
import type { LexofficeProfile } from './profile'

/**
 * The verify callback forms and the authenticate options/info of {@link LexofficeStrategy}.
 *
 * @packageDocumentation
 */

/**
 * `done` of a verify callback: `done(err)`, `done(null, false, info)` or `done(null, user, info)`.
 *
 * @example
 * ```ts
 * done(null, user)              // success
 * done(null, false, { message: 'not allowed' }) // failure (401)
 * done(err)                     // error
 * ```
 */
export type LexofficeVerifyCallback = (err?: unknown, user?: Express.User | false, info?: object) => void

/**
 * Verify callback without `req`. `profile` is `undefined` only when `skipUserProfile` is set;
 * `refreshToken` is `undefined` only if lexoffice sent none.
 *
 * @example
 * ```ts
 * const verify: LexofficeVerifyFunction = (accessToken, refreshToken, profile, done) => done(null, { id: profile!.id })
 * ```
 */
export type LexofficeVerifyFunction = (
  accessToken: string,
  refreshToken: string | undefined,
  profile: LexofficeProfile | undefined,
  done: LexofficeVerifyCallback,
) => void

/**
 * Verify callback without `req`, also receiving the validated token response (`params.expiresAt` is absolute).
 *
 * @example
 * ```ts
 * const verify: LexofficeVerifyFunctionWithParams = (accessToken, refreshToken, params, profile, done) =>
 *   tokens.save(profile!.connectionId, { accessToken, refreshToken, expiresAt: params.expiresAt }).then(() => done(null, { id: profile!.id }), done)
 * ```
 */
export type LexofficeVerifyFunctionWithParams = (
  accessToken: string,
  refreshToken: string | undefined,
  params: LexofficeTokenResponse,
  profile: LexofficeProfile | undefined,
  done: LexofficeVerifyCallback,
) => void

/**
 * Verify callback with `req` first (`passReqToCallback: true`).
 *
 * @example
 * ```ts
 * const verify: LexofficeVerifyFunctionWithRequest = (req, accessToken, refreshToken, profile, done) =>
 *   done(null, { id: profile!.id, linkedTo: req.user })
 * ```
 */
export type LexofficeVerifyFunctionWithRequest = (
  req: Request,
  accessToken: string,
  refreshToken: string | undefined,
  profile: LexofficeProfile | undefined,
  done: LexofficeVerifyCallback,
) => void

/**
 * Verify callback with `req` first and the validated token response (`passReqToCallback: true`).
 *
 * @example
 * ```ts
 * const verify: LexofficeVerifyFunctionWithRequestAndParams = (req, accessToken, refreshToken, params, profile, done) =>
 *   done(null, { id: profile!.id, expiresAt: params.expiresAt })
 * ```
 */
export type LexofficeVerifyFunctionWithRequestAndParams = (
  req: Request,
  accessToken: string,
  refreshToken: string | undefined,
  params: LexofficeTokenResponse,
  profile: LexofficeProfile | undefined,
  done: LexofficeVerifyCallback,
) => void

/** Any of the four verify forms. @internal */
export type AnyVerify =
  | LexofficeVerifyFunction
  | LexofficeVerifyFunctionWithParams
  | LexofficeVerifyFunctionWithRequest
  | LexofficeVerifyFunctionWithRequestAndParams

/**
 * Options of `passport.authenticate('lexoffice', options)` that this strategy reads.
 *
 * @example
 * ```ts
 * app.get('/auth/lexoffice', passport.authenticate('lexoffice', { scope: ['profile.read', 'invoices.read'] }))
 * ```
 */
export interface LexofficeAuthenticateOptions {
  /** Scopes for this login only (array or space-separated), overriding the strategy's `scope`. */
  scope?: string | readonly string[]
  /** Only `true`/absent. A string is refused: passport-oauth2 would then skip state and PKCE storage. */
  state?: unknown
  /** Any other option is passed to your `authorizationParams()` override. */
  [option: string]: unknown
}

/**
 * The `info` passed to `success()` (available as `req.authInfo` and to custom callbacks).
 *
 * @example
 * ```ts
 * app.get('/auth/lexoffice/callback', passport.authenticate('lexoffice', { failureRedirect: '/login' }),
 *   (req, res) => res.redirect((req.authInfo as LexofficeAuthInfo).returnTo))
 * ```
 */
export interface LexofficeAuthInfo {
  /** The checked relative path to return to; `'/'` when none was given. */
  returnTo: string
  [key: string]: unknown
}

/**
 * Calls a verify callback the way passport-oauth2 does: dispatch on `verify.length` (4 or 5
 * parameters, or 5 or 6 with `passReqToCallback`). A throw inside `verify` is passed to `done`.
 *
 * @internal
 * @example
 * ```ts
 * dispatchVerify(verify, false, req, tokens, profile, (err, user, info) => console.log(user))
 * ```
 */
export function dispatchVerify(
  verify: AnyVerify,
  passReqToCallback: boolean,
  req: Request,
  tokens: LexofficeTokenResponse,
  profile: LexofficeProfile | undefined,
  done: LexofficeVerifyCallback,
): void {
  let settled = false
  const once: LexofficeVerifyCallback = (err, user, info) => {
    if (settled) return
    settled = true
    done(err, user, info)
  }
  const access = tokens.access_token
  const refresh = tokens.refresh_token
  const v = verify as (...args: unknown[]) => void
  try {
    if (passReqToCallback) {
      if (v.length === 6) v(req, access, refresh, tokens, profile, once)
      else v(req, access, refresh, profile, once)
    } else if (v.length === 5) v(access, refresh, tokens, profile, once)
    else v(access, refresh, profile, once)
  } catch (err) {
    once(err)
  }
}

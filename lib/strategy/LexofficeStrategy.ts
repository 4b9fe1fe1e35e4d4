import type { Request } from 'express'
import type { StrategyCreatedStatic, StrategyFailure } from 'passport'
import OAuth2Strategy from 'passport-oauth2'
import { ErrorCodes, LexofficeError } from '../errors'
import { type LexofficeTokenResponse, LexofficeOAuthClient } from '../oauth/LexofficeOAuthClient'
import { invalidArg } from '../options/assert'
import { buildAuthorizationURL } from './authorizationURL'
import { type CallbackFailure, isCallbackRequest, rawQuery } from './callbackParams'
import { checkCallback } from './checkCallback'
import { checkSessionCookie } from './checkSessionCookie'
import { routeNodeOAuthThrough } from './nodeOAuthBridge'
import { type PendingLogin, PendingLoginStore } from './PendingLoginStore'
import { computeCodeChallenge, generateCodeVerifier, generateState } from './pkce'
import { type LexofficeProfile, fetchLexofficeProfile } from './profile'
import { shouldSkipProfile } from './shouldSkipProfile'
import {
  type LexofficeStrategyOptions,
  type LexofficeStrategyOptionsWithRequest,
  type ResolvedStrategyOptions,
  resolveScope,
  resolveStrategyOptions,
} from './resolveStrategyOptions'
import { sanitizeReturnTo } from './returnTo'
import { type RequestWithSession as SessionRequest, carryOverSession, sessionMissing } from './sessionCarryOver'
import {
  type AnyVerify,
  type LexofficeAuthenticateOptions,
  type LexofficeAuthInfo,
  type LexofficeVerifyFunction,
  type LexofficeVerifyFunctionWithParams,
  type LexofficeVerifyFunctionWithRequest,
  type LexofficeVerifyFunctionWithRequestAndParams,
  dispatchVerify,
} from './verify'

export type {
  LexofficeAuthenticateOptions,
  LexofficeAuthInfo,
  LexofficeVerifyCallback,
  LexofficeVerifyFunction,
  LexofficeVerifyFunctionWithParams,
  LexofficeVerifyFunctionWithRequest,
  LexofficeVerifyFunctionWithRequestAndParams,
} from './verify'

type RequestWithSession = Request & SessionRequest

type Actions = StrategyCreatedStatic

/** Per-instance state, kept off the object so that nothing of it is enumerable or inspectable. */
interface Internals {
  options: Omit<ResolvedStrategyOptions, 'clientSecret'>
  oauth: LexofficeOAuthClient
  store: PendingLoginStore
  verify: AnyVerify
  /** One-time warnings already given. */
  warned: Set<string>
}
const INTERNALS = new WeakMap<object, Internals>()

/**
 * Passport strategy for lexoffice (Lexware Office) partner OAuth2: `authorization_code` with
 * PKCE `S256` and a one-time `state` on every login, HTTP Basic client authentication only, and
 * the user's identity from `GET /v1/profile`.
 *
 * What it adds to passport-oauth2 (whose `Strategy` it extends, name `'lexoffice'`):
 * - **Several pending logins per session** (tabs), each with a TTL and used once, kept in
 *   `req.session[sessionKey]` (default `'lexoffice'`). The session is saved before the redirect.
 * - **The callback is checked before anything else**: repeated parameters (`DUPLICATE_PARAMETER`,
 *   400), implicit-flow parameters and malformed codes (`INVALID_PARAMETER`, 400), missing,
 *   unknown, reused or foreign `state` (`STATE_MISSING`/`STATE_MISMATCH`, 403), expired logins
 *   (`TRANSACTION_EXPIRED`, 403) and a wrong `iss` (`ISSUER_MISMATCH`, 400) all fail without a
 *   token request. lexoffice's `error=` answers fail with `ACCESS_DENIED` (401) or
 *   `AUTHORIZATION_ERROR` (400), never a 500. Failures use `this.fail({ message, code }, status)`,
 *   so passport answers that status or redirects to `failureRedirect`.
 * - **The code exchange** goes through {@link LexofficeOAuthClient}: Basic auth only (the
 *   secret never enters a request body; node-oauth's `getOAuthAccessToken` is replaced too),
 *   a timeout, and a validated response. Upstream failures reach `next(err)` as typed
 *   `LexofficeOAuthError`/`LexofficeNetworkError` (502/504); `invalid_grant` fails with 400
 *   ("login expired, start again").
 * - **Session fixation**: passport ≥ 0.6 regenerates the session in `req.logIn`, which would drop
 *   other tabs' pending logins. For the login request only, the strategy wraps
 *   `req.session.regenerate` (a non-enumerable own property) to carry them, and `returnTo`, into
 *   the new session. `returnTo` is then in `req.session.returnTo` (for
 *   `successReturnToOrRedirect`) and in `info.returnTo`.
 * - **returnTo**: the login route reads `?returnTo=` (see `returnToParam`) or an existing
 *   `req.session.returnTo`, keeping only same-origin relative paths.
 * - **No secrets on the object**: the client secret lives in a private field of the OAuth client;
 *   `JSON.stringify` and `util.inspect` of the strategy show none.
 *
 * Verify callbacks: passport-oauth2 dispatches on `verify.length`, and so does this strategy.
 * Write verify functions with exactly 4 or 5 parameters (5 or 6 with `passReqToCallback`), and no
 * default or rest parameters, which change `length`; other arities throw at construction.
 * TypeScript infers the parameter types of the forms without `params`; annotate the forms with
 * `params` (TypeScript fixes contextual types at the first matching overload).
 *
 * Requires express-session (server-side store) before `passport.session()`, with the cookie's
 * `SameSite=Lax` (`Strict` drops the cookie on lexoffice's redirect back).
 *
 * Decisions worth knowing:
 * - `state` is checked before `error`: an `error=` callback without a known state fails with
 *   `STATE_MISSING`/`STATE_MISMATCH`, not `ACCESS_DENIED` (as openid-client does).
 * - A callback without `state` cannot name a pending login, so none is consumed (other tabs
 *   keep theirs); a callback whose state matches consumes that login whatever happens next.
 * - `callbackURL` must be absolute: it is never derived from `Host` or `X-Forwarded-Host`.
 * - Callbacks of two tabs arriving at the same instant each load the session before the other
 *   saved it; with a last-write-wins session store one of them may keep the other's (already
 *   used) pending login. That entry can then only reach the token endpoint with a spent code,
 *   which lexoffice refuses (`invalid_grant`, "start again").
 *
 * @example
 * ```ts
 * import passport from 'passport'
 * import { LexofficeStrategy } from 'passport-lexoffice'
 *
 * passport.use(new LexofficeStrategy({
 *   clientID: process.env.LEXOFFICE_CLIENT_ID!,
 *   clientSecret: process.env.LEXOFFICE_CLIENT_SECRET!,
 *   callbackURL: 'https://app.example.com/auth/lexoffice/callback',
 *   scope: ['profile.read', 'contacts.read'],
 *   connectionName: 'Example App',
 * }, (accessToken: string, refreshToken: string | undefined, params: LexofficeTokenResponse,
 *     profile: LexofficeProfile | undefined, done: LexofficeVerifyCallback) => {
 *   // params.expiresAt is absolute; store the tokens under profile.connectionId
 *   done(null, { id: profile!.id, organizationId: profile!.organizationId })
 * }))
 *
 * app.get('/auth/lexoffice', passport.authenticate('lexoffice'))
 * app.get('/auth/lexoffice/callback',
 *   passport.authenticate('lexoffice', { failureRedirect: '/login', successReturnToOrRedirect: '/' }))
 * ```
 */
export class LexofficeStrategy extends OAuth2Strategy {
  override name = 'lexoffice'

  // Overload order matters: TypeScript types an unannotated arrow by the first overload that fits.
  // The forms with `params` (the ones that can store tokens) come first, so
  // `(accessToken, refreshToken, params, profile, done) => ...` needs no annotations; the shorter
  // forms then need annotated parameters (or a `LexofficeVerifyFunction`-typed variable).
  constructor(options: LexofficeStrategyOptions, verify: LexofficeVerifyFunctionWithParams)
  constructor(options: LexofficeStrategyOptions, verify: LexofficeVerifyFunction)
  constructor(options: LexofficeStrategyOptionsWithRequest, verify: LexofficeVerifyFunctionWithRequestAndParams)
  constructor(options: LexofficeStrategyOptionsWithRequest, verify: LexofficeVerifyFunctionWithRequest)
  constructor(options: LexofficeStrategyOptions | LexofficeStrategyOptionsWithRequest, verify: AnyVerify) {
    if (typeof verify !== 'function') throw invalidArg('ERR_INVALID_ARG_TYPE', 'LexofficeStrategy requires a verify callback')
    const resolved = resolveStrategyOptions(options)
    const arity = verify.length
    const allowed = resolved.passReqToCallback ? [5, 6] : [4, 5]
    if (!allowed.includes(arity)) {
      throw invalidArg(
        'ERR_INVALID_ARG_VALUE',
        `verify must declare exactly ${allowed.join(' or ')} parameters (it has ${arity}); passport-oauth2 dispatches on verify.length`,
      )
    }
    // The secret is NOT given to passport-oauth2: its node-oauth client would put it in the body
    // and keep it in an enumerable property. The code exchange uses LexofficeOAuthClient instead.
    super(
      {
        authorizationURL: resolved.endpoints.authorizationURL,
        tokenURL: resolved.endpoints.tokenURL,
        clientID: resolved.clientID,
        clientSecret: '',
        callbackURL: resolved.callbackURL,
        sessionKey: resolved.sessionKey,
        ...(resolved.scope === undefined ? {} : { scope: resolved.scope }),
      },
      verify as OAuth2Strategy.VerifyFunction,
    )
    const oauth = new LexofficeOAuthClient({
      clientID: resolved.clientID,
      clientSecret: resolved.clientSecret,
      tokenURL: resolved.endpoints.tokenURL,
      revokeURL: resolved.endpoints.revokeURL,
      timeoutMs: resolved.timeoutMs,
      now: resolved.now,
      ...(resolved.fetch ? { fetch: resolved.fetch } : {}),
    })
    const { clientSecret: _secret, ...rest } = resolved
    void _secret
    INTERNALS.set(this, {
      options: rest,
      oauth,
      verify,
      warned: new Set(),
      store: new PendingLoginStore({
        sessionKey: resolved.sessionKey,
        ttlMs: resolved.pendingLoginTtlMs,
        maxPending: resolved.maxPendingLogins,
        now: resolved.now,
      }),
    })
    this._replaceNodeOAuthTokenCall()
    if (resolved.scope === undefined) {
      resolved.logger?.warn(
        'passport-lexoffice: no "scope" configured, so lexoffice grants ALL scopes of the client; request only what you need (e.g. ["profile.read"]).',
      )
    }
  }

  /** The session property holding the pending logins (option `sessionKey`, default `'lexoffice'`). */
  get sessionKey(): string {
    return this._internals.options.sessionKey
  }

  /** The OAuth client used for the code exchange (Basic auth, timeout, validation); share it with `TokenManager`. */
  get oauthClient(): LexofficeOAuthClient {
    return this._internals.oauth
  }

  /**
   * Runs the login leg (no callback parameters: redirect to lexoffice) or the callback leg.
   * Called by passport; do not call it yourself.
   */
  override authenticate(req: Request, options?: LexofficeAuthenticateOptions): void {
    const opts = options ?? {}
    try {
      noStore(req)
      if (opts.state !== undefined && opts.state !== true) {
        this._error(
          invalidArg(
            'ERR_INVALID_ARG_VALUE',
            'passport.authenticate("lexoffice", { state }) only accepts state: true; app data belongs in the session (use returnTo)',
          ),
        )
        return
      }
      if (opts.callbackURL !== undefined) {
        this._error(invalidArg('ERR_INVALID_ARG_VALUE', 'set "callbackURL" in the LexofficeStrategy options, not per request'))
        return
      }
      if (isCallbackRequest(req)) this._callback(req as RequestWithSession)
      else this._login(req as RequestWithSession, opts)
    } catch (err) {
      this._error(err)
    }
  }

  /**
   * Extra parameters for the authorization request; override to add your own (e.g. per request
   * from `options`). The strategy's own parameters (`client_id`, `redirect_uri`, `state`, PKCE,
   * `scope`, ...) always win. `connection_name` from the options is added unless you return one.
   *
   * @example
   * ```ts
   * class MyStrategy extends LexofficeStrategy {
   *   override authorizationParams(options: LexofficeAuthenticateOptions): Record<string, string> {
   *     return typeof options.connectionName === 'string' ? { connection_name: options.connectionName } : {}
   *   }
   * }
   * ```
   */
  override authorizationParams(options: LexofficeAuthenticateOptions): Record<string, string> {
    void options
    return {}
  }

  /**
   * Loads the user's identity: `GET {apiURL}/v1/profile` with the access token, mapped to a
   * {@link LexofficeProfile}. Failures are typed `LexofficeApiError`/`LexofficeNetworkError`.
   *
   * @example
   * ```ts
   * strategy.userProfile(accessToken, (err, profile) => console.log(profile?.organizationId))
   * ```
   */
  override userProfile(accessToken: string, done: (err?: unknown, profile?: LexofficeProfile) => void): void {
    fetchLexofficeProfile({
      apiURL: this._internals.options.endpoints.apiURL,
      accessToken,
      timeoutMs: this._internals.options.timeoutMs,
      fetch: this._internals.options.fetch,
    }).then(
      (profile) => done(null, profile),
      (err: unknown) => done(err),
    )
  }

  /** A secret-free view. @internal */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      clientID: this._internals.options.clientID,
      callbackURL: this._internals.options.callbackURL,
      sessionKey: this.sessionKey,
    }
  }

  /** A secret-free view for `util.inspect`/`console.log`. @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `LexofficeStrategy { name: 'lexoffice', clientID: '${this._internals.options.clientID}', callbackURL: '${this._internals.options.callbackURL}' }`
  }

  // ---------------------------------------------------------------------------------------------

  /** passport augments a per-request object created from this strategy; fail/success/... live there. @internal */
  private get _actions(): Actions {
    return this as unknown as Actions
  }

  /**
   * The strategy's private state. passport runs `authenticate` on `Object.create(strategy)`, so
   * `#private` fields would fail their brand check; walk the prototype chain to the real instance.
   * @internal
   */
  private get _internals(): Internals {
    let o: object | null = this
    while (o !== null) {
      const found = INTERNALS.get(o)
      if (found) return found
      o = Object.getPrototypeOf(o) as object | null
    }
    throw new Error('LexofficeStrategy used before construction')
  }

  /** @internal */
  private _error(err: unknown): void {
    if (err instanceof LexofficeError)
      this._internals.options.logger?.warn(`passport-lexoffice: login failed (${err.code}): ${err.message}`)
    this._actions.error(err)
  }

  /** @internal */
  private _fail(failure: CallbackFailure): void {
    this._internals.options.logger?.warn(`passport-lexoffice: callback refused (${failure.code}): ${failure.message}`)
    const challenge: StrategyFailure = { message: failure.message, code: failure.code }
    this._actions.fail(challenge, failure.status)
  }

  /** The redirect leg: new state and verifier, pending login saved in the session, then redirect. */
  private _login(req: RequestWithSession, options: LexofficeAuthenticateOptions): void {
    const session = req.session
    if (!session) {
      this._error(sessionMissing())
      return
    }
    const o = this._internals.options
    checkSessionCookie(req as RequestWithSession & { secure?: boolean }, o.logger, this._internals.warned)
    let returnTo: string | undefined
    if (o.returnToParam !== false) {
      const values = rawQuery(req).getAll(o.returnToParam)
      if (values.length === 1) returnTo = sanitizeReturnTo(values[0])
    }
    returnTo ??= sanitizeReturnTo(session.returnTo)
    const scope = options.scope !== undefined ? resolveScope(options.scope) : o.scope

    const codeVerifier = generateCodeVerifier()
    const state = generateState()
    const login: PendingLogin = { state, codeVerifier, redirectUri: o.callbackURL, issuer: o.issuer, createdAt: o.now() }
    if (returnTo !== undefined) login.returnTo = returnTo
    this._internals.store.add(session, login)

    const location = buildAuthorizationURL({
      authorizationURL: o.endpoints.authorizationURL,
      clientID: o.clientID,
      redirectUri: o.callbackURL,
      state,
      codeChallenge: computeCodeChallenge(codeVerifier),
      scope,
      connectionName: o.connectionName,
      extra: this.authorizationParams(options) as unknown,
    })

    // Save before redirecting (passport #703): a fast callback must find the pending login.
    if (typeof session.save !== 'function') {
      this._actions.redirect(location)
      return
    }
    session.save((err) => {
      if (err) this._error(err)
      else this._actions.redirect(location)
    })
  }

  /** The callback leg: every check first, then exactly one token request. */
  private _callback(req: RequestWithSession): void {
    const checked = checkCallback(req, this._internals.store, this._internals.options.issuer)
    if ('sessionMissing' in checked) this._error(sessionMissing())
    else if ('failure' in checked) this._fail(checked.failure)
    else this._exchange(req, checked.code, checked.login)
  }

  /** @internal */
  private _exchange(req: RequestWithSession, code: string, login: PendingLogin): void {
    this._internals.oauth
      .exchangeCode({ code, redirectUri: login.redirectUri, codeVerifier: login.codeVerifier })
      .then(
        (tokens) => this._loadProfile(tokens.access_token).then((profile) => ({ tokens, profile })),
        (err: unknown) => {
          if (err instanceof LexofficeError && err.code === ErrorCodes.INVALID_GRANT) {
            this._fail({
              code: ErrorCodes.INVALID_GRANT,
              status: 400,
              message: 'The lexoffice login expired or was already used; start the login again.',
            })
            return undefined
          }
          throw err
        },
      )
      .then((result) => {
        if (result) this._callVerify(req, result.tokens, result.profile, login)
      })
      .catch((err: unknown) => this._error(err))
  }

  /** @internal */
  private async _loadProfile(accessToken: string): Promise<LexofficeProfile | undefined> {
    if (await shouldSkipProfile(this._internals.options.skipUserProfile, accessToken)) return undefined
    return new Promise((resolve, reject) => {
      this.userProfile(accessToken, (err, profile) =>
        err ? reject(err instanceof Error ? err : new Error('profile could not be loaded')) : resolve(profile),
      )
    })
  }

  /** @internal */
  private _callVerify(
    req: RequestWithSession,
    tokens: LexofficeTokenResponse,
    profile: LexofficeProfile | undefined,
    login: PendingLogin,
  ): void {
    const { verify, options } = this._internals
    dispatchVerify(verify, options.passReqToCallback, req, tokens, profile, (err, user, info) => {
      if (err) {
        this._error(err)
        return
      }
      if (!user) {
        this._actions.fail((info as StrategyFailure | undefined) ?? { message: 'The application refused this lexoffice user.' })
        return
      }
      carryOverSession(req, this._internals.store, login)
      const authInfo: LexofficeAuthInfo = { ...(info ?? {}), returnTo: login.returnTo ?? '/' }
      this._actions.success(user, authInfo)
    })
  }

  /** @internal */
  private _replaceNodeOAuthTokenCall(): void {
    routeNodeOAuthThrough(this._oauth2, this._internals.oauth)
  }
}

function noStore(req: Request): void {
  const res = req.res
  if (res && !res.headersSent) {
    res.setHeader('Cache-Control', 'no-store')
    res.setHeader('Referrer-Policy', 'no-referrer')
  }
}

import type { IncomingMessage } from 'node:http'
import { internalsOf, type LexofficeInternals } from '../config/internals'
import { ErrorCodes, LexofficeApiError, LexofficeError } from '../errors'
import type { LexofficeTokenResponse } from '../oauth/LexofficeOAuthClient'
import { invalidArg } from '../options/assert'
import type { TokenManager } from '../tokens/TokenManager'
import { buildAuthorizationURL } from './authorizationURL'
import { type CallbackFailure, isCallbackRequest, rawQuery } from './callbackParams'
import { checkCallback } from './checkCallback'
import { checkSessionCookie } from './checkSessionCookie'
import { type LexofficeConnection, type LexofficeVerify, userOf } from './LexofficeConnection'
import { UnmanagedOAuth2 } from './UnmanagedOAuth2'
import { type PendingLogin, PendingLoginStore } from './PendingLoginStore'
import { computeCodeChallenge, generateCodeVerifier, generateState } from './pkce'
import { type LexofficeProfile, type LexofficeProfileJson, mapLexofficeProfile } from './profile'
import { resolveScope } from './resolveScope'
import { sanitizeReturnTo } from './returnTo'
import { type RouteOptions, ROUTE } from './routeOptions'
import { type RequestWithSession as SessionRequest, carryOverSession, sessionMissing } from './sessionCarryOver'
import { StrategyBase } from './StrategyBase'

/**
 * Options of `passport.authenticate(strategy, options)` that this strategy reads.
 *
 * @example
 * ```ts
 * app.get('/auth/lexoffice', passport.authenticate('lexoffice', { scope: ['profile.read', 'invoices.read'] }))
 * ```
 */
export interface LexofficeAuthenticateOptions {
  /** Scopes for this login only (array or space-separated), instead of the configured ones; must include `profile.read`. */
  scope?: string | readonly string[]
  /** Only `true` or absent: the strategy always sends its own one-time `state`. */
  state?: unknown
  /** Any other option is passed to your `authorizationParams()` override. */
  [option: string]: unknown
}

/**
 * The `info` passed to passport's `success()` (`req.authInfo`, and the third argument of a custom callback).
 *
 * @example
 * ```ts
 * passport.authenticate('lexoffice', (err: unknown, user: Express.User | false, info: LexofficeAuthInfo) => res.redirect(info.returnTo))(req, res, next)
 * ```
 */
export interface LexofficeAuthInfo {
  /** The checked relative path to return to; `'/'` when none was given. */
  returnTo: string
  /** The connection that was stored. */
  connection: LexofficeConnection
}

type Req = IncomingMessage & SessionRequest & { secure?: boolean; originalUrl?: string }

/** What passport adds to the per-request copy of a strategy. */
interface Actions {
  success(user: unknown, info?: unknown): void
  fail(challenge?: unknown, status?: number): void
  redirect(url: string, status?: number): void
  error(err: unknown): void
}

const ACTIONS = ['success', 'fail', 'redirect', 'pass', 'error'] as const

/** Per-instance state, kept off the object so that nothing of it is enumerable or inspectable. */
interface Internals {
  config: LexofficeInternals
  verify: LexofficeVerify | undefined
  store: PendingLoginStore
  /** One-time warnings already given. */
  warned: Set<string>
}
const INTERNALS = new WeakMap<object, Internals>()

/**
 * The passport strategy for lexoffice (Lexware Office) partner OAuth2, name `'lexoffice'`, built
 * on one configuration from {@link createLexoffice} (which also builds one for you:
 * `lexoffice.strategy`). It stores the tokens itself: after the login the connection lives in the
 * configuration's token manager, and `req.user` is a small {@link LexofficeUser} (or what your
 * `verify` returns).
 *
 * - Authorization code with PKCE `S256` and a one-time `state` on every login; HTTP Basic client
 *   authentication only; identity from `GET /v1/profile` (lexoffice has no OpenID Connect).
 * - Several pending logins per session (browser tabs), each with a time to live and used once,
 *   kept in `req.session[sessionKey]`; the session is saved before the redirect.
 * - The callback is checked before anything else: repeated or malformed parameters (400), missing,
 *   unknown, reused or foreign `state` (403), expired logins (403), a wrong `iss` (400), lexoffice's
 *   `error=` answers (401/400). Each fails through passport's `fail()` with a `code`, without a
 *   token request.
 * - The tokens never reach your code: `verify` receives the stored connection. A refresh through
 *   `strategy._oauth2` (what passport-oauth2-refresh does) is refused, because lexoffice rotates
 *   refresh tokens and a second refresh path would end the connection.
 *
 * It is a passport `Strategy` (a subclass of passport-strategy's), so `passport.use(strategy)`,
 * `passport.authenticate('lexoffice')` and `passport.authorize('lexoffice')` work as with any
 * other strategy; the hooks of passport-oauth2 strategies (`authorizationParams`, `userProfile`)
 * can be overridden.
 *
 * @example
 * ```ts
 * import passport from 'passport'
 * import { createLexoffice, LexofficeStrategy } from 'passport-lexoffice'
 *
 * const lexoffice = createLexoffice({ scope: ['profile.read', 'contacts.read'] })
 * passport.use(new LexofficeStrategy(lexoffice, async (connection) => ({ id: connection.user.id, org: connection.companyName })))
 * ```
 */
export class LexofficeStrategy extends StrategyBase {
  /** The name passport knows the strategy by. */
  override name = 'lexoffice'

  /**
   * @param lexoffice The configuration, from {@link createLexoffice}.
   * @param verify Turns the stored connection into your app's user; default: the configuration's
   *   `verify`, else a {@link LexofficeUser}.
   * @throws TypeError when `lexoffice` is not what `createLexoffice()` returned or `verify` is not a function.
   */
  constructor(lexoffice: { readonly manager: TokenManager }, verify?: LexofficeVerify) {
    super()
    const config = internalsOf(lexoffice)
    if (verify !== undefined && typeof verify !== 'function') throw invalidArg('ERR_INVALID_ARG_TYPE', '"verify" must be a function')
    const o = config.options
    INTERNALS.set(this, {
      config,
      verify: verify ?? o.verify,
      warned: new Set(),
      store: new PendingLoginStore({
        sessionKey: o.sessionKey,
        ttlMs: o.pendingLoginTtlMs,
        maxPending: o.maxPendingLogins,
        now: config.now,
      }),
    })
  }

  /** The session property holding the pending logins and the session's connection key. */
  get sessionKey(): string {
    return this._internals.store.sessionKey
  }

  /**
   * node-oauth's `OAuth2` as passport-oauth2 strategies expose it, for code that reads it (e.g.
   * passport-oauth2-refresh). It holds no secret, and every token request through it is refused
   * with `UNMANAGED_REFRESH`: use `req.lexoffice`, `lexoffice.client(key)` or
   * `lexoffice.manager.getAccessToken(key)`, which refresh through the one coordinated path.
   */
  get _oauth2(): UnmanagedOAuth2 {
    const e = this._internals.config.options.endpoints
    return new UnmanagedOAuth2(this._internals.config.options.clientID, '', '', e.authorizationURL, e.tokenURL)
  }

  /**
   * Runs the login leg (no callback parameters: redirect to lexoffice) or the callback leg.
   * Called by passport; do not call it yourself.
   */
  override authenticate(req: IncomingMessage, options?: LexofficeAuthenticateOptions): void {
    if (INTERNALS.has(this)) {
      // passport.authenticate(strategy) with the instance itself (not its name) puts this
      // request's success/fail/... on the shared instance, and the next request replaces them
      // while this login still awaits lexoffice: run on a per-request copy that keeps this
      // request's actions, so a login can never complete into another browser's request.
      const shared = this as unknown as Record<string, unknown>
      const own = Object.create(this) as Record<string, unknown> & { authenticate: LexofficeStrategy['authenticate'] }
      for (const action of ACTIONS) own[action] = shared[action]
      own.authenticate(req, options)
      return
    }
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
        this._error(
          invalidArg('ERR_INVALID_ARG_VALUE', 'the callback URL comes from the configuration (baseURL or callbackURL), not per request'),
        )
        return
      }
      const route = (opts as { [ROUTE]?: RouteOptions })[ROUTE] ?? this._defaultRoute()
      if (isCallbackRequest(req)) this._callback(req, route)
      else this._login(req, opts, route)
    } catch (err) {
      this._error(err)
    }
  }

  /**
   * Extra parameters for the authorization request; override to add your own. The strategy's own
   * parameters (`client_id`, `redirect_uri`, `state`, PKCE, `scope`) always win; `connection_name`
   * from the configuration is added unless you return one.
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
  authorizationParams(_options: LexofficeAuthenticateOptions): Record<string, string> {
    return {}
  }

  /**
   * Loads the user's identity: `GET /v1/profile` with the new access token, through the same paced
   * transport as every other API call, mapped to a {@link LexofficeProfile}.
   *
   * @example
   * ```ts
   * strategy.userProfile(accessToken, (err, profile) => console.log(profile?.organizationId))
   * ```
   */
  userProfile(accessToken: string, done: (err?: unknown, profile?: LexofficeProfile) => void): void {
    this._internals.config
      .clientForToken(accessToken)
      .profile.get()
      .then((json: unknown) => {
        if (json === null || typeof json !== 'object' || Array.isArray(json)) {
          throw new LexofficeApiError(ErrorCodes.API_ERROR, 'lexoffice answered GET /v1/profile with a body that is not a JSON object.', {
            status: 502,
            upstreamStatus: 200,
            request: { method: 'GET', path: '/v1/profile' },
          })
        }
        return mapLexofficeProfile(json as LexofficeProfileJson, JSON.stringify(json))
      })
      .then(
        (profile) => {
          done(null, profile)
        },
        (err: unknown) => {
          done(asUpstreamFailure(err))
        },
      )
  }

  /** `true` when this strategy was built on `config`. @internal */
  isBuiltOn(config: LexofficeInternals): boolean {
    return this._internals.config === config
  }

  /** The connection key a session uses (set by a login or connect). @internal */
  connectionOf(session: Record<string, unknown>): string | undefined {
    return this._internals.store.connection(session)
  }

  /** Sets or clears the connection key a session uses. @internal */
  setConnectionOf(session: Record<string, unknown>, key: string | undefined): void {
    this._internals.store.setConnection(session, key)
  }

  /** A secret-free view. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, sessionKey: this.sessionKey }
  }

  /** A secret-free view for `util.inspect`/`console.log`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `LexofficeStrategy { name: '${this.name}' }`
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The strategy's private state. passport runs `authenticate` on `Object.create(strategy)`, so
   * `#private` fields would fail their brand check; walk the prototype chain to the real instance.
   */
  private get _internals(): Internals {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the walk starts at this object
    let o: object | null = this
    while (o !== null) {
      const found = INTERNALS.get(o)
      if (found) return found
      o = Object.getPrototypeOf(o) as object | null
    }
    throw new Error('LexofficeStrategy used before construction')
  }

  private get _actions(): Actions {
    return this as unknown as Actions
  }

  /** Plain `passport.authenticate('lexoffice')`: sign in, with the configured callback URL. */
  private _defaultRoute(): RouteOptions {
    const o = this._internals.config.options
    return { mode: 'signIn', redirectUri: o.callbackURL ?? `${o.baseURL ?? ''}/auth/lexoffice/callback` }
  }

  private _error(err: unknown): void {
    if (err instanceof LexofficeError)
      this._internals.config.options.logger.warn(`passport-lexoffice: login failed (${err.code}): ${err.message}`)
    this._actions.error(err)
  }

  private _fail(failure: CallbackFailure): void {
    this._internals.config.options.logger.warn(`passport-lexoffice: callback refused (${failure.code}): ${failure.message}`)
    this._actions.fail({ message: failure.message, code: failure.code }, failure.status)
  }

  /** The redirect leg: new state and verifier, pending login saved in the session, then redirect. */
  private _login(req: Req, options: LexofficeAuthenticateOptions, route: RouteOptions): void {
    const session = req.session
    if (!session) {
      this._error(sessionMissing())
      return
    }
    const { config, store, warned } = this._internals
    const o = config.options
    checkSessionCookie(req, o.logger, warned)
    let returnTo: string | undefined
    const values = rawQuery(req).getAll('returnTo')
    if (values.length === 1) returnTo = sanitizeReturnTo(values[0])
    returnTo ??= sanitizeReturnTo(session.returnTo)
    const scope = options.scope !== undefined ? resolveScope(options.scope) : o.scope
    if (scope === undefined || !scope.split(' ').includes('profile.read')) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"scope" must include "profile.read": the connection is identified through GET /v1/profile')
    }
    if (route.mode === 'connect' && route.owner === undefined) throw new Error('connect mode needs an owner')

    const codeVerifier = generateCodeVerifier()
    const state = generateState()
    const issuer = new URL(o.endpoints.authorizationURL).origin
    const login: PendingLogin = { state, codeVerifier, redirectUri: route.redirectUri, issuer, createdAt: config.now() }
    if (returnTo !== undefined) login.returnTo = returnTo
    if (route.owner !== undefined) login.owner = route.owner
    store.add(session, login)

    const location = buildAuthorizationURL({
      authorizationURL: o.endpoints.authorizationURL,
      clientID: o.clientID,
      redirectUri: route.redirectUri,
      state,
      codeChallenge: computeCodeChallenge(codeVerifier),
      scope,
      connectionName: o.connectionName,
      extra: this.authorizationParams(options),
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
  private _callback(req: Req, route: RouteOptions): void {
    const { store, config } = this._internals
    const checked = checkCallback(req, store, new URL(config.options.endpoints.authorizationURL).origin)
    if ('sessionMissing' in checked) {
      this._error(sessionMissing())
      return
    }
    if ('failure' in checked) {
      this._fail(checked.failure)
      return
    }
    const { login, code } = checked
    if (login.owner !== route.owner) {
      this._fail({
        code: ErrorCodes.OWNER_MISMATCH,
        status: 403,
        message: 'This lexoffice login was started by another user of this app; start it again.',
      })
      return
    }
    this._complete(req, code, login, route).catch((err: unknown) => {
      this._error(err)
    })
  }

  /** Code exchange, profile, store, verify, success: the only place a connection is born. */
  private async _complete(req: Req, code: string, login: PendingLogin, route: RouteOptions): Promise<void> {
    const { config } = this._internals
    let tokens: LexofficeTokenResponse
    try {
      tokens = await config.oauth.exchangeCode({ code, redirectUri: login.redirectUri, codeVerifier: login.codeVerifier })
    } catch (err) {
      if (err instanceof LexofficeError && err.code === ErrorCodes.INVALID_GRANT) {
        this._fail({
          code: ErrorCodes.INVALID_GRANT,
          status: 400,
          message: 'The lexoffice login expired or was already used; start the login again.',
        })
        return
      }
      throw err
    }
    const profile = await new Promise<LexofficeProfile>((resolve, reject) => {
      this.userProfile(tokens.access_token, (err, p) => {
        if (err !== null && err !== undefined) reject(err instanceof Error ? err : new Error('the lexoffice profile could not be loaded'))
        else if (p === undefined) reject(new Error('the lexoffice profile could not be loaded'))
        else resolve(p)
      })
    })
    const organizationId = profile.organizationId
    const connectionId = profile.connectionId
    if (organizationId === undefined || connectionId === undefined) {
      throw new LexofficeApiError(ErrorCodes.API_ERROR, 'lexoffice answered GET /v1/profile without organizationId or connectionId.', {
        status: 502,
        upstreamStatus: 200,
        request: { method: 'GET', path: '/v1/profile' },
      })
    }
    const key = route.mode === 'connect' ? connectKey(route.owner as string, organizationId) : signInKey(organizationId, profile.id)
    const email = profile.emails?.[0]?.value
    await config.manager.connect(key, tokens, {
      owner: route.owner,
      organizationId,
      connectionId,
      companyName: profile.companyName,
      userId: profile.id,
      userName: profile.displayName,
      userEmail: email,
    })
    const connection: LexofficeConnection = {
      key,
      organizationId,
      connectionId,
      user: { id: profile.id, name: profile.displayName },
      connectedAt: config.now(),
    }
    if (route.owner !== undefined) connection.owner = route.owner
    if (profile.companyName !== undefined) connection.companyName = profile.companyName
    if (email !== undefined) connection.user.email = email
    if (typeof tokens.scope === 'string') connection.scope = tokens.scope

    const verify = this._internals.verify
    let user: unknown
    try {
      user = verify ? await verify(connection, req) : route.mode === 'connect' ? connection : userOf(connection)
    } catch (err) {
      // No session will point at the new connection: keep no live tokens behind.
      await config.manager.disconnect(key).catch(() => undefined)
      throw err
    }
    if (user === false || user === null || user === undefined) {
      await config.manager.disconnect(key).catch(() => undefined)
      this._fail({ code: ErrorCodes.CONNECTION_REFUSED, status: 403, message: 'The application refused this lexoffice connection.' })
      return
    }
    carryOverSession(req, this._internals.store, login, key)
    const info: LexofficeAuthInfo = { returnTo: login.returnTo ?? '/', connection }
    this._actions.success(user, info)
  }
}

/** The token store key of a sign-in: one connection per lexoffice user and organisation. @internal */
export function signInKey(organizationId: string, userId: string): string {
  return `user:${organizationId}:${userId}`
}

/** The token store key prefix of one owner's connections (connect mode). @internal */
export function ownerPrefix(owner: string): string {
  return `owner:${encodeURIComponent(owner)}:`
}

/** Whether a token store key is a connect mode key (of some owner). @internal */
export function isOwnerKey(key: string): boolean {
  return key.startsWith('owner:')
}

/** The token store key of a connect: one connection per owner and organisation. @internal */
export function connectKey(owner: string, organizationId: string): string {
  return `${ownerPrefix(owner)}${organizationId}`
}

/**
 * A refusal of the login's profile call is lexoffice's failure, not the browser's: a 4xx answer
 * (401, 403, 404...) becomes the same error with status 502, as every other upstream failure of
 * the login. Network errors (502/504) and other errors stay as they are.
 */
function asUpstreamFailure(err: unknown): unknown {
  if (!(err instanceof LexofficeApiError) || err.status >= 500) return err
  return new LexofficeApiError(err.code, err.message, {
    status: 502,
    upstreamStatus: err.upstreamStatus,
    traceId: err.traceId,
    details: err.details,
    request: err.request,
    cause: err,
  })
}

function noStore(req: IncomingMessage): void {
  const res = (req as { res?: { headersSent: boolean; setHeader(name: string, value: string): void } }).res
  if (res && !res.headersSent) {
    res.setHeader('Cache-Control', 'no-store')
    res.setHeader('Referrer-Policy', 'no-referrer')
  }
}

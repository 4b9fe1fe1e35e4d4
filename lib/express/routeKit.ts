import { createRequire } from 'node:module'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { LexofficeInternals } from '../config/internals'
import { ErrorCodes, LexofficeError } from '../errors'
import { assertFunction, invalidArg, isObject } from '../options/assert'
import { type LexofficeAuthInfo, LexofficeStrategy } from '../strategy/LexofficeStrategy'
import { rawQuery } from '../strategy/callbackParams'
import { sanitizeReturnTo } from '../strategy/returnTo'
import { ROUTE, type RouteOptions } from '../strategy/routeOptions'
import { type LexofficeRender, type LexofficeView, acceptsHtml, defaultRender, redirect, withQuery } from './answers'
import { isSameOrigin } from './isSameOrigin'
import { type LexofficeErrorHandler, installErrorHandlerOnce } from './lexofficeErrorHandler'
import { type RouterLike, loadExpress } from './loadExpress'
import type { LexofficeRequestHandler } from './LexofficeRequestHandler'
import { lostMessage, safeReason } from './problemAnswer'

/**
 * The part of a passport `Authenticator` the routes use (passport 0.6 and 0.7).
 *
 * @example
 * ```ts
 * import passport from 'passport'
 * const p: PassportLike = passport
 * ```
 */
export interface PassportLike {
  /** passport's `authenticate(strategy, options, callback)`: returns the middleware that runs the strategy. */
  authenticate(strategy: unknown, options: object, callback: (...args: unknown[]) => void): LexofficeRequestHandler
}

/** Request members the routes read (express-session and passport add them). @internal */
export type RouteReq = IncomingMessage & {
  originalUrl?: string
  baseUrl?: string
  session?: Record<string, unknown>
  logIn?: (user: unknown, done: (err?: unknown) => void) => void
  logout?: (done: (err?: unknown) => void) => void
  body?: unknown
}

/** What the routers share with the configuration they come from. @internal */
export interface RouterDeps {
  config: LexofficeInternals
  strategy: LexofficeStrategy
  /** Puts `req.lexoffice` on the request. */
  attach: LexofficeRequestHandler
  errorHandler: LexofficeErrorHandler
  /** Remembers how answers are rendered (the guard and error handler use it). */
  setRender(render: LexofficeRender): void
}

/** The options the sign-in and the connect routes share. @internal */
export interface SharedRouteOptions {
  strategy?: LexofficeStrategy
  passport?: PassportLike
  failureRedirect?: string
  render?: LexofficeRender
}

/** The shared options, checked and with their defaults. @internal */
export interface SharedRouteSettings {
  strategy: LexofficeStrategy
  passport: PassportLike
  failureRedirect: string | undefined
  render: LexofficeRender
}

/** Checks the options both route sets share and fills in their defaults. @internal */
export function checkSharedRouteOptions(options: SharedRouteOptions, deps: RouterDeps): SharedRouteSettings {
  const failureRedirect = options.failureRedirect === undefined ? undefined : checkLocalPath(options.failureRedirect, 'failureRedirect')
  const render = options.render ?? defaultRender
  assertFunction(render, 'render')
  const passport = resolvePassport(options.passport)
  const strategy = checkStrategy(options.strategy, deps)
  return { strategy, passport, failureRedirect, render }
}

/**
 * The router of a route set: each request through it first notes where the routes are mounted
 * (`notePath`, for the guard's and error handler's links), appends the package's error handler to
 * the app once and gets `req.lexoffice`. @internal
 */
export function lexofficeRouter(deps: RouterDeps, notePath: (req: RouteReq) => void): RouterLike {
  const router = loadExpress().Router()
  router.use((req: RouteReq, res, next) => {
    notePath(req)
    installErrorHandlerOnce(req, deps.errorHandler)
    deps.attach(req, res, next)
  })
  return router
}

/** The answer to a done disconnect: browsers go to `after`, other clients get `{ revoked }` as JSON. @internal */
export function answerDisconnected(req: RouteReq, res: ServerResponse, revoked: boolean, after: string): void {
  if (acceptsHtml(req)) redirect(req, res, after)
  else
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify({ revoked }))
}

/** The app's passport (a peer dependency), unless the routes were given one. @internal */
export function resolvePassport(given: PassportLike | undefined): PassportLike {
  if (given !== undefined) {
    const candidate: unknown = given
    if (!isObject(candidate) || typeof candidate.authenticate !== 'function') {
      throw invalidArg('ERR_INVALID_ARG_TYPE', '"passport" must be a passport Authenticator')
    }
    return given
  }
  try {
    return createRequire(__filename)('passport') as PassportLike
  } catch {
    throw new Error('The ready-made routes of passport-lexoffice need passport: npm install passport')
  }
}

/** The strategy the routes use: `lexoffice.strategy`, or one built on the same configuration. @internal */
export function checkStrategy(given: unknown, deps: { config: LexofficeInternals; strategy: LexofficeStrategy }): LexofficeStrategy {
  if (given === undefined) return deps.strategy
  if (!(given instanceof LexofficeStrategy) || !given.isBuiltOn(deps.config)) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      '"strategy" must be a LexofficeStrategy built on this configuration: new LexofficeStrategy(lexoffice, verify)',
    )
  }
  return given
}

/** A route path option: `''` or `/segment[/segment...]`, no trailing slash. @internal */
export function checkPath(value: unknown, name: string, fallback: string): string {
  const path = value ?? fallback
  if (typeof path !== 'string') throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be a string`)
  if (path !== '' && !/^(\/[\w.~-]+)+$/.test(path)) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be '' or a path like /auth/lexoffice (letters, digits, _ . ~ -)`)
  }
  return path
}

/** A local path to send people to after an action. @internal */
export function checkLocalPath(value: unknown, name: string): string {
  const path = value ?? '/'
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.includes('\\')) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be a path on this site, e.g. /`)
  }
  return path
}

/** The origin POST routes accept (the app's public origin). @internal */
export function appOrigin(config: LexofficeInternals): string {
  const o = config.options
  return new URL(o.baseURL ?? o.callbackURL ?? 'http://localhost').origin
}

/** The callback URL of routes mounted at `req.baseUrl` + `path`: configured, never from request headers. @internal */
export function redirectUriFor(config: LexofficeInternals, req: RouteReq, path: string): string {
  const o = config.options
  return o.callbackURL ?? `${o.baseURL ?? ''}${req.baseUrl ?? ''}${path}/callback`
}

/** Refuses a cross-site POST with 403 (see {@link isSameOrigin}); `true` when it may go on. @internal */
export function checkSameOrigin(config: LexofficeInternals, req: RouteReq, res: ServerResponse, render: LexofficeRender): boolean {
  if (isSameOrigin(req, appOrigin(config))) return true
  render(req, res, {
    status: 403,
    error: 'cross_site_request',
    code: 'CROSS_SITE_REQUEST',
    title: 'Request refused',
    message: 'This request did not come from a page of this application.',
  })
  return false
}

/** Runs `passport.authenticate(strategy, options + route)` with a callback of the routes. @internal */
export function authenticateWith(
  passport: PassportLike,
  strategy: LexofficeStrategy,
  route: RouteOptions,
  req: RouteReq,
  res: ServerResponse,
  next: (err?: unknown) => void,
  done: (err: unknown, user: unknown, info: unknown, status: unknown) => void,
): void {
  passport.authenticate(strategy, { [ROUTE]: route }, (err, user, info, status) => {
    done(err, user, info, status)
  })(req, res, next)
}

/** The answer to a refused callback: the failure page, or `failureRedirect?lexoffice_error=CODE`. @internal */
export function answerFailure(
  req: RouteReq,
  res: ServerResponse,
  info: unknown,
  status: unknown,
  loginPath: string,
  failureRedirect: string | undefined,
  render: LexofficeRender,
): void {
  const challenge = (Array.isArray(info) ? info[0] : info) as { code?: unknown; message?: unknown } | undefined
  const code = typeof challenge?.code === 'string' ? challenge.code : 'LOGIN_FAILED'
  const message = typeof challenge?.message === 'string' ? challenge.message : 'The lexoffice login did not complete.'
  const answerStatus = typeof status === 'number' && status >= 400 && status < 500 ? status : 401
  if (failureRedirect !== undefined) {
    res.statusCode = 302
    res.setHeader('location', withQuery(failureRedirect, { lexoffice_error: code }))
    res.setHeader('cache-control', 'no-store')
    res.end()
    return
  }
  render(req, res, {
    status: answerStatus,
    error: 'lexoffice_login_failed',
    code,
    title: code === ErrorCodes.ACCESS_DENIED ? 'lexoffice was not connected' : 'The lexoffice login did not complete',
    message,
    link: { href: loginPath, text: 'Try again' },
  })
}

/** The page before a reconnect, when the guard found the connection lost (`?reason=` on the login path). @internal */
export function reconnectView(loginPath: string, reason: string, returnTo: string | undefined): LexofficeView {
  return {
    status: 401,
    error: 'lexoffice_auth_lost',
    code: 'AUTH_LOST',
    title: 'Connect lexoffice again',
    message: lostMessage(safeReason(reason)),
    link: { href: withQuery(loginPath, { returnTo }), text: 'Connect lexoffice again' },
    extra: { reason: safeReason(reason) },
  }
}

/**
 * `GET <login path>?reason=…` (the guard found the connection lost): answers the page that says
 * why before the user goes to lexoffice again, and returns `true`; `false` for a plain login.
 * @internal
 */
export function answerReconnect(req: RouteReq, res: ServerResponse, loginPath: string, render: LexofficeRender): boolean {
  const query = rawQuery(req)
  const reasons = query.getAll('reason')
  if (reasons.length === 0) return false
  const returnTo = query.getAll('returnTo').length === 1 ? sanitizeReturnTo(query.get('returnTo')) : undefined
  render(req, res, { ...reconnectView(loginPath, reasons[0] ?? '', returnTo), status: acceptsHtml(req) ? 200 : 401 })
  return true
}

/** Promise form of passport's `req.logIn`/`req.logout`, with a clear error when passport is missing. @internal */
export function passportCall(req: RouteReq, method: 'logIn' | 'logout', ...args: unknown[]): Promise<void> {
  const fn = req[method] as ((...a: unknown[]) => void) | undefined
  if (typeof fn !== 'function') {
    return Promise.reject(
      new LexofficeError(ErrorCodes.SESSION_MISSING, 'The lexoffice routes need passport: app.use(passport.session()) before them.', {
        status: 500,
      }),
    )
  }
  return new Promise((resolve, reject) => {
    fn.call(req, ...args, (err?: unknown) => (err ? reject(err instanceof Error ? err : new Error('passport failed')) : resolve()))
  })
}

/**
 * The `returnTo` of a successful callback, taken out of the session: the strategy puts it there for
 * passport's `successReturnToOrRedirect` (which deletes it too); left behind, it would send a later
 * login without `returnTo` to this one's page. @internal
 */
export function takeReturnTo(req: RouteReq, info: unknown): string | undefined {
  if (req.session) delete req.session.returnTo
  return authInfo(info)?.returnTo
}

/** The info a successful callback carries. @internal */
export function authInfo(info: unknown): LexofficeAuthInfo | undefined {
  const i = info as Partial<LexofficeAuthInfo> | undefined
  return i !== undefined && typeof i.returnTo === 'string' && i.connection !== undefined ? (i as LexofficeAuthInfo) : undefined
}

export { defaultRender }

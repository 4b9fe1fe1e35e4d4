import type { ServerResponse } from 'node:http'
import { assertKnownKeys, assertObject, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import type { LexofficeStrategy } from '../strategy/LexofficeStrategy'
import { type LexofficeRender, acceptsHtml, redirect } from './answers'
import type { RouterLike } from './loadExpress'
import {
  type PassportLike,
  type RouteReq,
  type RouterDeps,
  answerDisconnected,
  answerFailure,
  answerReconnect,
  authenticateWith,
  checkLocalPath,
  checkPath,
  checkSameOrigin,
  checkSharedRouteOptions,
  lexofficeRouter,
  passportCall,
  redirectUriFor,
  takeReturnTo,
} from './routeKit'

/**
 * Options of {@link Lexoffice.routes}: "sign in with lexoffice".
 *
 * @example
 * ```ts
 * app.use(lexoffice.routes({ path: '/login/lexoffice', afterLogout: '/goodbye' }))
 * ```
 */
export interface LexofficeRoutesOptions {
  /** Where the routes live below the mount point. Default `/auth/lexoffice` (login), with `/callback`, `/logout`, `/disconnect` below it. */
  path?: string
  /**
   * The strategy the routes log in with, when it is not `lexoffice.strategy`: e.g.
   * `new LexofficeStrategy(lexoffice, verify)` with a `verify` of its own. It must be built on the
   * same configuration.
   */
  strategy?: LexofficeStrategy
  /** The passport `Authenticator` whose `session()` your app uses. Default: the `passport` module. */
  passport?: PassportLike
  /** Where `POST <path>/logout` sends the browser. Default `/`. */
  afterLogout?: string
  /** Where `POST <path>/disconnect` sends the browser. Default `/`. */
  afterDisconnect?: string
  /** Send failed logins here (with `?lexoffice_error=<CODE>`) instead of answering with the package's page. */
  failureRedirect?: string
  /** Renders the package's answers (failed logins, guard, errors); default: a short page for browsers, JSON otherwise. */
  render?: LexofficeRender
  /** `false` leaves out a route, to replace it with your own at the same path. */
  login?: false
  callback?: false
  logout?: false
  disconnect?: false
}

const KEYS = optionKeys<LexofficeRoutesOptions>()([
  'path',
  'strategy',
  'passport',
  'afterLogout',
  'afterDisconnect',
  'failureRedirect',
  'render',
  'login',
  'callback',
  'logout',
  'disconnect',
])

/**
 * The sign-in routes: `GET <path>` (login, with a safe `?returnTo=`), `GET <path>/callback`,
 * `POST <path>/logout` (ends the session) and `POST <path>/disconnect` (revokes the connection at
 * lexoffice and removes its tokens; the session stays). Every request through the router gets
 * `req.lexoffice`; the package's error handler is appended to the app once. @internal
 */
export function createSignInRoutes(deps: RouterDeps, options: LexofficeRoutesOptions = {}): RouterLike {
  const givenOptions: unknown = options
  assertObject(givenOptions, 'options')
  assertKnownKeys(options, KEYS, 'routes()')
  const path = checkPath(options.path, 'path', '/auth/lexoffice')
  const afterLogout = checkLocalPath(options.afterLogout, 'afterLogout')
  const afterDisconnect = checkLocalPath(options.afterDisconnect, 'afterDisconnect')
  const { strategy, passport, failureRedirect, render } = checkSharedRouteOptions(options, deps)
  for (const name of ['login', 'callback', 'logout', 'disconnect'] as const) {
    const given: unknown = options[name]
    if (given !== undefined && given !== false) throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" can only be false`)
  }
  const { config } = deps
  deps.setRender(render)
  config.routing.signIn = true
  const loginPathOf = (req: RouteReq): string => `${req.baseUrl ?? ''}${path}` || '/'
  const router = lexofficeRouter(deps, (req) => {
    config.routing.signInPath = loginPathOf(req)
  })

  if (options.login !== false) {
    router.get(path || '/', (req: RouteReq, res: ServerResponse, next) => {
      // The guard found the connection lost: say so before sending the user to lexoffice again.
      if (answerReconnect(req, res, loginPathOf(req), render)) return
      authenticateWith(passport, strategy, { mode: 'signIn', redirectUri: redirectUriFor(config, req, path) }, req, res, next, (err) => {
        next(err)
      })
    })
  }

  if (options.callback !== false) {
    router.get(`${path}/callback`, (req: RouteReq, res: ServerResponse, next) => {
      const route = { mode: 'signIn' as const, redirectUri: redirectUriFor(config, req, path) }
      authenticateWith(passport, strategy, route, req, res, next, (err, user, info, status) => {
        if (err) {
          next(err)
          return
        }
        if (!user) {
          answerFailure(req, res, info, status, loginPathOf(req), failureRedirect, render)
          return
        }
        passportCall(req, 'logIn', user).then(() => {
          redirect(req, res, takeReturnTo(req, info) ?? '/')
        }, next)
      })
    })
  }

  if (options.logout !== false) {
    router.post(`${path}/logout`, (req: RouteReq, res: ServerResponse, next) => {
      if (!checkSameOrigin(config, req, res, render)) return
      passportCall(req, 'logout').then(() => {
        if (acceptsHtml(req)) redirect(req, res, afterLogout)
        else res.writeHead(204, { 'cache-control': 'no-store' }).end()
      }, next)
    })
  }

  if (options.disconnect !== false) {
    router.post(`${path}/disconnect`, (req: RouteReq, res: ServerResponse, next) => {
      if (!checkSameOrigin(config, req, res, render)) return
      const session = req.session
      const key = session ? strategy.connectionOf(session) : undefined
      if (key === undefined) {
        answerDisconnected(req, res, false, afterDisconnect)
        return
      }
      config.manager.disconnect(key).then(({ revoked }) => {
        answerDisconnected(req, res, revoked, afterDisconnect)
      }, next)
    })
  }

  return router
}

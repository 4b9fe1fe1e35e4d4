import type { ServerResponse } from 'node:http'
import { assertFunction, assertKnownKeys, assertObject, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { connectKey, ownerPrefix } from '../strategy/LexofficeStrategy'
import type { LexofficeStrategy } from '../strategy/LexofficeStrategy'
import { rawQuery } from '../strategy/callbackParams'
import { type LexofficeRender, redirect } from './answers'
import { type RouterLike, loadExpress } from './loadExpress'
import { answerProblem } from './problemAnswer'
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
  redirectUriFor,
  takeReturnTo,
} from './routeKit'

/**
 * Options of {@link Lexoffice.connectRoutes}: "connect lexoffice" for users of an app with its own login.
 *
 * @example
 * ```ts
 * app.use(lexoffice.connectRoutes({ owner: (req) => req.user?.id, path: '/settings/lexoffice' }))
 * ```
 */
export interface LexofficeConnectRoutesOptions {
  /**
   * The signed-in user of your app who owns the connections, e.g. `(req) => req.user?.id`;
   * `undefined` when nobody is signed in (the routes then answer 401).
   */
  owner: (req: Express.Request) => string | undefined | Promise<string | undefined>
  /**
   * Where the routes live below the mount point. Default `/lexoffice`: `GET <path>/connect`,
   * `GET <path>/callback`, `POST <path>/disconnect`, `GET <path>/connections`.
   */
  path?: string
  /**
   * The strategy the routes log in with, when it is not `lexoffice.strategy`: e.g.
   * `new LexofficeStrategy(lexoffice, verify)` with a `verify` of its own. It must be built on the
   * same configuration.
   */
  strategy?: LexofficeStrategy
  /** The passport `Authenticator` your app uses. Default: the `passport` module. */
  passport?: PassportLike
  /** Where the browser goes after a connect without `returnTo`, and after a disconnect. Default `/`. */
  afterConnect?: string
  /** Send failed connects here (with `?lexoffice_error=<CODE>`) instead of answering with the package's page. */
  failureRedirect?: string
  /** Renders the package's answers; default: a short page for browsers, JSON otherwise. */
  render?: LexofficeRender
}

const KEYS = optionKeys<LexofficeConnectRoutesOptions>()([
  'owner',
  'path',
  'strategy',
  'passport',
  'afterConnect',
  'failureRedirect',
  'render',
])

/**
 * Connect mode: a signed-in user of the app connects one or several lexoffice organisations
 * (passport's `authorize()`: `req.user` stays the app's user). Each connection is stored under
 * `owner:<owner>:<organizationId>`; a reconnect of the same organisation replaces (and revokes)
 * the older one. @internal
 */
export function createConnectRoutes(deps: RouterDeps, options: LexofficeConnectRoutesOptions): RouterLike {
  const givenOptions: unknown = options
  assertObject(givenOptions, 'options')
  assertKnownKeys(options, KEYS, 'connectRoutes()')
  assertFunction(options.owner, 'owner')
  const path = checkPath(options.path, 'path', '/lexoffice')
  const afterConnect = checkLocalPath(options.afterConnect, 'afterConnect')
  const { strategy, passport, failureRedirect, render } = checkSharedRouteOptions(options, deps)
  const { config } = deps
  const owner = options.owner
  if (config.routing.owner !== undefined && config.routing.owner !== owner) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', 'connectRoutes() was already created with another "owner" for this configuration')
  }
  config.routing.owner = owner
  deps.setRender(render)
  const connectPathOf = (req: RouteReq): string => `${req.baseUrl ?? ''}${path}/connect`
  const router = lexofficeRouter(deps, (req) => {
    config.routing.connectPath = connectPathOf(req)
  })

  /** Runs `then` with the owner of the request, or answers 401 when nobody is signed in. */
  const withOwner = (req: RouteReq, res: ServerResponse, next: (err?: unknown) => void, then: (owner: string) => void): void => {
    Promise.resolve(owner(req as unknown as Express.Request)).then((id) => {
      if (typeof id === 'string' && id !== '') then(id)
      else answerProblem(req, res, { kind: 'unauthenticated' }, { loginPath: connectPathOf(req), render })
    }, next)
  }

  router.get(`${path}/connect`, (req: RouteReq, res: ServerResponse, next) => {
    withOwner(req, res, next, (id) => {
      // The guard found the connection lost: say so before sending the user to lexoffice again.
      if (answerReconnect(req, res, connectPathOf(req), render)) return
      authenticateWith(
        passport,
        strategy,
        { mode: 'connect', owner: id, redirectUri: redirectUriFor(config, req, path) },
        req,
        res,
        next,
        (err) => {
          next(err)
        },
      )
    })
  })

  router.get(`${path}/callback`, (req: RouteReq, res: ServerResponse, next) => {
    withOwner(req, res, next, (id) => {
      const route = { mode: 'connect' as const, owner: id, redirectUri: redirectUriFor(config, req, path) }
      authenticateWith(passport, strategy, route, req, res, next, (err, account, info, status) => {
        if (err) {
          next(err)
          return
        }
        if (!account) {
          answerFailure(req, res, info, status, connectPathOf(req), failureRedirect, render)
          return
        }
        const returnTo = takeReturnTo(req, info)
        redirect(req, res, returnTo === undefined || returnTo === '/' ? afterConnect : returnTo)
      })
    })
  })

  const urlencoded = loadExpress().urlencoded({ extended: false, limit: '2kb' })
  router.post(`${path}/disconnect`, urlencoded, (req: RouteReq, res: ServerResponse, next) => {
    if (!checkSameOrigin(config, req, res, render)) return
    withOwner(req, res, next, (id) => {
      const body = req.body as Record<string, unknown> | undefined
      const named = typeof body?.connection === 'string' ? body.connection : (rawQuery(req).get('connection') ?? undefined)
      const key = named === undefined ? undefined : keyOfOwner(id, named)
      if (key === undefined) {
        render(req, res, {
          status: 400,
          error: 'invalid_connection',
          code: 'INVALID_PARAMETER',
          title: 'Nothing to disconnect',
          message: 'Name the connection to disconnect (its organization id) in the "connection" field.',
        })
        return
      }
      config.manager.disconnect(key).then(({ revoked }) => {
        if (req.session && strategy.connectionOf(req.session) === key) strategy.setConnectionOf(req.session, undefined)
        answerDisconnected(req, res, revoked, afterConnect)
      }, next)
    })
  })

  router.get(`${path}/connections`, (req: RouteReq, res: ServerResponse, next) => {
    withOwner(req, res, next, (id) => {
      config.manager.listConnections(ownerPrefix(id)).then((list) => {
        const connections = list.map((c) => ({
          organizationId: c.details?.organizationId,
          companyName: c.details?.companyName,
          connectedBy: c.details?.userName,
          state: c.state,
          ...(c.state === 'lost' ? { reason: c.reason } : {}),
          connectedAt: new Date(c.connectedAt).toISOString(),
        }))
        res
          .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
          .end(JSON.stringify({ connections }))
      }, next)
    })
  })

  return router
}

/** The key of `owner`'s connection named by organization id (or by its full key); `undefined` for anything else. @internal */
export function keyOfOwner(owner: string, named: string): string | undefined {
  const prefix = ownerPrefix(owner)
  if (named.startsWith(prefix)) return named.length > prefix.length ? named : undefined
  return /^[\w-]{1,64}$/.test(named) ? connectKey(owner, named) : undefined
}

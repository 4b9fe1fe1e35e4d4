import type { IncomingMessage, ServerResponse } from 'node:http'
import { isLexofficeError } from '../errors'
import { assertFunction, assertKnownKeys, assertObject, assertString, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { sanitizeReturnTo } from '../strategy/returnTo'
import { acceptsHtml } from './answers'
import './augment'

/**
 * Why a request has no usable lexoffice connection. `error` is the machine code sent in JSON
 * answers; `reason` the tombstone's reason (`invalid_grant`, `token.revoked`, ...) or `not_connected`.
 *
 * @example
 * ```ts
 * const problem: LexofficeAuthProblem = { error: 'lexoffice_auth_lost', reason: 'invalid_grant' }
 * ```
 */
export interface LexofficeAuthProblem {
  error: 'lexoffice_auth_lost' | 'lexoffice_not_connected'
  reason: string
}

type Req = Express.Request & IncomingMessage & { originalUrl?: string }

/**
 * Options of {@link requireLexoffice} and {@link lexofficeAuthErrorHandler}.
 *
 * @example
 * ```ts
 * const options: RequireLexofficeOptions = { loginPath: '/connect/lexoffice' }
 * ```
 */
export interface RequireLexofficeOptions {
  /** Where browsers are sent to (re)connect; a path on this site. Default `/auth/lexoffice`. */
  loginPath?: string
  /**
   * Called before the default answer, e.g. to clear session data or log. If it ends the
   * response, the default answer is skipped.
   */
  onAuthLost?: (req: Req, res: ServerResponse, problem: LexofficeAuthProblem) => void | Promise<void>
}

/**
 * An Express (4 or 5) middleware, typed structurally.
 *
 * @example
 * ```ts
 * const guard: RequireLexofficeHandler = requireLexoffice()
 * ```
 */
export type RequireLexofficeHandler = (req: Req, res: ServerResponse, next: (err?: unknown) => void) => void

interface Resolved {
  loginPath: string
  onAuthLost: RequireLexofficeOptions['onAuthLost'] | undefined
}

const OPTION_KEYS = optionKeys<RequireLexofficeOptions>()(['loginPath', 'onAuthLost'])

function resolve(options: RequireLexofficeOptions): Resolved {
  assertObject(options, 'options')
  assertKnownKeys(options, OPTION_KEYS, 'requireLexoffice()')
  const loginPath = options.loginPath ?? '/auth/lexoffice'
  assertString(loginPath, 'loginPath', { max: 512 })
  if (sanitizeReturnTo(loginPath) === undefined || loginPath.includes('?') || loginPath.includes('#')) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"loginPath" must be a path on this site, e.g. /auth/lexoffice')
  }
  if (options.onAuthLost !== undefined) assertFunction(options.onAuthLost, 'onAuthLost')
  return { loginPath, onAuthLost: options.onAuthLost }
}

/**
 * Lets a request through only with an active lexoffice connection. Without one (never
 * connected, or lost: `invalid_grant`, revoked), a browser page request (GET/HEAD accepting
 * `text/html`) is redirected to `loginPath?returnTo=<this relative URL>`, and any other request
 * gets `401 {"error":"lexoffice_auth_lost"|"lexoffice_not_connected","reason":...}`. Never a
 * 500 for these cases, and never a redirect from the login path to itself. A store outage is
 * passed on (`next(err)`, status 503). Needs {@link lexoffice} before it.
 *
 * @throws TypeError for a `loginPath` that is not a local path.
 * @example
 * ```ts
 * app.use(lexoffice({ manager, key: (req) => req.user?.id }))
 * app.get('/dashboard', requireLexoffice({ loginPath: '/auth/lexoffice' }), renderDashboard)
 * ```
 */
export function requireLexoffice(options: RequireLexofficeOptions = {}): RequireLexofficeHandler {
  const resolved = resolve(options)
  return function requireLexofficeMiddleware(req, res, next) {
    const ctx = req.lexoffice as typeof req.lexoffice | undefined // unset when no lexoffice middleware ran
    if (!ctx) {
      next(new TypeError('requireLexoffice() needs the lexoffice() middleware to run before it'))
      return
    }
    ctx
      .tokenInfo()
      .then(
        (info) => {
          if (info?.state === 'active') {
            next()
            return
          }
          const problem: LexofficeAuthProblem =
            info === undefined
              ? { error: 'lexoffice_not_connected', reason: 'not_connected' }
              : { error: 'lexoffice_auth_lost', reason: info.reason }
          return answer(req, res, problem, resolved)
        },
        (err: unknown) => {
          const problem = problemOf(err)
          if (problem === undefined) {
            next(err)
            return
          }
          return answer(req, res, problem, resolved)
        },
      )
      .catch(next)
  }
}

/**
 * An Express error handler that answers `AUTH_LOST` and `NOT_CONNECTED` errors thrown later in a
 * route (e.g. the connection was lost during the request) like {@link requireLexoffice} does;
 * other errors are passed on. Mount it after your routes.
 *
 * @example
 * ```ts
 * app.get('/contacts', async (req, res, next) => {
 *   try { res.json(await (await req.lexoffice!.fetch('/v1/contacts')).json()) } catch (err) { next(err) }
 * })
 * app.use(lexofficeAuthErrorHandler({ loginPath: '/auth/lexoffice' }))
 * ```
 */
export function lexofficeAuthErrorHandler(
  options: RequireLexofficeOptions = {},
): (err: unknown, req: Req, res: ServerResponse, next: (err?: unknown) => void) => void {
  const resolved = resolve(options)
  return function lexofficeAuthErrors(err, req, res, next) {
    const problem = problemOf(err)
    if (problem === undefined || res.headersSent) {
      next(err)
      return
    }
    answer(req, res, problem, resolved).catch(next)
  }
}

function problemOf(err: unknown): LexofficeAuthProblem | undefined {
  if (isLexofficeError(err, 'AUTH_LOST')) return { error: 'lexoffice_auth_lost', reason: (err as { reason?: string }).reason ?? 'unknown' }
  if (isLexofficeError(err, 'NOT_CONNECTED')) return { error: 'lexoffice_not_connected', reason: 'not_connected' }
  return undefined
}

async function answer(req: Req, res: ServerResponse, problem: LexofficeAuthProblem, options: Resolved): Promise<void> {
  if (options.onAuthLost) {
    await options.onAuthLost(req, res, problem)
    if (res.headersSent || res.writableEnded) return
  }
  const url = req.originalUrl ?? req.url ?? '/'
  const pathname = url.split(/[?#]/)[0]
  const atLogin = pathname === options.loginPath || pathname.startsWith(options.loginPath + '/')
  res.setHeader('cache-control', 'no-store')
  if (!atLogin && (req.method === 'GET' || req.method === 'HEAD') && acceptsHtml(req)) {
    const returnTo = sanitizeReturnTo(url)
    res.statusCode = 302
    res.setHeader('location', returnTo === undefined ? options.loginPath : `${options.loginPath}?returnTo=${encodeURIComponent(returnTo)}`)
    res.end()
    return
  }
  res.statusCode = 401
  res.setHeader('content-type', 'application/json; charset=utf-8')
  res.end(JSON.stringify(problem))
}

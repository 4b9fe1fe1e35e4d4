import type { IncomingMessage, ServerResponse } from 'node:http'
import { isLexofficeError } from '../errors'
import { type ProblemContext, answerProblem } from './problemAnswer'

/**
 * An Express error handler (4 arguments), typed structurally for Express 4 and 5.
 *
 * @example
 * ```ts
 * const handler: LexofficeErrorHandler = lexoffice.errorHandler()
 * app.use(handler)
 * ```
 */
export type LexofficeErrorHandler = (err: unknown, req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void

/**
 * Answers every error of this package (a lost or missing connection like the guard does; others
 * with their status and code, never a stack trace); any other error goes on to the next handler.
 * @internal
 */
export function createErrorHandler(context: (req: IncomingMessage) => ProblemContext | Promise<ProblemContext>): LexofficeErrorHandler {
  return function lexofficeErrorHandler(err, req, res, next) {
    if (!isLexofficeError(err) || res.headersSent) {
      next(err)
      return
    }
    Promise.resolve(context(req)).then((ctx) => {
      if (err.code === 'AUTH_LOST') {
        answerProblem(req, res, { kind: 'auth_lost', reason: (err as { reason?: string }).reason ?? 'unknown' }, ctx)
        return
      }
      if (err.code === 'NOT_CONNECTED') {
        answerProblem(req, res, { kind: 'not_connected' }, ctx)
        return
      }
      const status = err.status >= 400 && err.status <= 599 ? err.status : 500
      const upstream = status >= 500
      ctx.render(req, res, {
        status,
        error: 'lexoffice_error',
        code: err.code,
        title: upstream ? 'lexoffice is not available' : 'The request to lexoffice failed',
        message: upstream ? 'lexoffice could not be reached or answered with an error. Please try again in a moment.' : err.message,
      })
    }, next)
  }
}

/** Apps this package has already appended its error handler to. */
const INSTALLED = new WeakSet()

/**
 * Appends `handler` once to the end of the app that routes `req`, so that a `LexofficeError`
 * thrown in a route registered after the package's routes still gets the package's answer instead
 * of Express's default page with a stack trace. An error handler of the app registered earlier
 * sees the error first. @internal
 */
export function installErrorHandlerOnce(req: IncomingMessage, handler: LexofficeErrorHandler): void {
  const app = (req as { app?: { use?: (fn: LexofficeErrorHandler) => unknown } }).app
  if (app === undefined || typeof app.use !== 'function' || INSTALLED.has(app)) return
  INSTALLED.add(app)
  app.use(handler)
}

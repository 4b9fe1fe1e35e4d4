/**
 * The error pages: 400, 404, the "connection lost" page and the error handler that turns any
 * error into a friendly page (or JSON answer) with the right status, never a stack trace.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express'
import { isLexofficeError } from 'passport-lexoffice'
import type { AppDependencies } from './AppDependencies'

/** What a browser sees when the lexoffice connection is lost or gone. */
export const LOST_PAGE = {
  heading: 'lexoffice connection lost',
  message: 'lexoffice connection lost - reconnect to continue.',
  reconnect: true,
  page: '',
}

/** Answers 400 with the error page. */
export function badRequest(res: Response, heading: string, message: string): void {
  res.status(400).render('error', { title: 'Bad request', heading, message, reconnect: false, page: '' })
}

/** Renders a view and resolves once the answer is sent (requireLexoffice's onAuthLost awaits it). */
export function renderPage(res: Response, status: number, view: string, locals: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    res.status(status).render(view, locals, (err: Error | null, html: string) => {
      if (err) return reject(err)
      res.setHeader('cache-control', 'no-store')
      res.send(html)
      resolve()
    })
  })
}

/** The 404 page, for any request no route answered. */
export const notFound: RequestHandler = (_req, res) => {
  res.status(404).render('error', { title: 'Not found', heading: 'Not found', message: 'There is no page here.', reconnect: false })
}

/**
 * Errors: typed lexoffice errors become friendly pages with their status, client errors from
 * Express and its parsers (bad URL encoding, body too large) keep their 4xx; never a stack trace.
 */
export function errorHandler(deps: Pick<AppDependencies, 'backendLabel'>): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, next) => {
    if (res.headersSent) return next(err)
    // The error may come from before the locals middleware (e.g. the body parser): the layout needs them.
    for (const [name, value] of Object.entries({
      user: req.user,
      sandbox: false,
      backendLabel: deps.backendLabel,
      flash: undefined,
      page: '',
    })) {
      if (!(name in res.locals)) res.locals[name] = value
    }
    const lost = isLexofficeError(err, 'AUTH_LOST') || isLexofficeError(err, 'NOT_CONNECTED')
    const status = isLexofficeError(err) ? err.status : (clientErrorStatus(err) ?? 500)
    if (status >= 500) console.error('request failed:', req.method, req.path, isLexofficeError(err) ? err.toJSON() : err)
    const message = lost
      ? LOST_PAGE.message
      : isLexofficeError(err) && err.expose
        ? err.message
        : status < 500
          ? 'The request was not valid.'
          : 'Something went wrong while talking to lexoffice. Please try again.'
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(status).json({ error: isLexofficeError(err) ? err.code : status < 500 ? 'bad_request' : 'internal_error', message })
      return
    }
    if (lost) return void renderPage(res, status, 'error', { title: 'Reconnect', ...LOST_PAGE })
    res
      .status(status)
      .render('error', { title: 'Error', heading: status < 500 ? 'Bad request' : 'Error', message, reconnect: false, page: '' })
  }
}

/** The 4xx status of a client error raised by Express or a body parser (bad URL encoding, body too large), if any. */
function clientErrorStatus(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined
  const { status } = err as { status?: unknown }
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 ? status : undefined
}

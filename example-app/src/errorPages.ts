/**
 * Pages for what went wrong: 400, 404, and the error handler for every error the package's own
 * handler (mounted before it) does not answer: client errors from Express and its parsers keep
 * their 4xx, anything else is a 500 page; never a stack trace.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express'
import { isLexofficeError } from 'passport-lexoffice'
import { layoutDefaults } from './viewLocals'

/** Renders a view with the layout's locals filled in (an error may come before they were set). */
export function renderPage(res: Response, status: number, view: string, locals: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(layoutDefaults(res.req))) {
    if (!(name in res.locals)) res.locals[name] = value
  }
  res.setHeader('cache-control', 'no-store')
  res.status(status).render(view, { page: '', link: undefined, code: undefined, ...locals })
}

/** Answers 400 with the error page, and a way on. */
export function badRequest(res: Response, heading: string, message: string, link?: { href: string; text: string }): void {
  renderPage(res, 400, 'error', { title: 'Bad request', heading, message, link })
}

/** The 404 page, for any request no route answered. */
export const notFound: RequestHandler = (req, res) => {
  if (wantsJson(req)) {
    res.status(404).json({ error: 'not_found' })
    return
  }
  renderPage(res, 404, 'error', {
    title: 'Not found',
    heading: 'Not found',
    message: 'There is no page here.',
    link: { href: '/', text: 'Start page' },
  })
}

/** The last error handler. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req: Request, res: Response, next) => {
  if (res.headersSent) {
    next(err)
    return
  }
  const status = clientErrorStatus(err) ?? 500
  if (status >= 500) console.error('request failed:', req.method, req.path, isLexofficeError(err) ? err.toJSON() : err)
  const message = status < 500 ? 'The request was not valid.' : 'Something went wrong. Please try again.'
  if (wantsJson(req)) {
    res.status(status).json({ error: status < 500 ? 'bad_request' : 'internal_error', message })
    return
  }
  renderPage(res, status, 'error', { title: 'Error', heading: status < 500 ? 'Bad request' : 'Error', message })
}

/** A client that asked for JSON rather than a page. */
export function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json'
}

/** The 4xx status of a client error raised by Express or a body parser (bad URL encoding, body too large), if any. */
function clientErrorStatus(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined
  const { status } = err as { status?: unknown }
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 ? status : undefined
}

/**
 * The security middleware of the example app: helmet's headers, the session cookie and the
 * synchronizer-token CSRF check for every state-changing form.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import session from 'express-session'
import helmet from 'helmet'
import type { AppDependencies } from './AppDependencies'
import { renderPage } from './errorPages'

declare module 'express-session' {
  interface SessionData {
    csrf?: string
    flash?: { kind: 'ok' | 'bad'; text: string }
    /** Connect mode: the organisation the demo user chose to work with. */
    organization?: string
  }
}

/** helmet's security headers: a strict CSP (scripts and styles from this app only, forms post here only). */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { directives: { 'form-action': ["'self'"] } },
    // The OAuth callback must not leak the code through the Referer header (RFC 9700 §4.2.4).
    referrerPolicy: { policy: 'no-referrer' },
  })
}

/** The session middleware (`secure`: the app is served over https, so is its cookie). */
export function sessionMiddleware(deps: Pick<AppDependencies, 'sessionSecret' | 'sessionStore'>, secure: boolean): RequestHandler {
  return session({
    name: 'lexoffice-example.sid',
    secret: deps.sessionSecret,
    resave: false,
    // No session (and no cookie) until something is stored in it: a login, or a form's CSRF token.
    saveUninitialized: false,
    ...(deps.sessionStore ? { store: deps.sessionStore } : {}),
    // SameSite=Lax: the session cookie must come along on lexoffice's redirect back.
    cookie: { httpOnly: true, sameSite: 'lax', secure, maxAge: 8 * 60 * 60 * 1000 },
  })
}

/**
 * Synchronizer-token CSRF protection (OWASP) for every state-changing form. The token is created
 * only when a page renders a form (`csrfToken()` in the views), so requests without a cookie
 * (crawlers, health checks, 404s) never store a session.
 */
export function csrf(req: Request, res: Response, next: NextFunction): void {
  res.locals.csrfToken = (): string => {
    req.session.csrf ??= randomBytes(24).toString('base64url')
    return req.session.csrf
  }
  if (req.method !== 'POST') {
    next()
    return
  }
  const sent =
    typeof (req.body as Record<string, unknown> | undefined)?._csrf === 'string'
      ? Buffer.from((req.body as { _csrf: string })._csrf)
      : undefined
  const expected = req.session.csrf === undefined ? undefined : Buffer.from(req.session.csrf)
  if (sent === undefined || expected === undefined || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    renderPage(res, 403, 'error', {
      title: 'Forbidden',
      heading: 'Form expired',
      message:
        'This form is no longer valid (it belongs to an earlier visit, or came from another site). Go back, reload the page and try again.',
    })
    return
  }
  next()
}

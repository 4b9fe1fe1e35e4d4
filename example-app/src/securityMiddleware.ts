/**
 * The security middleware of the example app: helmet's headers, the session cookie and the
 * synchronizer-token CSRF check for every state-changing form.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import session from 'express-session'
import helmet from 'helmet'
import type { AppDependencies } from './AppDependencies'

declare module 'express-session' {
  interface SessionData {
    csrf?: string
    flash?: { kind: 'ok' | 'bad'; text: string }
  }
}

/** helmet's security headers; forms may post to this app and to lexoffice's authorization page. */
export function securityHeaders(deps: Pick<AppDependencies, 'oauth'>): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: { 'form-action': ["'self'", new URL(deps.oauth.authorizationURL).origin] },
    },
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
    saveUninitialized: false,
    ...(deps.sessionStore ? { store: deps.sessionStore } : {}),
    // SameSite=Lax: the session cookie must come along on lexoffice's redirect back.
    cookie: { httpOnly: true, sameSite: 'lax', secure, maxAge: 8 * 60 * 60 * 1000 },
  })
}

/** Synchronizer-token CSRF protection (OWASP) for every state-changing form. */
export function csrf(req: Request, res: Response, next: NextFunction): void {
  if (!req.session) return next()
  if (!req.session.csrf) req.session.csrf = randomBytes(24).toString('base64url')
  res.locals.csrfToken = req.session.csrf
  if (req.method !== 'POST' || req.path.startsWith('/webhooks/')) return next()
  const sent = typeof req.body?._csrf === 'string' ? Buffer.from(req.body._csrf) : Buffer.alloc(0)
  const expected = Buffer.from(req.session.csrf)
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    res.status(403).render('error', {
      title: 'Forbidden',
      heading: 'Form expired',
      message: 'This form is no longer valid. Go back, reload the page and try again.',
      reconnect: false,
    })
    return
  }
  next()
}

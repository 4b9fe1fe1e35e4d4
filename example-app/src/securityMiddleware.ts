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

/**
 * Synchronizer-token CSRF protection (OWASP) for every state-changing form. The session's secret
 * is created only when a view renders a form (`csrfToken()` in the template): writing it on every
 * request would store a session for every cookieless visitor, 404s included, and make
 * `saveUninitialized: false` pointless.
 */
export function csrf(req: Request, res: Response, next: NextFunction): void {
  const session = req.session as Request['session'] | undefined
  if (!session) {
    next()
    return
  }
  res.locals.csrfToken = (): string => (session.csrf ??= randomBytes(24).toString('base64url'))
  if (req.method !== 'POST' || req.path.startsWith('/webhooks/')) {
    next()
    return
  }
  const body = req.body as { _csrf?: unknown } | undefined
  const sent = Buffer.from(typeof body?._csrf === 'string' ? body._csrf : '')
  // No secret yet: no form of this session was ever rendered, so no post can be genuine.
  const expected = Buffer.from(session.csrf ?? '')
  if (expected.length === 0 || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
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

/** The guards in front of the app's routes: signed in, lexoffice connected; and the API client behind them. */
import type { NextFunction, Request, Response } from 'express'
import { type LexofficeClient, type RequireLexofficeHandler, requireLexoffice } from 'passport-lexoffice'
import { LOST_PAGE, renderPage } from './errorPages'

/** Lets signed-in users through; others are sent to the login (browsers) or get a 401 (JSON). */
export function signedIn(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next()
  if (req.accepts(['html', 'json']) === 'json') {
    res.status(401).json({ error: 'not_signed_in' })
    return
  }
  res.redirect(`/auth/lexoffice?returnTo=${encodeURIComponent(req.originalUrl)}`)
}

/** Lets requests through whose user has a lexoffice connection (requireLexoffice). */
export function needLexoffice(): RequireLexofficeHandler {
  return requireLexoffice({
    loginPath: '/auth/lexoffice',
    // A browser whose connection is known to be lost (token.revoked webhook, failed refresh) sees
    // why and chooses to reconnect, instead of landing on lexoffice's consent page unasked.
    // API clients (Accept: application/json) get the default 401 JSON answer.
    onAuthLost: (req, res) => {
      if ((req as Request).accepts(['html', 'json']) !== 'html') return
      return renderPage(res as Response, 401, 'error', { title: 'Reconnect', ...LOST_PAGE })
    },
  })
}

/** The signed-in user's lexoffice API client (behind `signedIn`, the lexoffice middleware has set `req.lexoffice`). */
export function client(req: Request): LexofficeClient {
  return req.lexoffice!.client
}

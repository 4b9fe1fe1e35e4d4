import type { NextFunction, Request, Response } from 'express'
import { userOf } from './AppUser'
import { wantsJson } from './errorPages'

/**
 * Lets signed-in users through (either way of signing in); browsers of others go to the start
 * page, which offers both, JSON clients get 401.
 */
export function signedIn(req: Request, res: Response, next: NextFunction): void {
  if (userOf(req)) {
    next()
    return
  }
  if (wantsJson(req)) {
    res.status(401).json({ error: 'not_signed_in' })
    return
  }
  res.redirect('/?notice=signin')
}

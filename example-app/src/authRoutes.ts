/** Signing in and out: the lexoffice login and its callback, logout, and disconnecting lexoffice. */
import { type Request, Router } from 'express'
import type { AppPassport } from './createPassport'
import { signedIn } from './routeGuards'

/** GET /auth/lexoffice, GET /auth/lexoffice/callback, POST /disconnect and POST /logout. */
export function authRoutes(passport: AppPassport): Router {
  const router = Router()

  // Login: the strategy stores PKCE verifier + state in the session and redirects to lexoffice.
  router.get('/auth/lexoffice', passport.authenticate('lexoffice'))
  router.get(
    '/auth/lexoffice/callback',
    passport.authenticate('lexoffice', { failureRedirect: '/?login=failed', successReturnToOrRedirect: '/' }),
  )

  router.post('/disconnect', signedIn, async (req, res, next) => {
    try {
      const { revoked } = await req.lexoffice!.disconnect()
      await logOut(req)
      req.session.flash = revoked
        ? { kind: 'ok', text: 'lexoffice was disconnected and its tokens revoked.' }
        : {
            kind: 'bad',
            text: 'lexoffice was disconnected here; lexoffice did not confirm the revocation (the connection may already have ended).',
          }
      res.redirect(303, '/')
    } catch (err) {
      next(err)
    }
  })
  router.post('/logout', async (req, res, next) => {
    try {
      await logOut(req)
      res.redirect(303, '/')
    } catch (err) {
      next(err)
    }
  })

  return router
}

function logOut(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())))
}

import { Router } from 'express'
import type { Sandbox } from 'passport-lexoffice/sandbox'
import { userOf } from './AppUser'
import { signedIn } from './routeGuards'

/**
 * Sandbox only: POST /sandbox/revoke and /sandbox/expire act as the lexoffice user would, to make
 * auth loss and refreshes visible.
 */
export function sandboxRoutes(sandbox: Sandbox): Router {
  const router = Router()
  router.post('/sandbox/revoke', signedIn, (req, res) => {
    sandbox.revokeConnection(userOf(req)!.connectionId, 'revoked by the user at the sandbox')
    req.session.flash = { kind: 'bad', text: 'The sandbox revoked this connection, as a user can do in lexoffice.' }
    res.redirect(303, '/')
  })
  router.post('/sandbox/expire', signedIn, (req, res) => {
    sandbox.expireAccessTokens(userOf(req)!.connectionId)
    req.session.flash = { kind: 'ok', text: 'The access token expired at the sandbox; the next API call refreshes it.' }
    res.redirect(303, '/')
  })
  return router
}

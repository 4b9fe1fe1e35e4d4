/**
 * The app's own login, a stand-in for a real one (no password): GET /login, POST /login and
 * POST /logout. Its users connect lexoffice organisations to their account ("connect lexoffice").
 */
import { type Request, Router } from 'express'
import { DEMO_USERS, type DemoUser, userOf } from './AppUser'
import { badRequest, renderPage } from './errorPages'

export function demoLoginRoutes(): Router {
  const router = Router()

  router.get('/login', (req, res) => {
    if (userOf(req)) {
      res.redirect('/')
      return
    }
    renderPage(res, 200, 'login', { title: 'Sign in', page: 'login', demoUsers: DEMO_USERS })
  })

  router.post('/login', (req, res, next) => {
    const id = (req.body as Record<string, unknown> | undefined)?.user
    const account = DEMO_USERS.find((u) => u.id === id)
    if (!account) {
      badRequest(res, 'Unknown account', 'Choose one of the demo accounts.', { href: '/login', text: 'Sign in' })
      return
    }
    const user: DemoUser = { ...account, demo: true }
    // passport starts a new session for the signed-in user (no session fixation).
    req.logIn(user, (err) => (err ? next(err) : res.redirect(303, '/')))
  })

  router.post('/logout', (req, res, next) => {
    logOut(req).then(() => res.redirect(303, '/'), next)
  })

  return router
}

function logOut(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.logout((err) => (err ? reject(err as Error) : resolve())))
}

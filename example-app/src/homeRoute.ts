/** The start page: the two ways to sign in, or who is signed in and the state of their lexoffice connections. */
import { Router } from 'express'
import { userOf } from './AppUser'
import { connectionViews, currentLexoffice } from './connections'
import { renderPage } from './errorPages'

/** GET /. */
export function homeRoute(): Router {
  const router = Router()
  router.get('/', async (req, res, next) => {
    try {
      const connections = userOf(req) ? connectionViews(await currentLexoffice(req)) : []
      renderPage(res, 200, 'home', { title: 'Home', page: 'home', connections })
    } catch (err) {
      next(err)
    }
  })
  return router
}

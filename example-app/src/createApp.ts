/**
 * The example app: Express + express-session + passport + one lexoffice configuration, in both
 * modes: "sign in with lexoffice" (`lexoffice.routes()`) and "connect lexoffice" for users of the
 * app's own login (`lexoffice.connectRoutes()`), each user possibly connecting several
 * organisations. `createApp()` builds it from explicit dependencies so that the tests can start
 * several instances on port 0; `startExample.ts` builds those. This file only wires the parts
 * together, in an order that matters (see the comments).
 */
import path from 'node:path'
import express from 'express'
import type { AppDependencies } from './AppDependencies'
import { ownerOf } from './AppUser'
import { organizationRoutes } from './connections'
import { createPassport } from './createPassport'
import { demoLoginRoutes } from './demoLogin'
import { errorHandler, notFound } from './errorPages'
import { eventRoutes, webhookReceiver } from './eventRoutes'
import { homeRoute } from './homeRoute'
import { lexofficeDataRoutes } from './lexofficeDataRoutes'
import { renderLexofficeView } from './lexofficeViews'
import { sandboxRoutes } from './sandboxRoutes'
import { csrf, securityHeaders, sessionMiddleware } from './securityMiddleware'
import { viewLocals } from './viewLocals'

export type { AppDependencies } from './AppDependencies'
export type { AppUser } from './AppUser'

const VIEWS = path.join(__dirname, '..', 'views')
const PUBLIC = path.join(__dirname, '..', 'public')

export function createApp(deps: AppDependencies): express.Express {
  const { lexoffice } = deps
  const app = express()
  const secure = deps.baseURL.startsWith('https:')
  app.set('views', VIEWS)
  app.set('view engine', 'ejs')
  app.disable('x-powered-by')
  if (secure) app.set('trust proxy', 1)

  app.use(securityHeaders())
  app.get('/favicon.ico', (_req, res) => {
    res.sendFile(path.join(PUBLIC, 'favicon.ico'), { maxAge: '1d' })
  })
  app.use('/public', express.static(PUBLIC, { maxAge: '1h' }))

  // Webhooks read their raw body themselves, so they are mounted before any body parser (and
  // with app.use, which also answers lexoffice's HEAD check of the URL).
  app.use('/webhooks/lexoffice', webhookReceiver(deps))

  app.use(sessionMiddleware(deps, secure))
  app.use(express.urlencoded({ extended: false, limit: '10kb' }))

  // passport after the session (it keeps the signed-in user there).
  const passport = createPassport(lexoffice)
  app.use(passport.session())
  app.use(viewLocals(deps))
  // Every form post carries the session's CSRF token, the package's logout and disconnect too
  // (which also check the Origin header themselves).
  app.use(csrf)

  // "Sign in with lexoffice": GET /auth/lexoffice (login), /auth/lexoffice/callback,
  // POST /auth/lexoffice/logout and /auth/lexoffice/disconnect. Every request gets req.lexoffice.
  app.use(lexoffice.routes({ passport, render: renderLexofficeView, afterDisconnect: '/?notice=disconnected' }))
  // "Connect lexoffice" for users of the own login (the owner): GET /lexoffice/connect,
  // /lexoffice/callback, /lexoffice/connections, POST /lexoffice/disconnect (connection=<organizationId>).
  app.use(lexoffice.connectRoutes({ passport, owner: ownerOf, render: renderLexofficeView }))
  app.use(demoLoginRoutes())

  // The app's pages (their paths do not overlap, so their order among each other does not matter).
  app.use(homeRoute())
  app.use(organizationRoutes())
  app.use(lexofficeDataRoutes(lexoffice))
  app.use(eventRoutes(deps))
  if (deps.sandbox) app.use(sandboxRoutes(deps.sandbox))

  // Last: the 404 page for anything no route answered, then the package's error handler (a lost
  // connection found by an API call: the guard's answers), then the app's own for everything else.
  app.use(notFound)
  app.use(lexoffice.errorHandler())
  app.use(errorHandler)

  return app
}

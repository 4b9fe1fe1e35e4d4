/**
 * The example app: Express + express-session + passport + LexofficeStrategy, the token layer,
 * `req.lexoffice`, webhooks. `createApp()` builds it from explicit dependencies so that the
 * tests can start several instances on port 0; `main.ts` reads the environment and starts one.
 * This file only wires the parts together, in an order that matters (see the comments).
 */
import path from 'node:path'
import express from 'express'
import { lexoffice } from 'passport-lexoffice'
import type { AppDependencies } from './AppDependencies'
import { userOf } from './AppUser'
import { authRoutes } from './authRoutes'
import { createPassport } from './createPassport'
import { errorHandler, notFound } from './errorPages'
import { eventRoutes, webhookReceiver } from './eventRoutes'
import { homeRoute } from './homeRoute'
import { lexofficeDataRoutes } from './lexofficeDataRoutes'
import { sandboxRoutes } from './sandboxRoutes'
import { csrf, securityHeaders, sessionMiddleware } from './securityMiddleware'
import { viewLocals } from './viewLocals'

export type { AppDependencies } from './AppDependencies'
export type { AppUser } from './AppUser'
export { type EventLog, type ReceivedEvent, memoryEventLog } from './eventLog'

const VIEWS = path.join(__dirname, '..', 'views')
const PUBLIC = path.join(__dirname, '..', 'public')

export function createApp(deps: AppDependencies): express.Express {
  const app = express()
  const secure = deps.baseURL.startsWith('https:')
  app.set('views', VIEWS)
  app.set('view engine', 'ejs')
  app.disable('x-powered-by')
  if (secure) app.set('trust proxy', 1)

  app.use(securityHeaders(deps))
  app.use('/public', express.static(PUBLIC, { maxAge: '1h' }))

  // Webhooks read their raw body themselves, so they are mounted before any body parser; with
  // app.use, not app.post: lexoffice checks the URL with HEAD, which the handler answers itself.
  app.use('/webhooks/lexoffice', webhookReceiver(deps))

  app.use(sessionMiddleware(deps, secure))
  app.use(express.urlencoded({ extended: false, limit: '10kb' }))

  // passport after the session (it keeps the signed-in user there).
  const passport = createPassport(deps)
  app.use(passport.initialize())
  app.use(passport.session())

  app.use(
    lexoffice({
      manager: deps.manager,
      // req.lexoffice.client: the typed API client, paced per connection (lexoffice allows 2 req/s).
      key: (req) => userOf(req)?.connectionId,
    }),
  )
  app.use(viewLocals(deps))
  app.use(csrf)

  // The routes (their paths do not overlap, so their order among each other does not matter).
  app.use(authRoutes(passport))
  app.use(homeRoute())
  app.use(lexofficeDataRoutes())
  app.use(eventRoutes(deps))
  if (deps.sandbox) app.use(sandboxRoutes(deps.sandbox))

  // Last: the 404 page for anything no route answered, then the error handler.
  app.use(notFound)
  app.use(errorHandler(deps))

  return app
}

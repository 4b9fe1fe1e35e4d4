/**
 * An Express app (5 by default, or 4) with express-session and its own Passport instance, on
 * 127.0.0.1:0, wired to a LexofficeStrategy. Routes:
 *   GET /login                       passport.authenticate('lexoffice')
 *   GET /callback                    custom callback: JSON with the failure code, or req.logIn + JSON
 *   GET /callback-redirect           passport's own handling: successReturnToOrRedirect '/home'
 *   GET /login-with-state            passport.authenticate('lexoffice', { state: 'app-chosen-state' })
 *   GET /me                          { user, sessionID, pending }
 * Errors reach an error handler answering { code, message } with err.status.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express5 from 'express'
import express4 from 'express4'
import session from 'express-session'
import { Passport } from 'passport'
import request from 'supertest'
import { LexofficeStrategy, type LexofficeVerifyFunctionWithParams } from '../../../lib/strategy/LexofficeStrategy'
import type { LexofficeStrategyOptions } from '../../../lib/strategy/resolveStrategyOptions'

export interface TestApp {
  server: Server
  origin: string
  callbackURL: string
  strategy: LexofficeStrategy
  agent(): ReturnType<typeof request.agent>
  verifyCalls: unknown[][]
  /** Every error that reached the error handler. */
  errors: unknown[]
  /** Every warning the strategy logged. */
  warnings: string[]
  close(): Promise<void>
}

export interface TestAppOptions {
  express?: 'express5' | 'express4'
  strategy?: Partial<LexofficeStrategyOptions>
  endpoints: { authorizationURL: string; tokenURL: string; revokeURL: string; apiURL: string }
  client: { clientID: string; clientSecret: string }
  /** Any verify form; its arity decides the dispatch, as in passport-oauth2. */
  verify?: (...args: any[]) => void
  /** Register the callback URL at the authorization server once it is known. */
  register?: (callbackURL: string) => void
}

type AnyReq = { session?: Record<string, unknown> & { save?: unknown }; sessionID?: string; user?: unknown; logIn: Function }
type AnyRes = { status(n: number): AnyRes; json(b: unknown): void; setHeader(k: string, v: string): void }

export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const verifyCalls: unknown[][] = []
  const errors: unknown[] = []
  const warnings: string[] = []
  const passport = new Passport()
  passport.serializeUser((user, done) => done(null, user))
  passport.deserializeUser((user: Express.User, done) => done(null, user))

  const makeExpress = (options.express === 'express4' ? express4 : express5) as unknown as () => any
  const app = makeExpress()
  app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax', httpOnly: true } }))
  app.use(passport.initialize())
  app.use(passport.session())

  let strategy!: LexofficeStrategy
  app.get('/login', (req: unknown, res: unknown, next: unknown) => (passport.authenticate('lexoffice') as Function)(req, res, next))
  app.get('/callback', (req: AnyReq, res: AnyRes, next: (err?: unknown) => void) => {
    ;(
      passport.authenticate('lexoffice', (err: any, user: any, info: any, status: any) => {
        if (err) return next(err)
        if (!user) return res.status(status ?? 401).json({ code: info?.code, message: info?.message })
        const before = req.sessionID
        req.logIn(user, (e: unknown) => {
          if (e) return next(e)
          res.json({ user, info, sessionBefore: before, sessionAfter: req.sessionID, returnTo: req.session?.returnTo })
        })
      }) as Function
    )(req, res, next)
  })
  app.get('/login-with-state', (req: unknown, res: unknown, next: unknown) =>
    (passport.authenticate('lexoffice', { state: 'app-chosen-state' }) as Function)(req, res, next),
  )
  app.get('/callback-redirect', (req: unknown, res: unknown, next: unknown) =>
    (passport.authenticate('lexoffice', { successReturnToOrRedirect: '/home', failureRedirect: '/failed' }) as Function)(req, res, next),
  )
  app.get('/me', (req: AnyReq, res: AnyRes) => {
    const pending = (req.session?.[strategy.sessionKey] as { pending?: unknown[] } | undefined)?.pending?.length ?? 0
    res.json({ user: req.user ?? null, sessionID: req.sessionID, pending })
  })
  app.use((err: { status?: number; code?: string; message?: string }, _req: unknown, res: AnyRes, _next: unknown) => {
    errors.push(err)
    res.status(typeof err.status === 'number' ? err.status : 500).json({ code: err.code, message: err.message })
  })

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const callbackURL = `${origin}/callback`
  options.register?.(callbackURL)
  options.register?.(`${origin}/callback-redirect`)

  const verify: LexofficeVerifyFunctionWithParams =
    (options.verify as LexofficeVerifyFunctionWithParams | undefined) ??
    ((accessToken, refreshToken, params, profile, done) => {
      verifyCalls.push([accessToken, refreshToken, params, profile])
      done(null, {
        id: profile?.id,
        organizationId: profile?.organizationId,
        email: profile?.emails?.[0]?.value,
      } as unknown as Express.User)
    })
  try {
    strategy = new LexofficeStrategy(
      {
        ...options.client,
        callbackURL,
        scope: ['profile.read'],
        logger: { warn: (m: string) => void warnings.push(m) },
        ...options.endpoints,
        ...options.strategy,
      } as LexofficeStrategyOptions,
      verify,
    )
  } catch (err) {
    server.closeAllConnections()
    server.close()
    throw err
  }
  passport.use(strategy)

  return {
    server,
    origin,
    callbackURL,
    strategy,
    agent: () => request.agent(server),
    verifyCalls,
    errors,
    warnings,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Follows the authorization redirect to the (auto-approving) server; returns the callback path+query. */
export async function approve(location: string): Promise<string> {
  const res = await fetch(location, { redirect: 'manual' })
  const back = res.headers.get('location')
  if (res.status !== 302 || !back) throw new Error(`authorization server answered ${res.status}: ${await res.text()}`)
  const url = new URL(back)
  return url.pathname + url.search
}

/** Starts a login on `agent` and returns the authorization URL lexoffice would see. */
export async function startLogin(agent: ReturnType<typeof request.agent>, path = '/login'): Promise<URL> {
  const res = await agent.get(path)
  if (res.status !== 302) throw new Error(`login answered ${res.status}: ${res.text}`)
  return new URL(res.headers.location as string)
}

/** Rewrites the callback path to use another route (e.g. /callback-redirect). */
export function onRoute(callbackPath: string, route: string): string {
  return callbackPath.replace(/^\/callback/, route)
}

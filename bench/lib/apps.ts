/**
 * The Express apps the benchmarks drive: express-session + passport + a login strategy
 * (LexofficeStrategy or plain passport-oauth2 with PKCE and state), optionally the lexoffice()
 * middleware, and one measured route.
 */
import { createServer, type Server } from 'node:http'
import { stringify, parse } from 'node:querystring'
import express, { type Express } from 'express'
import session from 'express-session'
import { Passport } from 'passport'
import OAuth2Strategy from 'passport-oauth2'
import { LexofficeStrategy } from '../../lib/strategy/LexofficeStrategy'
import type { LexofficeProfile } from '../../lib/strategy/profile'
import type { LexofficeTokenResponse } from '../../lib/oauth/LexofficeOAuthClient'
import { lexoffice } from '../../lib/express/lexofficeMiddleware'
import type { TokenManager } from '../../lib/tokens/TokenManager'
import type { Sandbox } from '../../lib/sandbox/Sandbox'
import type { FetchLike } from '../../lib/http/httpRequest'
import { listen } from './util'

export interface BenchUser {
  id: string
}

export interface AppOptions {
  sandbox: Sandbox
  sessionStore: session.Store
  /** Login strategy mounted at /auth/login and /auth/callback. */
  strategy: 'lexoffice' | 'oauth2'
  /** Diagnostic: give LexofficeStrategy this fetch (e.g. Node's fetch) instead of its node:http transport. */
  fetch?: FetchLike
  /** When given, verify stores the tokens (`manager.connect`) and `/api` uses `req.lexoffice`. */
  manager?: TokenManager
  /** Mount the lexoffice() middleware (needs `manager`). */
  withMiddleware: boolean
  /**
   * P1's in-process split: a marker right after `passport.session()` starts a clock and
   * `res.end` stops it; the nanoseconds go here. With MemoryTokenStore nothing between the two
   * waits for I/O, so no other request's work runs in between (see p1-overhead.ts).
   */
  timing?: (ns: number) => void
}

export interface RunningApp {
  url: string
  server: Server
  app: Express
  close(): Promise<void>
}

const SESSION_SECRET = 'bench-only-session-secret-not-used-elsewhere'

/** Builds and starts one app on 127.0.0.1:0. The callback URL is registered at the sandbox. */
export async function startApp(o: AppOptions): Promise<RunningApp> {
  const app = express()
  const server = createServer(app)
  const url = await listen(server)
  const callbackURL = `${url}/auth/callback`
  o.sandbox.addRedirectUri(callbackURL)
  const passport = new Passport()

  app.use(
    session({
      name: 'bench.sid',
      secret: SESSION_SECRET,
      resave: false,
      saveUninitialized: false,
      store: o.sessionStore,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 3_600_000 },
    }),
  )
  app.use(passport.initialize())
  app.use(passport.session())
  const timing = o.timing
  if (timing) {
    app.use((_req, res, next) => {
      const start = process.hrtime.bigint()
      const end = res.end.bind(res) as (...args: unknown[]) => typeof res
      res.end = ((...args: unknown[]) => {
        const result = end(...args)
        timing(Number(process.hrtime.bigint() - start))
        return result
      }) as typeof res.end
      next()
    })
  }
  passport.serializeUser((user, done) => done(null, user))
  passport.deserializeUser((user: Express.User, done) => done(null, user))

  const manager = o.manager
  const toUser = (
    params: LexofficeTokenResponse,
    profile: { id: string; connectionId?: string | undefined },
    done: (err: unknown, user?: BenchUser) => void,
  ): void => {
    const id = profile.connectionId ?? profile.id
    if (!manager) return done(null, { id })
    manager.connect(id, params, profile).then(() => done(null, { id }), done)
  }

  if (o.strategy === 'lexoffice') {
    passport.use(
      'login',
      new LexofficeStrategy(
        {
          ...o.sandbox.client,
          ...o.sandbox.endpoints,
          callbackURL,
          scope: ['profile.read', 'contacts.read'],
          ...(o.fetch ? { fetch: o.fetch } : {}),
        },
        (
          _at: string,
          _rt: string | undefined,
          params: LexofficeTokenResponse,
          profile: LexofficeProfile | undefined,
          done: (err?: unknown, user?: Express.User | false) => void,
        ) => toUser(params, profile!, done),
      ),
    )
  } else {
    passport.use('login', plainOAuth2Strategy(o.sandbox, callbackURL, toUser))
  }

  if (o.withMiddleware) {
    if (!manager) throw new Error('withMiddleware needs a manager')
    app.use(lexoffice({ manager, key: (req) => (req.user as BenchUser | undefined)?.id }))
  }
  app.get('/auth/login', passport.authenticate('login'))
  app.get('/auth/callback', passport.authenticate('login', { failureRedirect: '/failed', successRedirect: '/done' }))
  app.get('/done', (_req, res) => {
    res.send('done')
  })
  if (o.withMiddleware) {
    app.get('/api', async (req, res, next) => {
      try {
        if (!req.user) {
          res.status(401).send('no user')
          return
        }
        await req.lexoffice!.getAccessToken()
        res.send('ok')
      } catch (err) {
        next(err)
      }
    })
  } else {
    app.get('/api', (req, res) => {
      if (!req.user) {
        res.status(401).send('no user')
        return
      }
      res.send('ok')
    })
  }
  return {
    url,
    server,
    app,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/**
 * The baseline login: plain passport-oauth2 with `pkce: true, state: true`, a userProfile
 * override reading /v1/profile, and client authentication by HTTP Basic (`customHeaders`).
 *
 * node-oauth's getOAuthAccessToken always adds client_id and client_secret to the form body,
 * and the sandbox (like lexoffice) refuses a request that uses two client authentication
 * methods. So the token POST is passed through an in-process wrapper of `_oauth2._request`
 * that removes those two fields from the body (one querystring parse + stringify per login;
 * no extra hop). Everything else is stock passport-oauth2 1.8.
 */
export function plainOAuth2Strategy(
  sandbox: Sandbox,
  callbackURL: string,
  toUser: (
    params: LexofficeTokenResponse,
    profile: { id: string; connectionId?: string },
    done: (err: unknown, user?: BenchUser) => void,
  ) => void,
): OAuth2Strategy {
  const { clientID, clientSecret } = sandbox.client
  const basic = Buffer.from(`${encodeURIComponent(clientID)}:${encodeURIComponent(clientSecret)}`).toString('base64')
  const strategy = new OAuth2Strategy(
    {
      authorizationURL: sandbox.endpoints.authorizationURL,
      tokenURL: sandbox.endpoints.tokenURL,
      clientID,
      clientSecret,
      callbackURL,
      scope: 'profile.read contacts.read',
      scopeSeparator: ' ',
      pkce: true,
      state: true,
      customHeaders: { Authorization: `Basic ${basic}` },
    },
    (
      _at: string,
      _rt: string,
      params: LexofficeTokenResponse,
      profile: { id: string; connectionId?: string },
      done: OAuth2Strategy.VerifyCallback,
    ) => toUser(params, profile, (err, user) => done(err as Error | null, user)),
  )
  const oauth2 = (strategy as unknown as { _oauth2: NodeOAuth2 })._oauth2
  const request = oauth2._request.bind(oauth2)
  const tokenURL = sandbox.endpoints.tokenURL
  oauth2._request = (method, url, headers, body, accessToken, callback) => {
    if (method === 'POST' && url === tokenURL && typeof body === 'string') {
      const form = parse(body)
      delete form.client_id
      delete form.client_secret
      const stripped = stringify(form)
      headers = { ...headers, 'Content-Length': Buffer.byteLength(stripped) }
      body = stripped
    }
    return request(method, url, headers, body, accessToken, callback)
  }
  oauth2.useAuthorizationHeaderforGET(true)
  const profileURL = `${sandbox.endpoints.apiURL}/v1/profile`
  strategy.userProfile = (accessToken, done) => {
    oauth2.get(profileURL, accessToken, (err, body) => {
      if (err) return done(new Error(`profile request failed (${(err as { statusCode?: number }).statusCode ?? 'network'})`))
      try {
        const json = JSON.parse(String(body)) as { connectionId?: string; created?: { userId?: string } }
        done(null, { id: json.created?.userId ?? 'unknown', ...(json.connectionId ? { connectionId: json.connectionId } : {}) })
      } catch {
        done(new Error('profile was not JSON'))
      }
    })
  }
  return strategy
}

/** The parts of node-oauth's OAuth2 object used here. */
interface NodeOAuth2 {
  _request(
    method: string,
    url: string,
    headers: Record<string, string | number>,
    body: string | null,
    accessToken: string | null,
    callback: (err: unknown, result?: string, response?: unknown) => void,
  ): void
  useAuthorizationHeaderforGET(use: boolean): void
  get(url: string, accessToken: string, callback: (err: unknown, result?: string | Buffer) => void): void
}

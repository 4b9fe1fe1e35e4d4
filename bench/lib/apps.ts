/**
 * The Express apps the benchmarks drive: express-session + passport + a login strategy
 * (LexofficeStrategy from createLexoffice, or plain passport-oauth2 with PKCE and state), optionally
 * `lexoffice.middleware()`, and one measured route. Both strategies store the tokens of a login:
 * LexofficeStrategy does it itself, the passport-oauth2 baseline through `manager.connect` in its
 * verify callback, as an app using passport-oauth2 would have to.
 */
import { createServer, type Server } from 'node:http'
import { stringify, parse } from 'node:querystring'
import express, { type Express, type RequestHandler } from 'express'
import session from 'express-session'
import { Passport } from 'passport'
import OAuth2Strategy from 'passport-oauth2'
import { buildLexoffice } from '../../lib/config/Lexoffice'
import type { FetchLike } from '../../lib/http/httpRequest'
import type { LexofficeTokenResponse } from '../../lib/oauth/LexofficeOAuthClient'
import type { Sandbox } from '../../lib/sandbox/Sandbox'
import { LexofficeStrategy } from '../../lib/strategy/LexofficeStrategy'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import type { TokenStore } from '../../lib/tokens/TokenStore'
import { listen } from './util'

export interface BenchUser {
  /** The token store key of the user's connection. */
  id: string
}

export interface AppOptions {
  sandbox: Sandbox
  sessionStore: session.Store
  /** Login strategy mounted at /auth/login and /auth/callback. */
  strategy: 'lexoffice' | 'oauth2'
  /** Diagnostic: give the lexoffice configuration this fetch (e.g. Node's fetch) instead of its node:http transport. */
  fetch?: FetchLike
  /** Where a login stores the tokens (both strategies). Default: a MemoryTokenStore of this app. */
  tokenStore?: TokenStore
  /** Mount `lexoffice.middleware()`; `/api` then awaits `req.lexoffice.getAccessToken()` (strategy `lexoffice` only). */
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
const SCOPE = ['profile.read', 'contacts.read']

/** Builds and starts one app on 127.0.0.1:0. The callback URL is registered at the sandbox. */
export async function startApp(o: AppOptions): Promise<RunningApp> {
  const app = express()
  const server = createServer(app)
  const url = await listen(server)
  const callbackURL = `${url}/auth/callback`
  o.sandbox.addRedirectUri(callbackURL)
  const passport = new Passport()
  const store = o.tokenStore ?? new MemoryTokenStore()

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
  passport.serializeUser((user, done) => {
    done(null, user)
  })
  passport.deserializeUser((user: Express.User, done) => {
    done(null, user)
  })

  let closeLexoffice = (): Promise<void> => Promise.resolve()
  if (o.strategy === 'lexoffice') {
    const lexoffice = buildLexoffice(
      {
        env: {
          LEXOFFICE_CLIENT_ID: o.sandbox.client.clientID,
          LEXOFFICE_CLIENT_SECRET: o.sandbox.client.clientSecret,
          LEXOFFICE_AUTH_URL: o.sandbox.url,
          LEXOFFICE_API_URL: o.sandbox.url,
        },
        callbackURL,
        scope: SCOPE,
        store,
        // The default ('client') paces every API call of the app, each login's /v1/profile too, at
        // 1.9/s in all; P4 measures what a login costs, not that budget: one budget per connection.
        rateLimitScope: 'connection',
      },
      o.fetch ? { fetch: o.fetch } : {},
    )
    closeLexoffice = () => lexoffice.close()
    passport.use('login', new LexofficeStrategy(lexoffice, (connection): BenchUser => ({ id: connection.key })))
    if (o.withMiddleware) app.use(lexoffice.middleware())
  } else {
    if (o.withMiddleware) throw new Error('withMiddleware needs the lexoffice strategy')
    const manager = new TokenManager({ store, oauth: { ...o.sandbox.client, ...o.sandbox.endpoints }, apiURL: o.sandbox.url })
    passport.use('login', plainOAuth2Strategy(o.sandbox, callbackURL, manager))
  }

  app.get('/auth/login', passport.authenticate('login') as RequestHandler)
  app.get('/auth/callback', passport.authenticate('login', { failureRedirect: '/failed', successRedirect: '/done' }) as RequestHandler)
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
        await req.lexoffice.getAccessToken()
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
    close: async () => {
      await closeLexoffice()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

/**
 * The baseline login: plain passport-oauth2 with `pkce: true, state: true`, a userProfile
 * override reading /v1/profile, client authentication by HTTP Basic (`customHeaders`), and a
 * verify callback that stores the tokens (`manager.connect`) under the same key as
 * LexofficeStrategy (`user:<organizationId>:<userId>`).
 *
 * node-oauth's getOAuthAccessToken always adds client_id and client_secret to the form body,
 * and the sandbox (like lexoffice) refuses a request that uses two client authentication
 * methods. So the token POST is passed through an in-process wrapper of `_oauth2._request`
 * that removes those two fields from the body (one querystring parse + stringify per login;
 * no extra hop). Everything else is stock passport-oauth2 1.8.
 */
export function plainOAuth2Strategy(sandbox: Sandbox, callbackURL: string, manager: TokenManager): OAuth2Strategy {
  const { clientID, clientSecret } = sandbox.client
  const basic = Buffer.from(`${encodeURIComponent(clientID)}:${encodeURIComponent(clientSecret)}`).toString('base64')
  const strategy = new OAuth2Strategy(
    {
      authorizationURL: sandbox.endpoints.authorizationURL,
      tokenURL: sandbox.endpoints.tokenURL,
      clientID,
      clientSecret,
      callbackURL,
      scope: SCOPE.join(' '),
      scopeSeparator: ' ',
      pkce: true,
      state: true,
      customHeaders: { Authorization: `Basic ${basic}` },
    },
    (_at: string, refreshToken: string, params: LexofficeTokenResponse, profile: BaselineProfile, done: OAuth2Strategy.VerifyCallback) => {
      const id = `user:${profile.organizationId}:${profile.id}`
      const details = { organizationId: profile.organizationId, connectionId: profile.connectionId, userId: profile.id }
      // node-oauth hands the refresh token over separately and deletes it from `params`.
      manager.connect(id, { ...params, refresh_token: refreshToken }, details).then(
        () => {
          done(null, { id } satisfies BenchUser)
        },
        (err: unknown) => {
          done(err instanceof Error ? err : new Error('storing the tokens failed'))
        },
      )
    },
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
    request(method, url, headers, body, accessToken, callback)
  }
  oauth2.useAuthorizationHeaderforGET(true)
  const profileURL = `${sandbox.endpoints.apiURL}/v1/profile`
  strategy.userProfile = (accessToken, done) => {
    oauth2.get(profileURL, accessToken, (err, body) => {
      if (err) {
        done(new Error(`profile request failed (${(err as { statusCode?: number }).statusCode ?? 'network'})`))
        return
      }
      try {
        const json = JSON.parse(String(body)) as { organizationId?: string; connectionId?: string; created?: { userId?: string } }
        const profile: BaselineProfile = {
          id: json.created?.userId ?? 'unknown',
          organizationId: json.organizationId ?? 'unknown',
          connectionId: json.connectionId ?? 'unknown',
        }
        done(null, profile)
      } catch {
        done(new Error('profile was not JSON'))
      }
    })
  }
  return strategy
}

/** What the baseline's userProfile reads from /v1/profile. */
interface BaselineProfile {
  id: string
  organizationId: string
  connectionId: string
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

/**
 * An app built the way the README builds one (express-session + passport + createLexoffice +
 * routes), on 127.0.0.1:0, against the package's sandbox. Express 5 by default, or 4. The one app
 * helper of the tests: the strategy, config and integration tests all start their apps here.
 */
import http, { type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express5, { type Express, type NextFunction, type Request, type Response } from 'express'
import express4 from 'express4'
import session from 'express-session'
import { Passport } from 'passport'
import request from 'supertest'
import { type Lexoffice, type LexofficeHooks, buildLexoffice } from '../../lib/config/Lexoffice'
import type { LexofficeOptions } from '../../lib/config/LexofficeOptions'
import type { FetchLike } from '../../lib/http/httpRequest'
import { createSandbox, type Sandbox, type SandboxOptions } from '../../lib/sandbox'
import { MemoryRateLimiter } from '../../lib/client/rateLimit/MemoryRateLimiter'
import { scheduleClock } from './scheduleClock'
import type { PendingLoginRecord } from '../../lib/strategy/PendingLoginStore'

/** A passport `Authenticator` of its own per app (never the global one). */
export type TestPassport = InstanceType<typeof Passport>
export type Agent = ReturnType<typeof request.agent>

/** One HTTP request the configuration made (token, revoke, API), as sent and as answered. */
export interface RecordedCall {
  method: string
  url: string
  /** Request headers, lower-case names. */
  headers: Partial<Record<string, string>>
  /** The request body as text (`''` without one). */
  body: string
  /** The answer's status; `undefined` while pending or when none came (timeout, network error). */
  status: number | undefined
  /** The answer's body as text. */
  response: string
}

export interface TestApp {
  server: Server
  origin: string
  sandbox: Sandbox
  lexoffice: Lexoffice
  passport: TestPassport
  /** Warnings the configuration logged (unless the options gave a logger of their own). */
  warnings: string[]
  /** Every error that reached the app's error handlers (the package's handler comes after this record). */
  errors: unknown[]
  /** With `recordHttp`: every HTTP request the configuration made, oldest first. */
  calls: RecordedCall[]
  agent(): Agent
  close(): Promise<void>
}

export interface TestAppOptions {
  express?: 'express5' | 'express4'
  /** passport 0.7 (default) or 0.6 (the `passport06` alias: the lowest version of the peer range). */
  passport?: 'passport07' | 'passport06'
  lexoffice?: Partial<LexofficeOptions>
  hooks?: LexofficeHooks
  sandbox?: Sandbox
  sandboxOptions?: SandboxOptions
  /** Record the configuration's HTTP requests in `calls` (through the `fetch` test seam). */
  recordHttp?: boolean
  /** Adds the app's own routes and middleware (after session and passport). */
  setup(app: Express, lexoffice: Lexoffice, passport: TestPassport): void
}

/** The sandbox's environment for createLexoffice, as `npx passport-lexoffice sandbox` prints it. */
export function sandboxEnv(sandbox: Sandbox, baseURL: string): Record<string, string> {
  return {
    LEXOFFICE_CLIENT_ID: sandbox.client.clientID,
    LEXOFFICE_CLIENT_SECRET: sandbox.client.clientSecret,
    LEXOFFICE_AUTH_URL: sandbox.url,
    LEXOFFICE_API_URL: sandbox.url,
    BASE_URL: baseURL,
  }
}

/** A fetch that records each request and its answer in `calls`, then hands the answer on unread. */
export function recordingFetch(calls: RecordedCall[], inner: FetchLike = fetch): FetchLike {
  return async (input, init) => {
    const body = init?.body
    const call: RecordedCall = {
      method: init?.method ?? 'GET',
      url: String(input),
      headers: headersOf(init?.headers),
      body: typeof body === 'string' ? body : body instanceof URLSearchParams ? body.toString() : body == null ? '' : '[binary]',
      status: undefined,
      response: '',
    }
    calls.push(call)
    const res = await inner(input, init)
    call.status = res.status
    call.response = await res.clone().text()
    return res
  }
}

function headersOf(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  new Headers(init).forEach((value, name) => {
    out[name] = value
  })
  return out
}

export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const own = options.sandbox === undefined
  // Pacing is not these apps' subject (test/express/fetchPipeline.sandbox.test.ts and test/client/ prove
  // it): the configuration's limiter keeps its schedule on a schedule clock (no real-time slot
  // waits), and a sandbox started here does not count the rate.
  const sandbox = options.sandbox ?? (await createSandbox({ autoApprove: true, api: { rateLimit: false }, ...options.sandboxOptions }))
  let handler: http.RequestListener = (_req, res) => res.end()
  const server = http.createServer((req, res) => {
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  for (const path of ['/auth/lexoffice/callback', '/lexoffice/callback', '/settings/lexoffice/callback']) {
    sandbox.addRedirectUri(`${origin}${path}`)
  }

  const warnings: string[] = []
  const errors: unknown[] = []
  const calls: RecordedCall[] = []
  const hooks: LexofficeHooks = { ...options.hooks }
  if (options.recordHttp === true) hooks.fetch = recordingFetch(calls, options.hooks?.fetch)
  const clock = scheduleClock()
  hooks.rateLimiter ??= new MemoryRateLimiter({}, { now: clock.now, sleep: clock.sleep })
  const lexoffice = buildLexoffice(
    {
      env: sandboxEnv(sandbox, origin),
      scope: ['profile.read', 'contacts.read'],
      logger: { warn: (message) => void warnings.push(message) },
      ...options.lexoffice,
    },
    hooks,
  )
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an npm alias without types of its own
  const passport = options.passport === 'passport06' ? new (require('passport06') as typeof import('passport')).Passport() : new Passport()
  passport.serializeUser((user, done) => {
    done(null, user)
  })
  passport.deserializeUser((user: Express.User, done) => {
    done(null, user)
  })
  const app = options.express === 'express4' ? (express4() as unknown as Express) : express5()
  app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax', httpOnly: true } }))
  app.use(passport.session())
  options.setup(app, lexoffice, passport)
  // Before the package's error handler, which the routes append on their first request.
  app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => {
    errors.push(err)
    next(err)
  })
  handler = app

  return {
    server,
    origin,
    sandbox,
    lexoffice,
    passport,
    warnings,
    errors,
    calls,
    agent: () => request.agent(server),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      if (own) await sandbox.close()
    },
  }
}

/** What `GET <path>` of {@link mountSessionView} answers. */
export interface SessionView {
  user: Record<string, unknown> | null
  sessionID: string
  /** Pending logins kept in the session. */
  pending: number
  /** The session's connection key (set by a login). */
  connection: string | null
  returnTo: string | null
}

/** `GET path`: the session as the tests inspect it ({@link SessionView}). */
export function mountSessionView(app: Express, lexoffice: Lexoffice, path = '/me'): void {
  app.get(path, (req, res) => {
    const s = req.session as unknown as Record<string, unknown>
    const record = s[lexoffice.strategy.sessionKey] as PendingLoginRecord | undefined
    const view: SessionView = {
      user: (req.user as Record<string, unknown> | undefined) ?? null,
      sessionID: req.sessionID,
      pending: record?.pending.length ?? 0,
      connection: record?.connection ?? null,
      returnTo: typeof s.returnTo === 'string' ? s.returnTo : null,
    }
    res.json(view)
  })
}

/** The session of `agent` (see {@link mountSessionView}). */
export async function sessionOf(agent: Agent, path = '/me'): Promise<SessionView> {
  return (await agent.get(path)).body as SessionView
}

/** Follows the authorization redirect to the (auto-approving) sandbox; returns the callback path and query. */
export async function approve(location: string): Promise<string> {
  const res = await fetch(location, { redirect: 'manual' })
  const back = res.headers.get('location')
  if (res.status !== 302 || !back) throw new Error(`authorization server answered ${res.status}: ${await res.text()}`)
  const url = new URL(back)
  return url.pathname + url.search
}

/** Starts a login on `agent`; resolves the authorization URL the browser is sent to. */
export async function startLogin(agent: Agent, loginPath = '/auth/lexoffice'): Promise<URL> {
  const res = await agent.get(loginPath)
  if (res.status !== 302) throw new Error(`login answered ${res.status}: ${res.text}`)
  return new URL(res.headers.location)
}

/** A whole login on `agent`: login route, sandbox consent, callback. Resolves the callback's answer. */
export async function logIn(agent: Agent, loginPath = '/auth/lexoffice'): Promise<request.Response> {
  return agent.get(await approve((await startLogin(agent, loginPath)).href))
}

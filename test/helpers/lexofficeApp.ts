/**
 * An app built the way the README builds one (express-session + passport + createLexoffice +
 * routes), on 127.0.0.1:0, against the package's sandbox. Express 5 by default, or 4.
 */
import http, { type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express5 from 'express'
import express4 from 'express4'
import session from 'express-session'
import { Passport } from 'passport'
import request from 'supertest'
import { type Lexoffice, type LexofficeHooks, buildLexoffice } from '../../lib/config/Lexoffice'
import type { LexofficeOptions } from '../../lib/config/LexofficeOptions'
import { createSandbox, type Sandbox, type SandboxOptions } from '../../lib/sandbox'

export interface TestApp {
  server: Server
  origin: string
  sandbox: Sandbox
  lexoffice: Lexoffice
  passport: InstanceType<typeof Passport>
  agent(): ReturnType<typeof request.agent>
  close(): Promise<void>
}

export interface TestAppOptions {
  express?: 'express5' | 'express4'
  lexoffice?: Partial<LexofficeOptions>
  hooks?: LexofficeHooks
  sandbox?: Sandbox
  sandboxOptions?: SandboxOptions
  /** Adds the app's own routes and middleware (after session and passport; `mount` mounts lexoffice's). */
  setup(app: any, lexoffice: Lexoffice, passport: InstanceType<typeof Passport>): void
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

export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const own = options.sandbox === undefined
  const sandbox = options.sandbox ?? (await createSandbox({ autoApprove: true, ...options.sandboxOptions }))
  let handler: http.RequestListener = (_req, res) => res.end()
  const server = http.createServer((req, res) => handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  for (const path of ['/auth/lexoffice/callback', '/lexoffice/callback', '/settings/lexoffice/callback']) {
    sandbox.addRedirectUri(`${origin}${path}`)
  }

  const lexoffice = buildLexoffice(
    { env: sandboxEnv(sandbox, origin), scope: ['profile.read', 'contacts.read'], logger: { warn: () => undefined }, ...options.lexoffice },
    options.hooks ?? {},
  )
  const passport = new Passport()
  passport.serializeUser((user, done) => done(null, user))
  passport.deserializeUser((user: Express.User, done) => done(null, user))
  const makeExpress = (options.express === 'express4' ? express4 : express5) as unknown as () => any
  const app = makeExpress()
  app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }))
  app.use(passport.session())
  options.setup(app, lexoffice, passport)
  handler = app

  return {
    server,
    origin,
    sandbox,
    lexoffice,
    passport,
    agent: () => request.agent(server),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      if (own) await sandbox.close()
    },
  }
}

/** Follows the authorization redirect to the (auto-approving) sandbox; returns the callback path and query. */
export async function approve(location: string): Promise<string> {
  const res = await fetch(location, { redirect: 'manual' })
  const back = res.headers.get('location')
  if (res.status !== 302 || !back) throw new Error(`authorization server answered ${res.status}: ${await res.text()}`)
  const url = new URL(back)
  return url.pathname + url.search
}

/** A whole login on `agent`: login route, sandbox consent, callback. Resolves the callback's answer. */
export async function logIn(agent: ReturnType<typeof request.agent>, loginPath = '/auth/lexoffice'): Promise<request.Response> {
  const start = await agent.get(loginPath)
  if (start.status !== 302) throw new Error(`login answered ${start.status}: ${start.text}`)
  return agent.get(await approve(start.headers.location as string))
}

/**
 * The example app: Express + express-session + passport + LexofficeStrategy, the token layer,
 * `req.lexoffice`, webhooks. `createApp()` builds it from explicit dependencies so that the
 * tests can start several instances on port 0; `main.ts` reads the environment and starts one.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import path from 'node:path'
import express, { type NextFunction, type Request, type Response } from 'express'
import session from 'express-session'
import helmet from 'helmet'
import { Passport } from 'passport'
import {
  LexofficeClient,
  LexofficeStrategy,
  type LexofficeEvent,
  type LexofficeProfile,
  type LexofficeTokenResponse,
  type LexofficeVerifyCallback,
  type TokenManager,
  type WebhookDedupeStore,
  isLexofficeError,
  lexoffice,
  lexofficeWebhooks,
  requireLexoffice,
} from 'passport-lexoffice'
import type { Sandbox } from 'passport-lexoffice/sandbox'

/** What the app keeps about a signed-in user in the session: ids and names, never tokens. */
export interface AppUser {
  id: string
  displayName: string
  email: string | undefined
  organizationId: string | undefined
  companyName: string | undefined
  /** The connection key under which the token layer keeps this user's lexoffice tokens. */
  connectionId: string
}

declare module 'express-session' {
  interface SessionData {
    csrf?: string
    flash?: { kind: 'ok' | 'bad'; text: string }
  }
}

/** One received webhook event, as the events page lists it. */
export interface ReceivedEvent {
  receivedAt: string
  eventType: string
  resourceId: string
  organizationId: string
}

/** Everything createApp needs; main.ts builds these from the environment. */
export interface AppDependencies {
  /** Public base URL of this instance or of the load balancer in front of several. */
  baseURL: string
  sessionSecret: string
  sessionStore?: session.Store
  manager: TokenManager
  oauth: { clientID: string; clientSecret: string; authorizationURL: string; tokenURL: string; revokeURL: string; apiURL: string }
  scope: string[]
  /** The embedded sandbox, when the app runs on it (enables the sandbox-only buttons). */
  sandbox?: Sandbox
  /** The key that verifies webhook signatures (the sandbox's, or lexoffice's by default). */
  webhookPublicKey?: string
  /** Where lexoffice sends webhooks for this app (shown on the events page). */
  webhookURL: string
  /** Where received webhook events are kept (shared by instances when backed by Redis). */
  events: EventLog
  /** Drops repeated webhook deliveries across instances (Redis mode); default: per instance. */
  webhookDedupe?: WebhookDedupeStore
  /** Label shown in the header, e.g. "built-in sandbox" or "lexoffice (production)". */
  backendLabel: string
}

/** A small list of received events. */
export interface EventLog {
  add(event: ReceivedEvent): Promise<void>
  list(): Promise<ReceivedEvent[]>
}

/** Keeps the last 50 events in memory (one instance). */
export function memoryEventLog(): EventLog {
  const events: ReceivedEvent[] = []
  return {
    async add(event) {
      events.unshift(event)
      events.length = Math.min(events.length, 50)
    },
    async list() {
      return [...events]
    },
  }
}

const VIEWS = path.join(__dirname, '..', 'views')
const PUBLIC = path.join(__dirname, '..', 'public')

export function createApp(deps: AppDependencies): express.Express {
  const app = express()
  const secure = deps.baseURL.startsWith('https:')
  app.set('views', VIEWS)
  app.set('view engine', 'ejs')
  app.disable('x-powered-by')
  if (secure) app.set('trust proxy', 1)

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'form-action': ["'self'", new URL(deps.oauth.authorizationURL).origin] },
      },
      // The OAuth callback must not leak the code through the Referer header (RFC 9700 §4.2.4).
      referrerPolicy: { policy: 'no-referrer' },
    }),
  )
  app.use('/public', express.static(PUBLIC, { maxAge: '1h' }))

  // Webhooks read their raw body themselves, so they are mounted before any body parser.
  app.post(
    '/webhooks/lexoffice',
    lexofficeWebhooks({
      ...(deps.webhookPublicKey ? { publicKey: deps.webhookPublicKey } : {}),
      ...(deps.webhookDedupe ? { dedupe: deps.webhookDedupe } : {}),
      onEvent: (event: LexofficeEvent) =>
        deps.events.add({
          receivedAt: new Date().toISOString(),
          eventType: event.eventType,
          resourceId: event.resourceId,
          organizationId: event.organizationId,
        }),
      onTokenRevoked: ({ connectionId }) => deps.manager.markLost(connectionId, 'token.revoked'),
      onError: (err) => console.error('webhook handler failed:', isLexofficeError(err) ? err.code : err),
    }),
  )

  app.use(
    session({
      name: 'lexoffice-example.sid',
      secret: deps.sessionSecret,
      resave: false,
      saveUninitialized: false,
      ...(deps.sessionStore ? { store: deps.sessionStore } : {}),
      // SameSite=Lax: the session cookie must come along on lexoffice's redirect back.
      cookie: { httpOnly: true, sameSite: 'lax', secure, maxAge: 8 * 60 * 60 * 1000 },
    }),
  )
  app.use(express.urlencoded({ extended: false, limit: '10kb' }))

  // An Authenticator of its own, not passport's global singleton: two apps in one process (the
  // cluster, the tests) must not replace each other's strategy and callback URL.
  const passport = new Passport()
  passport.use(
    new LexofficeStrategy(
      {
        clientID: deps.oauth.clientID,
        clientSecret: deps.oauth.clientSecret,
        callbackURL: `${deps.baseURL}/auth/lexoffice/callback`,
        authorizationURL: deps.oauth.authorizationURL,
        tokenURL: deps.oauth.tokenURL,
        revokeURL: deps.oauth.revokeURL,
        apiURL: deps.oauth.apiURL,
        scope: deps.scope,
        connectionName: 'passport-lexoffice example',
      },
      (
        _accessToken: string,
        _refreshToken: string | undefined,
        params: LexofficeTokenResponse,
        profile: LexofficeProfile | undefined,
        done: LexofficeVerifyCallback,
      ) => {
        const p = profile!
        const user: AppUser = {
          id: p.id,
          displayName: p.displayName,
          email: p.emails?.[0]?.value,
          organizationId: p.organizationId,
          companyName: p.companyName,
          connectionId: p.connectionId ?? p.id,
        }
        // The one line that hands the new token set to the token layer.
        // (Its `connected` event makes autoSubscribe restore the webhooks, see startExample.ts.)
        deps.manager.connect(user.connectionId, params, p).then(() => done(null, user), done)
      },
    ),
  )
  passport.serializeUser((user, done) => done(null, user))
  passport.deserializeUser((user: Express.User, done) => done(null, user))
  app.use(passport.initialize())
  app.use(passport.session())

  app.use(
    lexoffice({
      manager: deps.manager,
      // req.lexoffice.client: the typed API client, paced per connection (lexoffice allows 2 req/s).
      key: (req) => userOf(req)?.connectionId,
    }),
  )
  app.use((req, res, next) => {
    res.locals.user = req.user
    res.locals.sandbox = Boolean(deps.sandbox)
    res.locals.backendLabel = deps.backendLabel
    res.locals.flash = req.session?.flash
    if (req.session?.flash) delete req.session.flash
    res.locals.page = ''
    next()
  })
  app.use(csrf)

  // Login: the strategy stores PKCE verifier + state in the session and redirects to lexoffice.
  app.get('/auth/lexoffice', passport.authenticate('lexoffice'))
  app.get(
    '/auth/lexoffice/callback',
    passport.authenticate('lexoffice', { failureRedirect: '/?login=failed', successReturnToOrRedirect: '/' }),
  )

  app.get('/', async (req, res, next) => {
    try {
      if (req.query.login === 'failed') res.locals.flash = { kind: 'bad', text: 'The lexoffice login did not complete. Please try again.' }
      res.render('home', { title: 'Home', page: 'home', connection: await connectionView(req) })
    } catch (err) {
      next(err)
    }
  })

  const needLexoffice = requireLexoffice({
    loginPath: '/auth/lexoffice',
    // A browser whose connection is known to be lost (token.revoked webhook, failed refresh) sees
    // why and chooses to reconnect, instead of landing on lexoffice's consent page unasked.
    // API clients (Accept: application/json) get the default 401 JSON answer.
    onAuthLost: (req, res) => {
      if ((req as Request).accepts(['html', 'json']) !== 'html') return
      return renderPage(res as Response, 401, 'error', { title: 'Reconnect', ...LOST_PAGE })
    },
  })
  const signedIn = (req: Request, res: Response, next: NextFunction): void => {
    if (req.user) return next()
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(401).json({ error: 'not_signed_in' })
      return
    }
    res.redirect(`/auth/lexoffice?returnTo=${encodeURIComponent(req.originalUrl)}`)
  }

  app.get('/contacts', signedIn, needLexoffice, async (req, res, next) => {
    try {
      const page = pageParam(req.query.page)
      if (page === undefined) return badRequest(res, 'Bad page number', 'The page number must be a whole number from 0 to 399.')
      const result = await client(req).contacts.list({ page, size: 10 })
      res.render('contacts', {
        title: 'Contacts',
        page: 'contacts',
        pageInfo: result,
        contacts: result.content.map((c) => ({
          number: c.roles?.customer?.number ?? c.roles?.vendor?.number ?? '',
          name: c.company?.name ?? [c.person?.firstName, c.person?.lastName].filter(Boolean).join(' '),
          roles: Object.keys(c.roles ?? {}).join(', '),
          email: firstEmail(c.emailAddresses),
        })),
      })
    } catch (err) {
      next(err)
    }
  })

  app.get('/invoices', signedIn, needLexoffice, async (req, res, next) => {
    try {
      const page = pageParam(req.query.page)
      if (page === undefined) return badRequest(res, 'Bad page number', 'The page number must be a whole number from 0 to 399.')
      const result = await client(req).voucherlist.list({ voucherType: 'invoice', voucherStatus: 'any', page, size: 10 })
      res.render('invoices', {
        title: 'Invoices',
        page: 'invoices',
        pageInfo: result,
        invoices: result.content.map((v) => ({
          id: v.id,
          number: v.voucherNumber ?? '(draft)',
          date: (v.voucherDate ?? '').slice(0, 10),
          contactName: v.contactName ?? '',
          status: v.voucherStatus,
          total: v.totalAmount === undefined ? '' : `${v.totalAmount.toFixed(2)} ${v.currency ?? 'EUR'}`,
        })),
      })
    } catch (err) {
      next(err)
    }
  })

  app.get('/invoices/:id/pdf', signedIn, needLexoffice, async (req, res, next) => {
    try {
      const id = String(req.params.id)
      if (!/^[0-9a-f-]{36}$/i.test(id)) return badRequest(res, 'Unknown invoice', 'That is not an invoice id.')
      const file = await client(req).invoices.downloadFile(id)
      res.setHeader('content-type', 'application/pdf')
      res.setHeader('content-disposition', `attachment; filename="${(file.filename ?? `invoice-${id}.pdf`).replace(/[^\w.-]/g, '_')}"`)
      res.end(file.data)
    } catch (err) {
      next(err)
    }
  })

  app.get('/events', signedIn, async (req, res, next) => {
    try {
      // The connection's subscriptions, as lexoffice lists them; none to list while it is lost.
      const active = (await req.lexoffice!.tokenInfo())?.state === 'active'
      const subscriptions = active
        ? (await client(req).eventSubscriptions.list()).map((s) => ({ eventType: s.eventType, callbackUrl: s.callbackUrl, createdDate: s.createdDate }))
        : undefined
      res.render('events', { title: 'Webhook events', page: 'events', events: await eventsOf(req), subscriptions, webhookURL: deps.webhookURL })
    } catch (err) {
      next(err)
    }
  })
  app.get('/events.json', signedIn, async (req, res, next) => {
    try {
      res.json(await eventsOf(req))
    } catch (err) {
      next(err)
    }
  })

  app.post('/disconnect', signedIn, async (req, res, next) => {
    try {
      const { revoked } = await req.lexoffice!.disconnect()
      await logOut(req)
      req.session.flash = revoked
        ? { kind: 'ok', text: 'lexoffice was disconnected and its tokens revoked.' }
        : { kind: 'bad', text: 'lexoffice was disconnected here; lexoffice did not confirm the revocation (the connection may already have ended).' }
      res.redirect(303, '/')
    } catch (err) {
      next(err)
    }
  })
  app.post('/logout', async (req, res, next) => {
    try {
      await logOut(req)
      res.redirect(303, '/')
    } catch (err) {
      next(err)
    }
  })

  if (deps.sandbox) {
    const sandbox = deps.sandbox
    // Sandbox only: act as the lexoffice user would, to make auth loss and refreshes visible.
    app.post('/sandbox/revoke', signedIn, (req, res) => {
      sandbox.revokeConnection(userOf(req)!.connectionId, 'revoked by the user at the sandbox')
      req.session.flash = { kind: 'bad', text: 'The sandbox revoked this connection, as a user can do in lexoffice.' }
      res.redirect(303, '/')
    })
    app.post('/sandbox/expire', signedIn, (req, res) => {
      sandbox.expireAccessTokens(userOf(req)!.connectionId)
      req.session.flash = { kind: 'ok', text: 'The access token expired at the sandbox; the next API call refreshes it.' }
      res.redirect(303, '/')
    })
  }

  app.use((_req, res) => {
    res.status(404).render('error', { title: 'Not found', heading: 'Not found', message: 'There is no page here.', reconnect: false })
  })
  // Errors: typed lexoffice errors become friendly pages with their status, client errors from
  // Express and its parsers (bad URL encoding, body too large) keep their 4xx; never a stack trace.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    // The error may come from before the locals middleware (e.g. the body parser): the layout needs them.
    for (const [name, value] of Object.entries({ user: req.user, sandbox: false, backendLabel: deps.backendLabel, flash: undefined, page: '' })) {
      if (!(name in res.locals)) res.locals[name] = value
    }
    const lost = isLexofficeError(err, 'AUTH_LOST') || isLexofficeError(err, 'NOT_CONNECTED')
    const status = isLexofficeError(err) ? err.status : clientErrorStatus(err) ?? 500
    if (status >= 500) console.error('request failed:', req.method, req.path, isLexofficeError(err) ? err.toJSON() : err)
    const message = lost
      ? LOST_PAGE.message
      : isLexofficeError(err) && err.expose
        ? err.message
        : status < 500
          ? 'The request was not valid.'
          : 'Something went wrong while talking to lexoffice. Please try again.'
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(status).json({ error: isLexofficeError(err) ? err.code : status < 500 ? 'bad_request' : 'internal_error', message })
      return
    }
    if (lost) return void renderPage(res, status, 'error', { title: 'Reconnect', ...LOST_PAGE })
    res.status(status).render('error', { title: 'Error', heading: status < 500 ? 'Bad request' : 'Error', message, reconnect: false, page: '' })
  })

  /** The received events of the signed-in user's organisation only (the app serves several). */
  async function eventsOf(req: Request): Promise<ReceivedEvent[]> {
    const organizationId = userOf(req)?.organizationId
    return (await deps.events.list()).filter((e) => organizationId !== undefined && e.organizationId === organizationId)
  }

  async function connectionView(req: Request): Promise<Record<string, unknown>> {
    if (!req.user || !req.lexoffice) return { state: 'none' }
    const info = await req.lexoffice.tokenInfo()
    if (!info) return { state: 'missing', reason: 'No lexoffice connection is stored for you (disconnected).' }
    if (info.state === 'lost') return { state: 'lost', reason: `Reason: ${info.reason}.` }
    return {
      state: 'active',
      expiresIn: formatDuration(info.expiresInMs),
      lastRefresh: info.lastRefreshAt ? new Date(info.lastRefreshAt).toLocaleString('en-GB') : 'not yet',
      refreshCount: info.refreshCount,
      scope: info.scope,
    }
  }

  return app
}

/** The signed-in user (passport keeps our AppUser object in the session). */
function userOf(req: { user?: Express.User | undefined }): AppUser | undefined {
  return req.user as AppUser | undefined
}

function client(req: Request): LexofficeClient {
  return req.lexoffice!.client
}

/** Synchronizer-token CSRF protection (OWASP) for every state-changing form. */
function csrf(req: Request, res: Response, next: NextFunction): void {
  if (!req.session) return next()
  if (!req.session.csrf) req.session.csrf = randomBytes(24).toString('base64url')
  res.locals.csrfToken = req.session.csrf
  if (req.method !== 'POST' || req.path.startsWith('/webhooks/')) return next()
  const sent = typeof req.body?._csrf === 'string' ? Buffer.from(req.body._csrf) : Buffer.alloc(0)
  const expected = Buffer.from(req.session.csrf)
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    res.status(403).render('error', {
      title: 'Forbidden',
      heading: 'Form expired',
      message: 'This form is no longer valid. Go back, reload the page and try again.',
      reconnect: false,
    })
    return
  }
  next()
}

function logOut(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())))
}

/** The `page` query parameter: absent means 0; anything but a number from 0 to 399 is `undefined` (400). */
function pageParam(value: unknown): number | undefined {
  if (value === undefined) return 0
  if (typeof value !== 'string' || !/^\d{1,3}$/.test(value)) return undefined
  const n = Number(value)
  return n <= 399 ? n : undefined
}

/** What a browser sees when the lexoffice connection is lost or gone. */
const LOST_PAGE = {
  heading: 'lexoffice connection lost',
  message: 'lexoffice connection lost - reconnect to continue.',
  reconnect: true,
  page: '',
}

function badRequest(res: Response, heading: string, message: string): void {
  res.status(400).render('error', { title: 'Bad request', heading, message, reconnect: false, page: '' })
}

/** Renders a view and resolves once the answer is sent (requireLexoffice's onAuthLost awaits it). */
function renderPage(res: Response, status: number, view: string, locals: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    res.status(status).render(view, locals, (err: Error | null, html: string) => {
      if (err) return reject(err)
      res.setHeader('cache-control', 'no-store')
      res.send(html)
      resolve()
    })
  })
}

/** The 4xx status of a client error raised by Express or a body parser (bad URL encoding, body too large), if any. */
function clientErrorStatus(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined
  const { status } = err as { status?: unknown }
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 ? status : undefined
}

function firstEmail(emails: unknown): string {
  if (!emails || typeof emails !== 'object') return ''
  for (const list of Object.values(emails as Record<string, unknown>)) {
    if (Array.isArray(list) && typeof list[0] === 'string') return list[0]
  }
  return ''
}

function formatDuration(ms: number): string {
  if (ms <= 0) return 'expired (refreshes on next use)'
  const s = Math.round(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`
}

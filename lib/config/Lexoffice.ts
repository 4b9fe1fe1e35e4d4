import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { LexofficeClient } from '../client/LexofficeClient'
import { type RateLimitOptions, resolveTransportSettings } from '../client/LexofficeClientOptions'
import { MemoryRateLimiter } from '../client/rateLimit/MemoryRateLimiter'
import type { RateLimiter } from '../client/rateLimit/RateLimiter'
import '../express/augment'
import { type LexofficeRender, defaultRender } from '../express/answers'
import type { LexofficeConnectRoutesOptions } from '../express/connectRoutes'
import type { LexofficeErrorHandler } from '../express/lexofficeErrorHandler'
import type { LexofficeGuard } from '../express/lexofficeGuard'
import type { LexofficeRequestContextInit } from '../express/LexofficeRequestContext'
import type { LexofficeRequestHandler } from '../express/LexofficeRequestHandler'
import type { ProblemContext } from '../express/problemAnswer'
import type { RouterDeps } from '../express/routeKit'
import type { LexofficeRoutesOptions } from '../express/signInRoutes'
import type { FetchLike } from '../http/httpRequest'
import { LexofficeOAuthClient } from '../oauth/LexofficeOAuthClient'
import { assertKey } from '../tokens/resolveTokenManagerOptions'
import { LexofficeStrategy, isOwnerKey, ownerPrefix } from '../strategy/LexofficeStrategy'
import type { BackgroundRefresher, BackgroundRefresherOptions } from '../refresher/BackgroundRefresher'
import type { ConnectionStatus } from '../tokens/ConnectionStatus'
import { MemoryTokenStore } from '../tokens/stores/MemoryTokenStore'
import { TokenManager } from '../tokens/TokenManager'
import { CachingTokenStore, invalidationOf } from '../tokens/TokenCache'
import { DEFAULT_REFRESH_AHEAD_MS, DEFAULT_REFRESH_JITTER_MS } from '../tokens/resolveTokenManagerOptions'
import type { TokenStore } from '../tokens/TokenStore'
import type { LexofficeWebhookHandler, LexofficeWebhooksOptions } from '../webhooks/LexofficeWebhooksOptions'
import type { LexofficeOptions } from './LexofficeOptions'
import { type LexofficeInternals, internalsOf, ownerOf, setInternals } from './internals'
import { resolveLexofficeOptions } from './resolveLexofficeOptions'

/** Test seams, not options: injected by the package's own tests through {@link buildLexoffice}. @internal */
export interface LexofficeHooks {
  now?: () => number
  fetch?: FetchLike
  /** The configuration's rate limiter instead of a real-time MemoryRateLimiter (tests on a schedule clock). */
  rateLimiter?: RateLimiter
  /**
   * The API clients' retry backoff instead of the default 500 ms base: tests of retried faults (the
   * login's profile call) take milliseconds instead of seconds; what they assert is the retry, not its wait.
   */
  retryDelays?: { baseDelayMs: number; maxDelayMs: number }
}

/**
 * Options of {@link Lexoffice.refresher}: those of `BackgroundRefresher` without the manager.
 *
 * @example
 * ```ts
 * const options: LexofficeRefresherOptions = { intervalMs: 60_000 }
 * ```
 */
export type LexofficeRefresherOptions = Omit<BackgroundRefresherOptions, 'manager' | 'store'>

/**
 * One lexoffice integration, built from one validated configuration by {@link createLexoffice}.
 * Everything comes out of it, so the strategy, the token manager, the API clients, the webhooks
 * and the refresher always talk to the same lexoffice with the same credentials.
 *
 * @example
 * ```ts
 * const lexoffice = createLexoffice({ scope: ['profile.read', 'contacts.read'] })
 * passport.use(lexoffice.strategy)
 * app.use(lexoffice.routes())
 * app.get('/', lexoffice.required(), async (req, res) => res.json(await req.lexoffice.client.contacts.list()))
 * ```
 */
export class Lexoffice {
  /** The token manager: the one component that refreshes this configuration's tokens. */
  readonly manager: TokenManager
  #strategy: LexofficeStrategy | undefined
  #render: LexofficeRender = defaultRender
  #errorHandlerOnce: LexofficeErrorHandler | undefined
  readonly #attach: LexofficeRequestHandler
  /** With `redis`: webhook deliveries are deduplicated across processes. */
  #dedupe: LexofficeWebhooksOptions['dedupe'] | undefined
  /** The token cache in front of a shared store, when there is one. */
  readonly #cache: CachingTokenStore | undefined

  /** @internal Use {@link createLexoffice}. */
  constructor(options: LexofficeOptions = {}, hooks: LexofficeHooks = {}) {
    const o = resolveLexofficeOptions(options)
    const now = hooks.now ?? Date.now
    const oauth = new LexofficeOAuthClient(
      {
        clientID: o.clientID,
        clientSecret: o.clientSecret,
        tokenURL: o.endpoints.tokenURL,
        revokeURL: o.endpoints.revokeURL,
        timeoutMs: o.timeoutMs,
        ...(hooks.fetch ? { fetch: hooks.fetch } : {}),
      },
      { now },
    )
    const shared = sharedStores(o.redis, o.redisPrefix, o.encryption)
    const store = o.store ?? shared?.store ?? new MemoryTokenStore()
    if (o.store === undefined && shared === undefined && process.env.NODE_ENV === 'production') {
      o.logger.warn(
        'passport-lexoffice: tokens are kept in this process only (lost on restart, not shared between processes); pass "redis" or "store" to createLexoffice.',
      )
    }
    const channel = o.tokenCache === false ? undefined : invalidationOf(store)
    this.#cache =
      channel === undefined || o.tokenCache === false
        ? undefined
        : new CachingTokenStore(store, channel, {
            maxEntries: o.tokenCache.maxEntries,
            aheadMs: DEFAULT_REFRESH_AHEAD_MS + DEFAULT_REFRESH_JITTER_MS,
            now,
          })
    this.manager = new TokenManager({ store: this.#cache ?? store, oauth, apiURL: o.endpoints.apiURL, now })
    // One rate budget for every API call of this configuration: request contexts, clients for jobs, the login's profile call.
    const transport = resolveTransportSettings({
      apiURL: o.endpoints.apiURL,
      rateLimit: {
        ...(hooks.rateLimiter ? { limiter: hooks.rateLimiter } : (shared?.rateLimit ?? { limiter: new MemoryRateLimiter() })),
        scope: o.rateLimitScope,
        clientId: o.clientID,
      },
      ...(hooks.fetch ? { fetch: hooks.fetch } : {}),
    })
    const rateLimit: RateLimitOptions | false = transport.limiter
      ? { limiter: transport.limiter, scope: o.rateLimitScope, clientId: o.clientID }
      : false
    const newClient = (tokenProvider: { getAccessToken(): Promise<string> }, connectionKey: string, timeoutMs?: number): LexofficeClient =>
      new (loadOnUse('../client/LexofficeClient') as typeof import('../client/LexofficeClient')).LexofficeClient({
        apiURL: o.endpoints.apiURL,
        tokenProvider,
        connectionKey,
        rateLimit,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(hooks.retryDelays ? { retry: hooks.retryDelays } : {}),
        ...(hooks.fetch ? { fetch: hooks.fetch } : {}),
      })
    const manager = this.manager
    const internals: LexofficeInternals = {
      options: o,
      oauth,
      manager,
      now,
      clientFor: (key) => newClient(manager.providerFor(key), key),
      // The login's profile call: `timeoutMs` covers it like the token calls (see LexofficeOptions).
      clientForToken: (accessToken) =>
        newClient({ getAccessToken: () => Promise.resolve(accessToken) }, `login:${randomUUID()}`, o.timeoutMs),
      routing: { signIn: false, signInPath: undefined, connectPath: undefined, owner: undefined },
    }
    setInternals(this, internals)
    // Shared by every request's context (built once): attaching `req.lexoffice` allocates the context only.
    const contextInit: LexofficeRequestContextInit<LexofficeClient> = {
      manager,
      resolveKey: (q) => this.#resolveKey(q),
      createClient: undefined,
      transport,
      listConnections: async (q) => this.#connectionsOf(q),
      selectConnection: async (q, name) => this.#select(q, name),
    }
    // Loaded with the first request that gets a context, then kept.
    let Context: ExpressParts['../express/LexofficeRequestContext']['LexofficeRequestContext'] | undefined
    this.#attach = (req, _res, next) => {
      const r = req as Express.Request & IncomingMessage
      Context ??= loadExpressPart('../express/LexofficeRequestContext').LexofficeRequestContext
      r.lexoffice = new Context(contextInit, r)
      next()
    }
    if (shared?.dedupe) this.#dedupe = shared.dedupe
  }

  /**
   * The passport strategy of this configuration (built on first use, then the same one), for
   * `passport.use(lexoffice.strategy)`. It uses the configuration's `verify`.
   */
  get strategy(): LexofficeStrategy {
    this.#strategy ??= new LexofficeStrategy(this)
    return this.#strategy
  }

  /**
   * "Sign in with lexoffice": an Express router (Express 4 and 5) with `GET /auth/lexoffice`
   * (login, `?returnTo=` a local path), `GET /auth/lexoffice/callback`, `POST /auth/lexoffice/logout`
   * (ends the session) and `POST /auth/lexoffice/disconnect` (revokes the connection, keeps the
   * session). Mount it before your routes; it also gives every request `req.lexoffice`, and appends
   * the package's error handler to the app (see {@link Lexoffice.errorHandler}). Register
   * `<baseURL>/auth/lexoffice/callback` as your redirect URI at Lexware.
   *
   * @throws TypeError for bad options.
   * @example
   * ```ts
   * app.use(lexoffice.routes())
   * ```
   */
  routes(options?: LexofficeRoutesOptions): LexofficeRequestHandler {
    return loadExpressPart('../express/signInRoutes').createSignInRoutes(this.#routerDeps(), options)
  }

  /**
   * "Connect lexoffice" for an app with its own login: a signed-in user of your app (the `owner`)
   * connects one or several lexoffice organisations; `req.user` stays your user. Routes (below
   * `path`, default `/lexoffice`): `GET /connect`, `GET /callback`, `POST /disconnect`
   * (`connection=<organizationId>`), `GET /connections` (JSON). `req.lexoffice` then uses the
   * owner's connection chosen last in this session, or the most recent one;
   * `req.lexoffice.use(organizationId)` picks another. Register `<baseURL>/lexoffice/callback`.
   *
   * @throws TypeError for bad options, or a second call with another `owner`.
   * @example
   * ```ts
   * app.use(lexoffice.connectRoutes({ owner: (req) => req.user?.id }))
   * ```
   */
  connectRoutes(options: LexofficeConnectRoutesOptions): LexofficeRequestHandler {
    return loadExpressPart('../express/connectRoutes').createConnectRoutes(this.#routerDeps(), options)
  }

  /**
   * A guard for routes that need a live lexoffice connection. It checks the stored connection:
   * browsers without one are sent to connect (a lost connection first shows why), other clients
   * get `401 { error, code, message }`; in connect mode a request without a signed-in owner gets
   * 401 `unauthenticated`. Never a stack trace, never a redirect loop.
   *
   * @example
   * ```ts
   * app.get('/contacts', lexoffice.required(), async (req, res) => res.json(await req.lexoffice.client.contacts.list()))
   * ```
   */
  required(): LexofficeGuard {
    return loadExpressPart('../express/lexofficeGuard').createGuard(internalsOf(this), this.#attach, (connect) =>
      this.#problemContext(connect),
    )
  }

  /**
   * The package's error handler: `AUTH_LOST` and `NOT_CONNECTED` thrown in a route get the
   * guard's answers, every other error of this package its status and code (never a stack
   * trace); other errors go on. The routes append it to your app by themselves; mount it yourself
   * only to place it before an error handler of your own.
   *
   * @example
   * ```ts
   * app.use(lexoffice.errorHandler())
   * app.use(myErrorHandler)
   * ```
   */
  errorHandler(): LexofficeErrorHandler {
    return this.#errorHandler()
  }

  /**
   * Only `req.lexoffice`, for apps that mount neither `routes()` nor `connectRoutes()`.
   *
   * @example
   * ```ts
   * app.use(lexoffice.middleware())
   * ```
   */
  middleware(): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
    return this.#attach
  }

  /**
   * The API client of one stored connection, for work outside a request (jobs, webhooks): paced
   * together with every other client of this configuration, refreshed through the token manager.
   *
   * @param key The connection's key (`req.user.connectionKey`, `connection.key`).
   * @example
   * ```ts
   * const invoices = await lexoffice.client(connection.key).voucherlist.list({ voucherType: 'invoice', voucherStatus: 'open' })
   * ```
   */
  client(key: string): LexofficeClient {
    assertKey(key)
    return internalsOf(this).clientFor(key)
  }

  /**
   * The webhook endpoint of this configuration (see `lexofficeWebhooks`): a `token.revoked` event
   * marks the matching stored connection lost before your `onTokenRevoked` runs, and with `redis`
   * deliveries are deduplicated across processes.
   *
   * @example
   * ```ts
   * app.use('/webhooks/lexoffice', lexoffice.webhooks({ onEvent: (event) => console.log(event.eventType, event.resourceId) }))
   * ```
   */
  webhooks<TConnection = unknown>(options: LexofficeWebhooksOptions<TConnection>): LexofficeWebhookHandler {
    const theirs = options.onTokenRevoked
    const { lexofficeWebhooks } = loadOnUse('../webhooks/lexofficeWebhooks') as typeof import('../webhooks/lexofficeWebhooks')
    return lexofficeWebhooks<TConnection>({
      ...(this.#dedupe && options.dedupe === undefined ? { dedupe: this.#dedupe } : {}),
      ...options,
      onTokenRevoked: async (revocation) => {
        await this.#markRevoked(revocation.organizationId, revocation.connectionId)
        if (theirs) await theirs(revocation)
      },
    })
  }

  /**
   * A background refresher over this configuration's store: keeps connections nobody uses alive
   * (lexoffice ends a connection whose refresh token is not used). Call `start()` on it.
   *
   * @example
   * ```ts
   * const refresher = lexoffice.refresher({ intervalMs: 60_000 })
   * refresher.start()
   * ```
   */
  refresher(options: LexofficeRefresherOptions = {}): BackgroundRefresher {
    const { BackgroundRefresher: Refresher } = loadOnUse(
      '../refresher/BackgroundRefresher',
    ) as typeof import('../refresher/BackgroundRefresher')
    return new Refresher({ ...options, manager: this.manager })
  }

  /**
   * Ends what this configuration opened itself: the token cache's subscription (a duplicate Redis
   * connection, or a PostgreSQL connection listening for changes). Your clients and pools stay
   * open; close them after this. Reads then go to the store.
   *
   * @example
   * ```ts
   * process.on('SIGTERM', async () => {
   *   await lexoffice.close()
   *   await redis.quit()
   * })
   * ```
   */
  async close(): Promise<void> {
    await this.#cache?.close()
  }

  /** A secret-free view. */
  toJSON(): Record<string, unknown> {
    const o = internalsOf(this).options
    const view: Record<string, unknown> = {
      clientID: o.clientID,
      environment: o.environment,
      apiURL: o.endpoints.apiURL,
      manager: this.manager.toJSON(),
    }
    if (this.#cache) view['tokenCache'] = this.#cache.toJSON()['cache']
    return view
  }

  /** A secret-free view for `util.inspect`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Lexoffice ${JSON.stringify(this.toJSON())}`
  }

  /** The one error handler of this configuration (the routes install it too), created on first use. */
  #errorHandler(): LexofficeErrorHandler {
    this.#errorHandlerOnce ??= loadExpressPart('../express/lexofficeErrorHandler').createErrorHandler((req) => this.#problemContextFor(req))
    return this.#errorHandlerOnce
  }

  #routerDeps(): RouterDeps {
    return {
      config: internalsOf(this),
      strategy: this.strategy,
      attach: this.#attach,
      errorHandler: this.#errorHandler(),
      setRender: (render) => {
        this.#render = render
      },
    }
  }

  /** Where the answers send people: the connect routes for a request with an owner, else the sign-in routes. */
  #problemContext(connect: boolean): ProblemContext {
    const routing = internalsOf(this).routing
    const loginPath = connect ? (routing.connectPath ?? '/lexoffice/connect') : (routing.signInPath ?? '/auth/lexoffice')
    return { loginPath, render: this.#render }
  }

  /** The answers' context for a request: with both kinds of routes, its owner decides. */
  async #problemContextFor(req: IncomingMessage): Promise<ProblemContext> {
    const routing = internalsOf(this).routing
    if (routing.owner === undefined || !routing.signIn) return this.#problemContext(routing.owner !== undefined)
    return this.#problemContext((await ownerOf(routing.owner, req as unknown as Express.Request)) !== undefined)
  }

  /**
   * The connection key of a request: the session's (sign-in), or the owner's chosen or newest one
   * (connect). With both kinds of routes, a request without an owner is a sign-in.
   */
  #resolveKey(req: Express.Request & IncomingMessage): string | undefined | Promise<string | undefined> {
    const session = (req as unknown as { session?: Record<string, unknown> }).session
    const fromSession = session ? this.strategy.connectionOf(session) : undefined
    const routing = internalsOf(this).routing
    const owner = routing.owner
    if (owner === undefined) return fromSession
    return ownerOf(owner, req).then(async (id) => {
      if (id === undefined) return routing.signIn && fromSession !== undefined && !isOwnerKey(fromSession) ? fromSession : undefined
      if (fromSession?.startsWith(ownerPrefix(id))) return fromSession
      const list = await this.manager.listConnections(ownerPrefix(id))
      const best = list.reduce<ConnectionStatus | undefined>(
        (found, c) => (found === undefined || rank(c) > rank(found) ? c : found),
        undefined,
      )
      return best?.key
    })
  }

  async #connectionsOf(req: Express.Request & IncomingMessage): Promise<ConnectionStatus[]> {
    const owner = internalsOf(this).routing.owner
    const id = owner === undefined ? undefined : await ownerOf(owner, req)
    if (id !== undefined) return this.manager.listConnections(ownerPrefix(id))
    const key = await req.lexoffice.key()
    const info = key === undefined ? undefined : await this.manager.tokenInfo(key)
    return info === undefined ? [] : [info]
  }

  async #select(req: Express.Request & IncomingMessage, name: string): Promise<string | undefined> {
    const owner = internalsOf(this).routing.owner
    const id = owner === undefined ? undefined : await ownerOf(owner, req)
    if (id !== undefined) return loadExpressPart('../express/connectRoutes').keyOfOwner(id, name)
    const key = await req.lexoffice.key()
    return key === name ? key : undefined
  }

  /** `token.revoked`: every stored connection with that connection id is marked lost (keys contain the organization id). */
  async #markRevoked(organizationId: string, connectionId: string): Promise<void> {
    const store = this.manager.store
    if (typeof store.list !== 'function') {
      await this.manager.markLost(connectionId, 'token.revoked')
      return
    }
    const keys = (await store.list()).filter((key) => key.includes(organizationId) || key === connectionId)
    for (const key of keys) {
      const info = await this.manager.tokenInfo(key)
      if (info?.state === 'active' && info.connectionId === connectionId) await this.manager.markLost(key, 'token.revoked')
    }
  }
}

/** Active connections first, newest first. */
function rank(status: ConnectionStatus): number {
  return (status.state === 'active' ? 2 ** 52 : 0) + status.connectedAt
}

/** With `redis`: the token store (encrypted), the shared API rate budget and the webhook dedupe store, all in Redis. */
function sharedStores(
  redis: object | undefined,
  prefix: string,
  encryption: LexofficeInternals['options']['encryption'],
): { store: TokenStore; rateLimit: RateLimitOptions; dedupe: LexofficeWebhooksOptions['dedupe'] } | undefined {
  if (redis === undefined) return undefined
  // resolveLexofficeOptions refused `redis` without keys or an explicit `encryption: false`.
  if (encryption === undefined) throw new Error('unreachable: encryption was validated with redis')
  // Loaded only here, so that apps without Redis never load the Redis code.
  const load = loadOnUse
  const { RedisTokenStore } = load('../redis/RedisTokenStore') as typeof import('../redis/RedisTokenStore')
  const { RedisWebhookDedupeStore } = load('../redis/RedisWebhookDedupeStore') as typeof import('../redis/RedisWebhookDedupeStore')
  const client = redis as import('../redis/redisAdapter').RedisClientLike
  return {
    store: new RedisTokenStore({ client, prefix, encryption }),
    rateLimit: { redis: client, keyPrefix: `${prefix}rate:` },
    dedupe: new RedisWebhookDedupeStore({ client, prefix: `${prefix}webhook:` }),
  }
}

/**
 * Builds the one configuration of passport-lexoffice from `options` and the `LEXOFFICE_*` and
 * `BASE_URL` environment variables (an option given here wins), validated once: a missing client
 * secret or base URL, an `http:` URL outside localhost, an unknown environment or a store that
 * does not meet the store contract throws at startup, with one `TypeError` naming the option.
 *
 * @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) naming the bad option.
 * @example
 * ```ts
 * import { createLexoffice } from 'passport-lexoffice'
 *
 * // LEXOFFICE_CLIENT_ID, LEXOFFICE_CLIENT_SECRET and BASE_URL from the environment:
 * const lexoffice = createLexoffice({ scope: ['profile.read', 'contacts.read'], connectionName: 'Example App' })
 * ```
 */
export function createLexoffice(options: LexofficeOptions = {}): Lexoffice {
  return new Lexoffice(options)
}

/** {@link createLexoffice} with test seams. @internal */
export function buildLexoffice(options: LexofficeOptions, hooks: LexofficeHooks): Lexoffice {
  return new Lexoffice(options, hooks)
}

/**
 * Loads one of the package's own modules on first use: the API client and its resources, the
 * webhook handler, the refresher and the Redis stores stay unloaded until an app asks for them
 * (issue 15, require time).
 */
function loadOnUse(path: string): unknown {
  return createRequire(__filename)(path)
}

/**
 * The Express pieces (routes, guard, error handler, request context with its API transport), each
 * loaded when an app first mounts or calls it: `createLexoffice` and the strategy need none of them.
 */
interface ExpressParts {
  '../express/signInRoutes': typeof import('../express/signInRoutes')
  '../express/connectRoutes': typeof import('../express/connectRoutes')
  '../express/lexofficeGuard': typeof import('../express/lexofficeGuard')
  '../express/lexofficeErrorHandler': typeof import('../express/lexofficeErrorHandler')
  '../express/LexofficeRequestContext': typeof import('../express/LexofficeRequestContext')
}
function loadExpressPart<P extends keyof ExpressParts>(path: P): ExpressParts[P] {
  return loadOnUse(path) as ExpressParts[P]
}

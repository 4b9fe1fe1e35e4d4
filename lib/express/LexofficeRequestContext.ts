import type { IncomingMessage } from 'node:http'
import { type ApiCall, ApiTransport } from '../client/ApiTransport'
import { createRequire } from 'node:module'
import type { LexofficeClient } from '../client/LexofficeClient'
import type { TransportSettings } from '../client/LexofficeClientOptions'
import { ErrorCodes, LexofficeError } from '../errors'
import type { HttpMethod, HttpResponse } from '../http/httpRequest'
import { invalidArg, isObject } from '../options/assert'
import type { ConnectionTokenProvider } from '../tokens/ConnectionTokenProvider'
import type { ConnectionStatus, DisconnectResult, TokenManager } from '../tokens/TokenManager'

/**
 * Finds the connection key of a request (your user id, `req.user.connectionId`, a session
 * field...). `undefined` means "no lexoffice connection for this request".
 *
 * @example
 * ```ts
 * const key: LexofficeKeyResolver = (req) => req.user?.id
 * ```
 */
export type LexofficeKeyResolver = (req: Express.Request & IncomingMessage) => string | undefined | Promise<string | undefined>

/**
 * Builds the API client of one request from the connection's token provider, e.g.
 * `(provider) => createLexofficeClient(provider)`. Called at most once per request, on first use.
 *
 * @example
 * ```ts
 * const createClient: LexofficeClientFactory<LexofficeClient> = (provider) => createLexofficeClient(provider)
 * ```
 */
export type LexofficeClientFactory<C> = (provider: ConnectionTokenProvider, ctx: LexofficeRequestContext<C>) => C

/**
 * What every context of one middleware shares, built once per middleware (not per request: the
 * request is the constructor's second argument, so attaching a context allocates the context only).
 * @internal
 */
export interface LexofficeRequestContextInit<C> {
  manager: TokenManager
  resolveKey: LexofficeKeyResolver
  /** Builds `client`; without it `client` is a {@link LexofficeClient} on this request's transport. */
  createClient: LexofficeClientFactory<C> | undefined
  /** The connections this request may use (connect mode: the owner's). */
  listConnections?: ((req: Express.Request & IncomingMessage) => Promise<ConnectionStatus[]>) | undefined
  /** The key of a connection this request may use, named by organization id or key; `undefined` if it may not. */
  selectConnection?: ((req: Express.Request & IncomingMessage, name: string) => Promise<string | undefined>) | undefined
  /** What the requests of every context of one middleware share (limiter, timeouts, retries, hooks). */
  transport: TransportSettings
}

const METHODS = new Set<string>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])
/** Statuses whose `Response` has no body (the constructor refuses one). */
const NULL_BODY_STATUS = new Set([101, 204, 205, 304])
/** Request headers the transport sets itself. */
const TRANSPORT_HEADERS = new Set(['authorization', 'host', 'content-length', 'connection', 'transfer-encoding'])

/**
 * `req.lexoffice`: this request's view of its lexoffice connection. Creating it does no I/O;
 * the key resolver, the store and lexoffice are only touched when a method is called. No method
 * or property returns or shows a token except {@link LexofficeRequestContext.getAccessToken}:
 * `JSON.stringify(req.lexoffice)` and `util.inspect(req.lexoffice)` show only the API URL.
 *
 * @example
 * ```ts
 * app.get('/invoices', lexoffice.required(), async (req, res) => {
 *   const r = await req.lexoffice!.fetch('/v1/voucherlist?voucherType=invoice&voucherStatus=open')
 *   res.json(await r.json())
 * })
 * ```
 */
export class LexofficeRequestContext<C = LexofficeClient> {
  // Per request: the shared init, the request, and what this request resolved or built (lazily).
  readonly #init: LexofficeRequestContextInit<C>
  readonly #req: Express.Request & IncomingMessage
  /** 0: key not resolved yet; 1: resolved synchronously (`#syncKey`, no promise made); 2: `#key` holds it. */
  #keyState: 0 | 1 | 2 = 0
  #syncKey: string | undefined
  #key: Promise<string | undefined> | undefined
  #transport: ApiTransport | undefined
  #client: C | undefined
  #provider: ConnectionTokenProvider | undefined

  /** @internal Created by the `lexoffice()` middleware. */
  constructor(init: LexofficeRequestContextInit<C>, req: Express.Request & IncomingMessage) {
    this.#init = init
    this.#req = req
  }

  get #manager(): TokenManager {
    return this.#init.manager
  }

  /**
   * The lexoffice connections this request may use, with their status (never a token): in
   * connect mode all of the signed-in owner's organisations, after a sign-in the session's one.
   *
   * @throws LexofficeStoreError `STORE_UNAVAILABLE` (503).
   * @example
   * ```ts
   * const list = await req.lexoffice.connections()
   * res.render('settings', { organisations: list.map((c) => c.details?.companyName) })
   * ```
   */
  async connections(): Promise<ConnectionStatus[]> {
    if (this.#init.listConnections) return this.#init.listConnections(this.#req)
    const key = await this.key()
    const info = key === undefined ? undefined : await this.#manager.tokenInfo(key)
    return info === undefined ? [] : [info]
  }

  /**
   * The same request bound to another of its connections (connect mode: one of the owner's
   * organisations, by organization id). Nothing is read until it is used; a name this request may
   * not use resolves no key, so its calls fail with `NOT_CONNECTED`.
   *
   * @example
   * ```ts
   * app.get('/orgs/:org/contacts', lexoffice.required(), async (req, res) => {
   *   res.json(await req.lexoffice.use(req.params.org).client.contacts.list())
   * })
   * ```
   */
  use(connection: string): LexofficeRequestContext<C> {
    if (typeof connection !== 'string' || connection === '')
      throw invalidArg('ERR_INVALID_ARG_TYPE', '"connection" must be a non-empty string')
    const select = this.#init.selectConnection
    const current = this.key()
    return new LexofficeRequestContext<C>(
      {
        ...this.#init,
        resolveKey: (req) => (select ? select(req, connection) : current.then((key) => (key === connection ? key : undefined))),
      },
      this.#req,
    )
  }

  /**
   * The connection key of this request (resolved once), or `undefined` when there is none.
   *
   * @example
   * ```ts
   * const key = await req.lexoffice!.key()
   * ```
   */
  key(): Promise<string | undefined> {
    if (this.#keyState === 0) this.#resolve()
    this.#key ??= Promise.resolve(this.#syncKey)
    return this.#key
  }

  /**
   * Runs the resolver once. A synchronous answer (the common case) is kept in `#syncKey` and no
   * promise is made for it until `key()` asks; anything else (a promise, an error) goes to `#key`.
   */
  #resolve(): void {
    this.#keyState = 2
    let raw: unknown
    try {
      raw = this.#init.resolveKey(this.#req)
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the resolver's own error, unchanged
      this.#key = Promise.reject(err)
      return
    }
    if (raw !== null && typeof raw === 'object' && typeof (raw as PromiseLike<unknown>).then === 'function') {
      this.#key = Promise.resolve(raw as PromiseLike<unknown>).then(checkKey)
      return
    }
    try {
      this.#syncKey = checkKey(raw)
      this.#keyState = 1
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the resolver's own error, unchanged
      this.#key = Promise.reject(err)
    }
  }

  /**
   * `true` when an active (not lost) connection is stored for this request's key.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` (503).
   * @example
   * ```ts
   * res.render('settings', { connected: await req.lexoffice!.isConnected() })
   * ```
   */
  async isConnected(): Promise<boolean> {
    const key = await this.key()
    return key === undefined ? false : this.#manager.isConnected(key)
  }

  /**
   * A valid access token (refreshed first when due). Prefer {@link LexofficeRequestContext.fetch}
   * or `client`, which also handle a 401.
   *
   * @throws LexofficeError `NOT_CONNECTED`, LexofficeAuthLostError `AUTH_LOST`, and the
   *   manager's 503 errors (`STORE_UNAVAILABLE`, `LOCK_TIMEOUT`, `REFRESH_FAILED`).
   * @example
   * ```ts
   * const token = await req.lexoffice!.getAccessToken()
   * ```
   */
  getAccessToken(): Promise<string> {
    if (this.#keyState === 0) this.#resolve()
    // The hot path of every API request: no promise of our own when the key is known synchronously
    // (the manager answers a fresh token from memory without an await).
    if (this.#keyState === 1 && this.#syncKey !== undefined) return this.#init.manager.getAccessToken(this.#syncKey)
    return this.#requireKey().then((key) => this.#init.manager.getAccessToken(key))
  }

  /**
   * Expiry, scope, ids and refresh bookkeeping of the connection (never a token); `undefined`
   * when there is no key or nothing stored.
   *
   * @example
   * ```ts
   * res.json(await req.lexoffice!.tokenInfo())
   * ```
   */
  async tokenInfo(): Promise<ConnectionStatus | undefined> {
    const key = await this.key()
    return key === undefined ? undefined : this.#manager.tokenInfo(key)
  }

  /**
   * Revokes the connection at lexoffice and removes the stored tokens (see `TokenManager.disconnect`).
   *
   * @example
   * ```ts
   * app.post('/lexoffice/disconnect', async (req, res) => { await req.lexoffice!.disconnect(); res.redirect('/') })
   * ```
   */
  async disconnect(): Promise<DisconnectResult> {
    const key = await this.key()
    return key === undefined ? { revoked: false } : this.#manager.disconnect(key)
  }

  /**
   * `fetch` against the lexoffice API (`path` relative to the manager's `apiURL`, e.g.
   * `/v1/contacts?page=0`) through the same pipeline as `client`, sharing its rate-limit budget per
   * connection: pacing (in-process or Redis), a fresh Bearer token read after the rate-limit slot,
   * the client's timeout (default 30 s) and response size cap (default 25 MiB), 429 backoff with
   * `Retry-After`, retries of GET/HEAD/PUT/DELETE after 5xx and network errors (never of a POST or
   * PATCH whose outcome is unknown), and after a 401 one refresh (through the manager's coalesced
   * path) and one retry; a second 401 throws `API_UNAUTHORIZED`. Options: the middleware's `client`
   * option. Any other final status resolves a standard `Response` (its body read completely, so
   * `ok`, `status`, `headers`, `json()` and `text()` work as usual; `url` is empty), a 429 or 5xx
   * that outlasted the retries included. Bodies must be re-sendable (string, Buffer/typed array,
   * ArrayBuffer, URLSearchParams, FormData, Blob), since the request may be sent twice; the
   * caller's `signal` aborts the wait, the request and the backoff.
   *
   * @throws TypeError for a path that is not relative, an unsupported method or a stream body;
   *   LexofficeApiError `API_UNAUTHORIZED` (a second 401); LexofficeError `TIMEOUT`/`NETWORK_ERROR`/
   *   `RESPONSE_TOO_LARGE`; the errors of `getAccessToken`; the signal's reason when it aborts.
   * @example
   * ```ts
   * const res = await req.lexoffice!.fetch('/v1/contacts', {
   *   method: 'POST',
   *   headers: { 'content-type': 'application/json' },
   *   body: JSON.stringify({ version: 0, roles: { customer: {} }, company: { name: 'ACME' } }),
   * })
   * ```
   */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.includes('\\')) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"path" must be a path on the lexoffice API, e.g. /v1/profile')
    }
    const call = toApiCall(path, init)
    await this.#requireKey()
    return toResponse(await this.#transportOf().sendForAnyStatus(call), call)
  }

  /**
   * A token provider for this request's connection (resolves the key on first use).
   *
   * @example
   * ```ts
   * const client = createLexofficeClient(req.lexoffice!.provider)
   * ```
   */
  get provider(): ConnectionTokenProvider {
    this.#provider ??= Object.freeze({
      getAccessToken: () => this.getAccessToken(),
      refreshAfterUnauthorized: async (rejected: string) => this.#manager.refreshAfterUnauthorized(await this.#requireKey(), rejected),
    })
    return this.#provider
  }

  /**
   * The API client of this request, built on first access: by default a typed
   * {@link LexofficeClient} on the manager's API URL, paced per connection key, whose 401s go
   * through the one refresh path (the middleware's `createClient` option replaces it). No I/O
   * until it is used.
   *
   * @example
   * ```ts
   * const page = await req.lexoffice!.client.contacts.list({ page: 0 })
   * ```
   */
  get client(): C {
    const create = this.#init.createClient
    this.#client ??= create ? create(this.provider, this) : (loadClientOn()(this.#transportOf()) as C)
    return this.#client
  }

  /**
   * A secret-free view for logs.
   *
   * @example
   * ```ts
   * JSON.stringify(req.lexoffice) // {"apiURL":"https://api.lexware.io"}
   * ```
   */
  toJSON(): Record<string, unknown> {
    return { apiURL: this.#manager.apiURL }
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `LexofficeRequestContext { apiURL: '${this.#manager.apiURL}' }`
  }

  async #requireKey(): Promise<string> {
    const key = await this.key()
    if (key === undefined) throw new LexofficeError(ErrorCodes.NOT_CONNECTED, 'This request has no lexoffice connection (no key).')
    return key
  }

  /** This request's transport: the middleware's shared settings, this connection's tokens and rate-limit key. */
  #transportOf(): ApiTransport {
    this.#transport ??= new ApiTransport(this.#init.transport, {
      provider: this.provider,
      connectionKey: async () => (await this.key()) ?? 'lexoffice:no-connection',
    })
    return this.#transport
  }
}

/** A resolved key: a non-empty string, or `undefined` for "no connection". */
function checkKey(key: unknown): string | undefined {
  if (key === undefined || key === null || key === '') return undefined
  if (typeof key !== 'string')
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'the "key" option of lexoffice() must resolve to a string or undefined')
  return key
}

/** A `fetch(path, init)` as a transport call: method, path and query, headers, a re-sendable body, the signal. */
function toApiCall(path: string, init: RequestInit): ApiCall {
  const given: unknown = init
  if (!isObject(given)) throw invalidArg('ERR_INVALID_ARG_TYPE', '"init" must be an object')
  const method = (init.method ?? 'GET').toUpperCase()
  if (!METHODS.has(method)) throw invalidArg('ERR_INVALID_ARG_VALUE', `"init.method" must be one of ${[...METHODS].join(', ')}`)
  const headers: Record<string, string> = {}
  new Headers(init.headers).forEach((value, name) => {
    if (!TRANSPORT_HEADERS.has(name)) headers[name] = value
  })
  const body = resendableBody(init.body, headers)
  const q = path.indexOf('?')
  const call: ApiCall = {
    method: method as HttpMethod,
    path: q === -1 ? path : path.slice(0, q),
    query: q === -1 ? undefined : path.slice(q + 1),
    headers,
    body,
    signal: init.signal ?? undefined,
  }
  return call
}

/** The body as the transport sends it; a stream cannot be sent a second time (401 retry), so it is refused. */
function resendableBody(body: RequestInit['body'], headers: Record<string, string>): ApiCall['body'] {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string' || body instanceof FormData || body instanceof Blob) return body
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8'
    return body.toString()
  }
  if (body instanceof ArrayBuffer) return new Uint8Array(body.slice(0))
  if (ArrayBuffer.isView(body)) return new Uint8Array(new Uint8Array(body.buffer, body.byteOffset, body.byteLength))
  throw invalidArg(
    'ERR_INVALID_ARG_TYPE',
    '"init.body" must be re-sendable (string, Buffer, ArrayBuffer, URLSearchParams, FormData or Blob), not a stream',
  )
}

/** The transport's (complete, size-capped) answer as a standard `Response`. */
function toResponse(res: HttpResponse, call: ApiCall): Response {
  const headers = new Headers()
  res.headers.forEach((value, name) => {
    try {
      headers.append(name, value)
    } catch {
      // A header value a WHATWG Headers object refuses is left out.
    }
  })
  if (res.status < 200 || res.status > 599) {
    throw new LexofficeError(ErrorCodes.API_ERROR, `lexoffice answered ${call.method} ${call.path} with HTTP ${res.status}.`)
  }
  const body = NULL_BODY_STATUS.has(res.status) || call.method === 'HEAD' ? null : new Uint8Array(res.body)
  return new Response(body, { status: res.status, headers })
}

/** The API client module, loaded when a request first uses `req.lexoffice.client` (require time). */
function loadClientOn(): typeof import('../client/LexofficeClient').lexofficeClientOn {
  return (createRequire(__filename)('../client/LexofficeClient') as typeof import('../client/LexofficeClient')).lexofficeClientOn
}

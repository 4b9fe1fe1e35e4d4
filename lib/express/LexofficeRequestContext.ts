import type { IncomingMessage } from 'node:http'
import type { LexofficeClient } from '../client/LexofficeClient'
import { parseApiError } from '../client/parseApiError'
import { ErrorCodes, LexofficeNetworkError, LexofficeNotConnectedError } from '../errors'
import { describeUrl } from '../http/httpRequest'
import { invalidArg } from '../options/assert'
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
 * The client `req.lexoffice.client` returns when no `createClient` option is given: an
 * authenticated fetch against the lexoffice API.
 *
 * @example
 * ```ts
 * const res = await req.lexoffice!.client.fetch('/v1/profile')
 * ```
 */
export interface LexofficeFetchClient {
  fetch(path: string, init?: RequestInit): Promise<Response>
}

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

/** @internal */
export interface LexofficeRequestContextInit<C> {
  manager: TokenManager
  req: Express.Request & IncomingMessage
  resolveKey: LexofficeKeyResolver
  createClient: LexofficeClientFactory<C> | undefined
  /** The connections this request may use (connect mode: the owner's). */
  listConnections?: ((req: Express.Request & IncomingMessage) => Promise<ConnectionStatus[]>) | undefined
  /** The key of a connection this request may use, named by organization id or key; `undefined` if it may not. */
  selectConnection?: ((req: Express.Request & IncomingMessage, name: string) => Promise<string | undefined>) | undefined
}

const API_TIMEOUT_MS = 30_000

/**
 * `req.lexoffice`: this request's view of its lexoffice connection. Creating it does no I/O;
 * the key resolver, the store and lexoffice are only touched when a method is called. No method
 * or property returns or shows a token except {@link LexofficeRequestContext.getAccessToken}:
 * `JSON.stringify(req.lexoffice)` and `util.inspect(req.lexoffice)` show only the API URL.
 *
 * @example
 * ```ts
 * app.get('/invoices', requireLexoffice(), async (req, res) => {
 *   const r = await req.lexoffice!.fetch('/v1/voucherlist?voucherType=invoice&voucherStatus=open')
 *   res.json(await r.json())
 * })
 * ```
 */
export class LexofficeRequestContext<C = LexofficeClient> {
  readonly #manager: TokenManager
  readonly #req: Express.Request & IncomingMessage
  readonly #resolveKey: LexofficeKeyResolver
  readonly #createClient: LexofficeClientFactory<C> | undefined
  readonly #init: LexofficeRequestContextInit<C>
  #key: Promise<string | undefined> | undefined
  /** The key, when the resolver answered synchronously with one (the common case). */
  #syncKey: string | undefined
  #client: C | undefined
  #provider: ConnectionTokenProvider | undefined

  /** @internal Created by the `lexoffice()` middleware. */
  constructor(init: LexofficeRequestContextInit<C>) {
    this.#manager = init.manager
    this.#req = init.req
    this.#resolveKey = init.resolveKey
    this.#createClient = init.createClient
    this.#init = init
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
    if (typeof connection !== 'string' || connection === '') throw invalidArg('ERR_INVALID_ARG_TYPE', '"connection" must be a non-empty string')
    const select = this.#init.selectConnection
    const current = this.key()
    return new LexofficeRequestContext<C>({
      ...this.#init,
      resolveKey: (req) => (select ? select(req, connection) : current.then((key) => (key === connection ? key : undefined))),
    })
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
    this.#key ??= this.#resolve()
    return this.#key
  }

  /** Runs the resolver once; a synchronous answer is also kept in `#syncKey` (no await needed later). */
  #resolve(): Promise<string | undefined> {
    let raw: unknown
    try {
      raw = this.#resolveKey(this.#req)
    } catch (err) {
      return Promise.reject(err)
    }
    if (raw !== null && typeof raw === 'object' && typeof (raw as PromiseLike<unknown>).then === 'function') {
      return Promise.resolve(raw as PromiseLike<unknown>).then(checkKey)
    }
    try {
      this.#syncKey = checkKey(raw)
    } catch (err) {
      return Promise.reject(err)
    }
    return Promise.resolve(this.#syncKey)
  }

  /**
   * `true` when an active (not lost) connection is stored for this request's key.
   *
   * @throws LexofficeStoreError `STORE_UNAVAILABLE` (503).
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
   * @throws LexofficeNotConnectedError `NOT_CONNECTED`, LexofficeAuthLostError `AUTH_LOST`, and the
   *   manager's 503 errors (`STORE_UNAVAILABLE`, `LOCK_TIMEOUT`, `REFRESH_FAILED`).
   * @example
   * ```ts
   * const token = await req.lexoffice!.getAccessToken()
   * ```
   */
  getAccessToken(): Promise<string> {
    this.#key ??= this.#resolve()
    // The hot path of every API request: no extra await when the key is already known.
    if (this.#syncKey !== undefined) return this.#manager.getAccessToken(this.#syncKey)
    return this.#requireKey().then((key) => this.#manager.getAccessToken(key))
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
   * `/v1/contacts?page=0`) with a fresh Bearer token. After a 401 it refreshes once (through the
   * manager's coalesced path) and retries once; a second 401 throws `API_UNAUTHORIZED`. Any other
   * status resolves the `Response` as is. Bodies must be re-sendable (string, Buffer,
   * URLSearchParams, FormData, Blob), since the request may be sent twice.
   *
   * @throws TypeError for a path that is not relative; LexofficeApiError `API_UNAUTHORIZED` (a
   *   second 401); LexofficeNetworkError `TIMEOUT`/`NETWORK_ERROR`; the errors of `getAccessToken`.
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
    const key = await this.#requireKey()
    const url = this.#manager.apiURL + path
    let token = await this.#manager.getAccessToken(key)
    let res = await send(url, init, token)
    if (res.status !== 401) return res
    await res.body?.cancel().catch(() => undefined)
    token = await this.#manager.refreshAfterUnauthorized(key, token)
    res = await send(url, init, token)
    if (res.status !== 401) return res
    const body = Buffer.from(await res.arrayBuffer())
    throw parseApiError(401, body, { method: (init.method ?? 'GET').toUpperCase(), path: path.split('?')[0]! }, [token])
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
    if (this.#client === undefined) {
      this.#client = this.#createClient
        ? this.#createClient(this.provider, this)
        : (Object.freeze({ fetch: (path: string, init?: RequestInit) => this.fetch(path, init) }) as unknown as C)
    }
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
    if (key === undefined) throw new LexofficeNotConnectedError('This request has no lexoffice connection (no key).')
    return key
  }
}

/** A resolved key: a non-empty string, or `undefined` for "no connection". */
function checkKey(key: unknown): string | undefined {
  if (key === undefined || key === null || key === '') return undefined
  if (typeof key !== 'string')
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'the "key" option of lexoffice() must resolve to a string or undefined')
  return key
}

/** One API request with the Bearer token, a timeout, and no redirects followed. */
async function send(url: string, init: RequestInit, token: string): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set('authorization', `Bearer ${token}`)
  if (!headers.has('accept')) headers.set('accept', 'application/json')
  const timeout = AbortSignal.timeout(API_TIMEOUT_MS)
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout
  try {
    return await fetch(url, { ...init, headers, signal, redirect: 'manual' })
  } catch (err) {
    if (init.signal?.aborted) throw err // the caller cancelled: their AbortError, as fetch does
    const where = describeUrl(url)
    if (timeout.aborted) {
      throw new LexofficeNetworkError(ErrorCodes.TIMEOUT, `${where} did not answer within ${API_TIMEOUT_MS} ms.`, { status: 504 })
    }
    const code = (err as { cause?: { code?: unknown } }).cause?.code
    throw new LexofficeNetworkError(ErrorCodes.NETWORK_ERROR, `Could not reach ${where}${typeof code === 'string' ? ` (${code})` : ''}.`, {
      status: 502,
    })
  }
}

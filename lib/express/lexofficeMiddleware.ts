import type { IncomingMessage, ServerResponse } from 'node:http'
import type { LexofficeClient } from '../client/LexofficeClient'
import { type LexofficeClientCommonOptions, resolveTransportSettings } from '../client/LexofficeClientOptions'
import { assertFunction, assertKnownKeys, assertObject, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import type { TokenManager } from '../tokens/TokenManager'
import './augment'
import { type LexofficeClientFactory, LexofficeRequestContext, type LexofficeRequestContextInit } from './LexofficeRequestContext'

/**
 * Options of {@link lexoffice}.
 *
 * @example
 * ```ts
 * const options: LexofficeMiddlewareOptions = { manager, key: (req) => req.user?.lexofficeKey }
 * ```
 */
export interface LexofficeMiddlewareOptions<C = LexofficeClient> {
  /** The token manager (one per app). */
  manager: TokenManager
  /** The connection key of a request, e.g. `(req) => req.user?.id`; `undefined`: not connected. */
  key(req: Express.Request & IncomingMessage): string | undefined | Promise<string | undefined>
  /**
   * Options of the request pipeline behind `req.lexoffice.fetch` and the default
   * `req.lexoffice.client` (a {@link LexofficeClient} on the manager's API URL), both sharing one
   * pacing budget: one for the whole app by default, one per connection key with
   * `{ rateLimit: { scope: 'connection' } }`; e.g. `{ rateLimit: { redis }, hooks, timeoutMs }`.
   * The connection key is the request's `key`.
   */
  client?: Omit<LexofficeClientCommonOptions, 'connectionKey'>
  /** Builds `req.lexoffice.client` yourself instead (`req.lexoffice.fetch` still uses the `client` options). */
  createClient?: LexofficeClientFactory<C>
}

const MIDDLEWARE_OPTION_KEYS = optionKeys<LexofficeMiddlewareOptions<unknown>>()(['manager', 'key', 'client', 'createClient'])

/**
 * An Express (4 or 5) middleware; typed structurally, so it fits both.
 *
 * @example
 * ```ts
 * const mw: LexofficeHandler = lexoffice({ manager, key: (req) => req.user?.id })
 * app.use(mw)
 * ```
 */
export type LexofficeHandler = (req: Express.Request & IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void

/**
 * Attaches `req.lexoffice` (a {@link LexofficeRequestContext}) to every request. It does no I/O:
 * the key is resolved and the store read only when the route uses `req.lexoffice`. Options are
 * checked once, here.
 *
 * @throws TypeError when `manager` is not a TokenManager or `key`/`createClient` is not a function.
 * @example
 * ```ts
 * import { lexoffice, requireLexoffice } from 'passport-lexoffice'
 *
 * app.use(lexoffice({ manager, key: (req) => req.user?.id }))
 * app.get('/contacts', requireLexoffice(), async (req, res) => {
 *   const r = await req.lexoffice!.fetch('/v1/contacts?page=0')
 *   res.status(r.status).json(await r.json())
 * })
 * ```
 */
export function lexoffice<C = LexofficeClient>(options: LexofficeMiddlewareOptions<C>): LexofficeHandler {
  const given: unknown = options
  assertObject(given, 'options')
  assertKnownKeys(given, MIDDLEWARE_OPTION_KEYS, 'lexoffice()')
  const m = options.manager as Partial<TokenManager> | null
  if (
    m === null ||
    typeof m !== 'object' ||
    typeof m.apiURL !== 'string' ||
    typeof m.getAccessToken !== 'function' ||
    typeof m.refreshAfterUnauthorized !== 'function'
  ) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"manager" must be a TokenManager')
  }
  assertFunction(given['key'], 'key')
  if (given['createClient'] !== undefined) assertFunction(given['createClient'], 'createClient')
  if (given['client'] !== undefined) assertObject(given['client'], 'client', 'an object of LexofficeClient options')
  const { manager, createClient } = options
  const clientOptions = options.client ?? {}
  if ('apiKey' in clientOptions || 'tokenProvider' in clientOptions || 'connectionKey' in clientOptions) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      '"client" must not contain apiKey, tokenProvider or connectionKey: the middleware provides the tokens and the key',
    )
  }
  // Resolved once: every request of this middleware shares the limiter (one budget per app or per
  // connection key, across processes with `client.rateLimit.redis`), the timeouts, retries and hooks.
  const transport = resolveTransportSettings({ apiURL: manager.apiURL, ...clientOptions })
  // Shared by every request's context (built once): attaching `req.lexoffice` allocates the context only.
  const init: LexofficeRequestContextInit<C> = { manager, resolveKey: options.key.bind(options), createClient, transport }
  return function lexofficeMiddleware(req, _res, next) {
    // Typed as the default context; a custom `createClient` changes only the type of `client`.
    req.lexoffice = new LexofficeRequestContext<C>(init, req) as unknown as LexofficeRequestContext
    next()
  }
}

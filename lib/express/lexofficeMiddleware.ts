import type { IncomingMessage, ServerResponse } from 'node:http'
import { assertFunction, assertKnownKeys, invalidArg } from '../options/assert'
import { LexofficeClient } from '../client/LexofficeClient'
import type { LexofficeClientCommonOptions } from '../client/LexofficeClientOptions'
import type { TokenManager } from '../tokens/TokenManager'
import './augment'
import { type LexofficeClientFactory, LexofficeRequestContext } from './LexofficeRequestContext'

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
   * Options of the default `req.lexoffice.client` (a {@link LexofficeClient} on the manager's
   * API URL, rate-limited per connection key), e.g. `{ rateLimit: { redis }, hooks }`.
   */
  client?: LexofficeClientCommonOptions
  /** Builds `req.lexoffice.client` yourself instead (then `client` is ignored). */
  createClient?: LexofficeClientFactory<C>
}

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
  if (options === null || typeof options !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', '"options" must be an object')
  assertKnownKeys(options, ['manager', 'key', 'client', 'createClient'], 'lexoffice()')
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
  assertFunction(options.key, 'key')
  if (options.createClient !== undefined) assertFunction(options.createClient, 'createClient')
  if (options.client !== undefined && (options.client === null || typeof options.client !== 'object')) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"client" must be an object of LexofficeClient options')
  }
  const { manager } = options
  const clientOptions = options.client ?? {}
  // The default client: the typed API client, paced per connection key (shared by every request
  // of that connection, and across processes when `client.rateLimit.redis` is given).
  const createClient: LexofficeClientFactory<C> =
    options.createClient ??
    (((provider, ctx) =>
      new LexofficeClient({
        apiURL: manager.apiURL,
        ...clientOptions,
        tokenProvider: provider,
        connectionKey: async () => (await ctx.key()) ?? 'lexoffice:no-connection',
      })) as LexofficeClientFactory<unknown> as LexofficeClientFactory<C>)
  if ('apiKey' in clientOptions || 'tokenProvider' in clientOptions) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"client" must not contain apiKey or tokenProvider: the middleware provides the tokens')
  }
  const resolveKey = options.key.bind(options)
  return function lexofficeMiddleware(req, _res, next) {
    // Typed as the default context; a custom `createClient` changes only the type of `client`.
    req.lexoffice = new LexofficeRequestContext<C>({ manager, req, resolveKey, createClient }) as unknown as LexofficeRequestContext
    next()
  }
}

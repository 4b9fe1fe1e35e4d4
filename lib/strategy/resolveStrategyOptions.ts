import { type EndpointOptions, type LexofficeEndpoints, resolveEndpoints } from '../endpoints'
import type { FetchLike } from '../http/httpRequest'
import { assertBoolean, assertFunction, assertInteger, assertKnownKeys, assertString, assertUrl, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'

/**
 * Minimal logger; `console` fits. Only fixed, secret-free messages are ever passed to it.
 *
 * @example
 * ```ts
 * new LexofficeStrategy({ ...options, logger: console }, verify)
 * ```
 */
export interface StrategyLogger {
  warn(message: string): void
}

/**
 * `skipUserProfile`: a boolean, a synchronous `() => boolean`, or passport-oauth2's
 * asynchronous `(accessToken, done) => void` form (dispatched on arity, as passport-oauth2 does).
 *
 * @example
 * ```ts
 * new LexofficeStrategy({ ...options, skipUserProfile: true }, verify) // profile is undefined
 * ```
 */
export type SkipUserProfileOption =
  boolean | (() => boolean) | ((accessToken: string, done: (err: unknown, skip?: boolean) => void) => void)

/**
 * Options shared by both constructor forms of {@link LexofficeStrategy}.
 *
 * @example
 * ```ts
 * const options: LexofficeStrategyOptionsBase = {
 *   clientID: 'id', clientSecret: 'secret', callbackURL: 'https://app.example.com/auth/lexoffice/callback',
 *   scope: ['profile.read'], environment: 'sandbox',
 * }
 * ```
 */
export interface LexofficeStrategyOptionsBase extends EndpointOptions {
  /** Your partner client id, issued by Lexware. */
  clientID: string
  /** Your partner client secret. Sent only as HTTP Basic to the token endpoint; never shown anywhere. */
  clientSecret: string
  /**
   * The absolute callback URL registered with Lexware, e.g. `https://app.example.com/auth/lexoffice/callback`.
   * Must be `https:` (plain `http:` only on localhost/127.0.0.1/::1). Relative URLs are refused: deriving
   * the origin from `Host`/`X-Forwarded-Host` would let a forged header choose the `redirect_uri`.
   */
  callbackURL: string
  /**
   * Scopes to request, as an array or a space-separated string, e.g. `['profile.read', 'contacts.read']`.
   * If omitted lexoffice grants **all** scopes of your client; a warning is logged once via `logger`.
   * Include `profile.read` unless `skipUserProfile` is set: the strategy reads `/v1/profile`.
   */
  scope?: string | readonly string[]
  /** Label of the connection on the user's lexoffice extensions page (`connection_name`). */
  connectionName?: string
  /** Skip the `GET /v1/profile` call; `profile` is then `undefined`. Default `false`. */
  skipUserProfile?: SkipUserProfileOption
  /** Timeout of the token and profile calls, in ms. Default 10 000. */
  timeoutMs?: number
  /** How long a started login may take before its callback is refused (`TRANSACTION_EXPIRED`). Default 600 000 (10 min). */
  pendingLoginTtlMs?: number
  /** Pending logins (tabs) kept per session; the oldest is dropped first. Default 5, at least 5. */
  maxPendingLogins?: number
  /**
   * Session property holding the pending logins. Default `'lexoffice'`. Names the session object
   * itself uses (`save`, `cookie`, `__proto__`, ...) or passport's `passport` are refused.
   */
  sessionKey?: string
  /** Query parameter of the login route naming where to go after login (a relative path). `false` disables it. Default `'returnTo'`. */
  returnToParam?: string | false
  /** The `iss` value (RFC 9207) expected on the callback if lexoffice sends one. Default: the origin of `authorizationURL`. */
  issuer?: string
  /** Receives one-time configuration warnings (e.g. scope omitted). */
  logger?: StrategyLogger
  /** PKCE is always on with `S256`. Only `true` or `'S256'` are accepted; `'plain'` and `false` throw. */
  pkce?: true | 'S256'
  /** `state` is always on. Only `true` is accepted. */
  state?: true
  /**
   * A fetch for the token and profile calls instead of the built-in transport (node:http(s) with
   * keep-alive agents), e.g. for a proxy dispatcher or a test double.
   */
  fetch?: FetchLike
  /** Clock for tests. @internal */
  now?: () => number
}

/**
 * Options of {@link LexofficeStrategy} whose verify callback does not get `req`.
 *
 * @example
 * ```ts
 * const options: LexofficeStrategyOptions = { clientID, clientSecret, callbackURL, scope: 'profile.read contacts.read' }
 * new LexofficeStrategy(options, (accessToken, refreshToken, profile, done) => done(null, { id: profile!.id }))
 * ```
 */
export interface LexofficeStrategyOptions extends LexofficeStrategyOptionsBase {
  passReqToCallback?: false
}

/**
 * Options of {@link LexofficeStrategy} whose verify callback gets `req` first.
 *
 * @example
 * ```ts
 * new LexofficeStrategy({ clientID, clientSecret, callbackURL, scope: ['profile.read'], passReqToCallback: true },
 *   (req, accessToken, refreshToken, profile, done) => done(null, { id: profile!.id, ip: req.ip }))
 * ```
 */
export interface LexofficeStrategyOptionsWithRequest extends LexofficeStrategyOptionsBase {
  passReqToCallback: true
}

/**
 * Options after validation and defaults; nothing is optional any more. @internal
 *
 * @example
 * ```ts
 * const resolved: ResolvedStrategyOptions = resolveStrategyOptions(options)
 * ```
 */
export interface ResolvedStrategyOptions {
  clientID: string
  clientSecret: string
  callbackURL: string
  /** Space-separated scope, or `undefined` when omitted. */
  scope: string | undefined
  connectionName: string | undefined
  endpoints: LexofficeEndpoints
  issuer: string
  passReqToCallback: boolean
  skipUserProfile: SkipUserProfileOption
  timeoutMs: number
  pendingLoginTtlMs: number
  maxPendingLogins: number
  sessionKey: string
  returnToParam: string | false
  logger: StrategyLogger | undefined
  fetch: FetchLike | undefined
  now: () => number
}

const KNOWN_KEYS = optionKeys<LexofficeStrategyOptions | LexofficeStrategyOptionsWithRequest>()([
  'clientID',
  'clientSecret',
  'callbackURL',
  'scope',
  'connectionName',
  'environment',
  'authorizationURL',
  'tokenURL',
  'revokeURL',
  'apiURL',
  'passReqToCallback',
  'skipUserProfile',
  'timeoutMs',
  'pendingLoginTtlMs',
  'maxPendingLogins',
  'sessionKey',
  'returnToParam',
  'issuer',
  'logger',
  'pkce',
  'state',
  'fetch',
  'now',
])

/** lexoffice's allowed `connection_name` characters (partner docs) plus space. */
const CONNECTION_NAME = /^[/?äöüÄÖÜßa-zA-Z0-9.\-{}"_\\:=,() ]+$/
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/
/**
 * Names `sessionKey` must not take: what passport and connect-flash keep in the session, the
 * members of express-session's session object (`id`, `cookie`, `req` and its methods: `save`
 * would replace the method that saves the session) and of `Object.prototype` (`__proto__`
 * would replace the session's prototype).
 */
const RESERVED_SESSION_KEYS = new Set([
  'passport',
  'returnTo',
  'messages',
  'id',
  'cookie',
  'req',
  'regenerate',
  'destroy',
  'reload',
  'resetMaxAge',
  'save',
  'touch',
  ...Object.getOwnPropertyNames(Object.prototype),
])

/**
 * Validates {@link LexofficeStrategy} options once and applies the defaults. Every problem is a
 * `TypeError` with `code` `ERR_INVALID_ARG_TYPE` or `ERR_INVALID_ARG_VALUE` naming the option;
 * secrets are never part of a message.
 *
 * @throws TypeError for unknown keys (e.g. `clientId`, `store`, `customHeaders`), a missing
 *   clientID/clientSecret/callbackURL, a relative or non-https callbackURL, `pkce: 'plain'`/`false`,
 *   a `state` other than `true`, bad scope tokens or connection names, out-of-range numbers.
 * @example
 * ```ts
 * const resolved = resolveStrategyOptions({
 *   clientID: 'id', clientSecret: 'secret',
 *   callbackURL: 'https://app.example.com/auth/lexoffice/callback',
 *   scope: ['profile.read'],
 * })
 * resolved.sessionKey // 'lexoffice'
 * ```
 */
export function resolveStrategyOptions(options: LexofficeStrategyOptionsBase & { passReqToCallback?: boolean }): ResolvedStrategyOptions {
  if (options === null || typeof options !== 'object')
    throw invalidArg('ERR_INVALID_ARG_TYPE', 'LexofficeStrategy options must be an object')
  assertKnownKeys(options, KNOWN_KEYS, 'LexofficeStrategy')

  assertString(options.clientID, 'clientID', { max: 256 })
  assertString(options.clientSecret, 'clientSecret', { max: 1024 })

  assertString(options.callbackURL, 'callbackURL', { max: 2048 })
  if (!/^[a-z][a-z0-9+.-]*:/i.test(options.callbackURL)) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      '"callbackURL" must be an absolute URL (relative URLs would derive the redirect_uri from the Host header)',
    )
  }
  assertUrl(options.callbackURL, 'callbackURL')
  if (new URL(options.callbackURL).hash !== '') throw invalidArg('ERR_INVALID_ARG_VALUE', '"callbackURL" must not contain a fragment')

  if (options.pkce !== undefined && options.pkce !== true && options.pkce !== 'S256') {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      '"pkce" can only be true or "S256": PKCE with S256 is always on (lexoffice accepts nothing else)',
    )
  }
  if (options.state !== undefined && options.state !== true) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"state" can only be true: a random one-time state is always used')
  }

  const endpointOptions: EndpointOptions = {}
  if (options.environment !== undefined) endpointOptions.environment = options.environment
  if (options.authorizationURL !== undefined) endpointOptions.authorizationURL = options.authorizationURL
  if (options.tokenURL !== undefined) endpointOptions.tokenURL = options.tokenURL
  if (options.revokeURL !== undefined) endpointOptions.revokeURL = options.revokeURL
  if (options.apiURL !== undefined) endpointOptions.apiURL = options.apiURL
  const endpoints = resolveEndpoints(endpointOptions)

  let issuer = new URL(endpoints.authorizationURL).origin
  if (options.issuer !== undefined) {
    assertString(options.issuer, 'issuer', { max: 2048 })
    issuer = options.issuer
  }

  const scope = resolveScope(options.scope)
  let connectionName: string | undefined
  if (options.connectionName !== undefined) {
    assertString(options.connectionName, 'connectionName', { max: 255 })
    if (!CONNECTION_NAME.test(options.connectionName)) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"connectionName" may only contain letters, digits, spaces and /?äöüÄÖÜß.-{}"_\\:=,()')
    }
    connectionName = options.connectionName
  }

  const passReqToCallback = options.passReqToCallback ?? false
  assertBoolean(passReqToCallback, 'passReqToCallback')
  const skipUserProfile = options.skipUserProfile ?? false
  if (typeof skipUserProfile !== 'function') assertBoolean(skipUserProfile, 'skipUserProfile')

  const timeoutMs = options.timeoutMs ?? 10_000
  assertInteger(timeoutMs, 'timeoutMs', 1, 120_000)
  const pendingLoginTtlMs = options.pendingLoginTtlMs ?? 10 * 60_000
  assertInteger(pendingLoginTtlMs, 'pendingLoginTtlMs', 1_000, 60 * 60_000)
  const maxPendingLogins = options.maxPendingLogins ?? 5
  assertInteger(maxPendingLogins, 'maxPendingLogins', 5, 50)

  const sessionKey = options.sessionKey ?? 'lexoffice'
  assertString(sessionKey, 'sessionKey', { max: 100 })
  if (RESERVED_SESSION_KEYS.has(sessionKey)) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"sessionKey" must not be "${sessionKey}": the session object or passport uses that name`)
  }

  const returnToParam = options.returnToParam ?? 'returnTo'
  if (returnToParam !== false) {
    assertString(returnToParam, 'returnToParam', { max: 100 })
    if (!/^[A-Za-z0-9_.-]+$/.test(returnToParam))
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"returnToParam" must be a plain parameter name')
  }

  if (options.logger !== undefined) {
    if (options.logger === null || typeof options.logger !== 'object')
      throw invalidArg('ERR_INVALID_ARG_TYPE', '"logger" must be an object with a warn() method')
    assertFunction(options.logger.warn, 'logger.warn')
  }
  if (options.fetch !== undefined) assertFunction(options.fetch, 'fetch')
  if (options.now !== undefined) assertFunction(options.now, 'now')

  return {
    clientID: options.clientID,
    clientSecret: options.clientSecret,
    callbackURL: options.callbackURL,
    scope,
    connectionName,
    endpoints,
    issuer,
    passReqToCallback,
    skipUserProfile,
    timeoutMs,
    pendingLoginTtlMs,
    maxPendingLogins,
    sessionKey,
    returnToParam,
    logger: options.logger,
    fetch: options.fetch,
    now: options.now ?? Date.now,
  }
}

/**
 * Normalises a scope option (array or space-separated string) to one space-separated string. @internal
 *
 * @example
 * ```ts
 * resolveScope(['profile.read', 'contacts.read']) // 'profile.read contacts.read'
 * ```
 */
export function resolveScope(scope: unknown, name = 'scope'): string | undefined {
  if (scope === undefined) return undefined
  let tokens: unknown[]
  if (typeof scope === 'string') tokens = scope.split(' ').filter((s) => s !== '')
  else if (Array.isArray(scope)) tokens = scope
  else throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be a string or an array of strings`)
  if (tokens.length === 0)
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must name at least one scope (omit it to request all scopes)`)
  for (const token of tokens) {
    if (typeof token !== 'string' || !SCOPE_TOKEN.test(token) || token.length > 200) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" contains an invalid scope token`)
    }
  }
  return [...new Set(tokens as string[])].join(' ')
}

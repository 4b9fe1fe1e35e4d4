import { LEXOFFICE_ENDPOINTS, type LexofficeEndpoints, resolveEndpoints } from '../endpoints'
import {
  assertFunction,
  assertInteger,
  assertKnownKeys,
  assertObject,
  assertString,
  assertUrl,
  invalidArg,
  isObject,
} from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import type { LexofficeVerify } from '../strategy/LexofficeConnection'
import { resolveScope } from '../strategy/resolveScope'
import { TokenCipher } from '../tokens/crypto/TokenCipher'
import type { TokenStore } from '../tokens/TokenStore'
import type { RateLimitScope } from '../client/LexofficeClientOptions'
import type { LexofficeEncryptionOption, LexofficeOptions, LexofficeRedisClient } from './LexofficeOptions'
import { encryptionKeysFromEnv } from '../tokens/crypto/encryptionKeysFromEnv'

/** The one configuration after validation; nothing optional that has a default. @internal */
export interface ResolvedLexofficeOptions {
  clientID: string
  clientSecret: string
  endpoints: LexofficeEndpoints
  /** `production`, `sandbox` or `custom`, for messages. */
  environment: string
  baseURL: string | undefined
  callbackURL: string | undefined
  scope: string
  connectionName: string | undefined
  store: TokenStore | undefined
  redis: LexofficeRedisClient | undefined
  redisPrefix: string
  encryption: LexofficeEncryptionOption | false | undefined
  /** `false`: no token cache; else its bound. */
  tokenCache: { maxEntries: number } | false
  rateLimitScope: RateLimitScope
  verify: LexofficeVerify | undefined
  pendingLoginTtlMs: number
  maxPendingLogins: number
  sessionKey: string
  timeoutMs: number
  logger: { warn(message: string): void }
}

const KEYS = optionKeys<LexofficeOptions>()([
  'clientID',
  'clientSecret',
  'environment',
  'baseURL',
  'callbackURL',
  'scope',
  'connectionName',
  'store',
  'redis',
  'redisPrefix',
  'encryption',
  'tokenCache',
  'rateLimitScope',
  'verify',
  'pendingLoginTtlMs',
  'maxPendingLogins',
  'sessionKey',
  'timeoutMs',
  'logger',
  'env',
])

/** lexoffice's allowed `connection_name` characters (partner docs) plus space. */
const CONNECTION_NAME = /^[/?äöüÄÖÜßa-zA-Z0-9.\-{}"_\\:=,() ]+$/

/**
 * Properties of an express-session `Session` and of `Object.prototype`: a session key with one of
 * these names would replace a method (`save`, `regenerate`) or the prototype (`__proto__`).
 */
const SESSION_MEMBERS = new Set([
  'id',
  'cookie',
  'req',
  'regenerate',
  'destroy',
  'reload',
  'resetMaxAge',
  'save',
  'touch',
  'passport',
  'returnTo',
  'messages',
  ...Object.getOwnPropertyNames(Object.prototype),
])

/**
 * Validates {@link LexofficeOptions} once, filling gaps from the environment variables. Every
 * problem is a TypeError naming the option and its variable; no message contains a secret.
 *
 * @internal
 */
export function resolveLexofficeOptions(options: LexofficeOptions = {}): ResolvedLexofficeOptions {
  const givenOptions: unknown = options
  assertObject(givenOptions, 'options', 'an object of createLexoffice options')
  assertKnownKeys(options, KEYS, 'createLexoffice')
  const env = options.env ?? process.env
  const givenEnv: unknown = env
  assertObject(givenEnv, 'env', 'an object of environment variables')
  const fromEnv = (name: string): string | undefined => {
    const value = env[name]
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
  }

  const clientID = options.clientID ?? fromEnv('LEXOFFICE_CLIENT_ID')
  if (clientID === undefined) throw missing('clientID', 'LEXOFFICE_CLIENT_ID', 'your partner client id from Lexware')
  assertString(clientID, 'clientID', { max: 256 })
  const clientSecret = options.clientSecret ?? fromEnv('LEXOFFICE_CLIENT_SECRET')
  if (clientSecret === undefined) throw missing('clientSecret', 'LEXOFFICE_CLIENT_SECRET', 'your partner client secret from Lexware')
  assertString(clientSecret, 'clientSecret', { max: 1024 })

  const { endpoints, environment } = resolveEnvironment(options.environment, fromEnv)

  const baseURL = options.baseURL ?? fromEnv('BASE_URL')
  if (baseURL !== undefined) {
    assertUrl(baseURL, 'baseURL (BASE_URL)')
    const url = new URL(baseURL)
    if (url.search !== '' || url.hash !== '')
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"baseURL" (BASE_URL) must not have a query or fragment')
  }
  const callbackURL = options.callbackURL ?? fromEnv('LEXOFFICE_CALLBACK_URL')
  if (callbackURL !== undefined) {
    assertUrl(callbackURL, 'callbackURL (LEXOFFICE_CALLBACK_URL)')
    if (new URL(callbackURL).hash !== '') throw invalidArg('ERR_INVALID_ARG_VALUE', '"callbackURL" must not contain a fragment')
  }
  if (baseURL === undefined && callbackURL === undefined) {
    throw missing('baseURL', 'BASE_URL', 'the public URL of your app, e.g. https://app.example.com (http only on localhost)')
  }

  const rawScope = options.scope ?? fromEnv('LEXOFFICE_SCOPE')
  if (rawScope === undefined) {
    throw missing(
      'scope',
      'LEXOFFICE_SCOPE',
      'the scopes to request, e.g. ["profile.read", "contacts.read"] (lexoffice grants all of them otherwise)',
    )
  }
  const scope = resolveScope(rawScope) as string
  if (!scope.split(' ').includes('profile.read')) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      '"scope" (LEXOFFICE_SCOPE) must include "profile.read": the connection is identified through GET /v1/profile',
    )
  }

  const connectionName = options.connectionName ?? fromEnv('LEXOFFICE_CONNECTION_NAME')
  if (connectionName !== undefined) {
    assertString(connectionName, 'connectionName', { max: 255 })
    if (!CONNECTION_NAME.test(connectionName)) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"connectionName" may only contain letters, digits, spaces and /?äöüÄÖÜß.-{}"_\\:=,()')
    }
  }

  const store = options.store
  if (store !== undefined) {
    const given: unknown = store
    assertObject(given, 'store', 'a TokenStore')
    for (const method of ['get', 'set', 'destroy'] as const) {
      if (typeof given[method] !== 'function') {
        throw invalidArg('ERR_INVALID_ARG_TYPE', `"store" must be a TokenStore: it has no ${method}() method`)
      }
    }
  }
  const redis = options.redis
  if (redis !== undefined) {
    const r: unknown = redis
    if (!isObject(r) || (typeof r.sendCommand !== 'function' && typeof r.call !== 'function')) {
      throw invalidArg('ERR_INVALID_ARG_TYPE', '"redis" must be a connected node-redis or ioredis client')
    }
    if (store !== undefined) throw invalidArg('ERR_INVALID_ARG_VALUE', 'give either "store" or "redis", not both')
  }
  const redisPrefix = options.redisPrefix ?? 'lexoffice:'
  assertString(redisPrefix, 'redisPrefix', { max: 200 })

  let encryption: LexofficeEncryptionOption | false | undefined = options.encryption
  if (encryption === undefined) {
    encryption = encryptionKeysFromEnv(env)
  } else if (encryption !== false) {
    const givenEncryption: unknown = encryption
    assertObject(givenEncryption, 'encryption', '{ keys, currentKeyId } or false')
    assertKnownKeys(encryption, ['keys', 'currentKeyId'], 'encryption')
    new TokenCipher(encryption) // checks the keys now, with messages that name no key material
  }
  if (redis !== undefined && encryption === undefined) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      'tokens in Redis are encrypted: set LEXOFFICE_ENCRYPTION_KEYS ("<keyId>:<base64 of 32 random bytes>") or pass "encryption"; ' +
        'encryption: false stores them as plaintext',
    )
  }

  const tokenCache = resolveTokenCache(options.tokenCache)

  const rateLimitScope: unknown = options.rateLimitScope ?? 'client'
  if (rateLimitScope !== 'client' && rateLimitScope !== 'connection') {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"rateLimitScope" must be "client" or "connection"')
  }
  if (options.verify !== undefined) assertFunction(options.verify, 'verify')
  const pendingLoginTtlMs = options.pendingLoginTtlMs ?? 10 * 60_000
  assertInteger(pendingLoginTtlMs, 'pendingLoginTtlMs', 1_000, 60 * 60_000)
  const maxPendingLogins = options.maxPendingLogins ?? 5
  assertInteger(maxPendingLogins, 'maxPendingLogins', 1, 50)
  const sessionKey = options.sessionKey ?? 'lexoffice'
  assertString(sessionKey, 'sessionKey', { max: 100 })
  if (SESSION_MEMBERS.has(sessionKey)) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"sessionKey" must not be "${sessionKey}": the session object already uses that name`)
  }
  const timeoutMs = options.timeoutMs ?? 10_000
  assertInteger(timeoutMs, 'timeoutMs', 1, 120_000)
  const logger = options.logger ?? console
  const givenLogger: unknown = logger
  assertObject(givenLogger, 'logger', 'an object with a warn() method')
  assertFunction(givenLogger.warn, 'logger.warn')

  return {
    clientID,
    clientSecret,
    endpoints,
    environment,
    baseURL: baseURL?.replace(/\/+$/, ''),
    callbackURL,
    scope,
    connectionName,
    store,
    redis,
    redisPrefix,
    encryption,
    tokenCache,
    rateLimitScope,
    verify: options.verify,
    pendingLoginTtlMs,
    maxPendingLogins,
    sessionKey,
    timeoutMs,
    logger,
  }
}

function resolveTokenCache(option: LexofficeOptions['tokenCache']): { maxEntries: number } | false {
  if (option === undefined || option === true) return { maxEntries: 10_000 }
  if (option === false) return false
  const given: unknown = option
  assertObject(given, 'tokenCache', 'true, false or { maxEntries }')
  assertKnownKeys(given, ['maxEntries'], 'tokenCache')
  const maxEntries: unknown = (given as { maxEntries?: unknown }).maxEntries ?? 10_000
  assertInteger(maxEntries, 'tokenCache.maxEntries', 1, 10_000_000)
  return { maxEntries }
}

function missing(option: string, variable: string, what: string): TypeError {
  return invalidArg('ERR_INVALID_ARG_TYPE', `createLexoffice: "${option}" is missing: pass it or set ${variable} (${what})`)
}

function resolveEnvironment(
  option: LexofficeOptions['environment'],
  fromEnv: (name: string) => string | undefined,
): { endpoints: LexofficeEndpoints; environment: string } {
  let value: unknown = option
  if (value === undefined) {
    const named = fromEnv('LEXOFFICE_ENV')
    const authURL = fromEnv('LEXOFFICE_AUTH_URL')
    const apiURL = fromEnv('LEXOFFICE_API_URL')
    if (named !== undefined && (authURL !== undefined || apiURL !== undefined)) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', 'set either LEXOFFICE_ENV or LEXOFFICE_AUTH_URL with LEXOFFICE_API_URL, not both')
    }
    if (authURL !== undefined || apiURL !== undefined) {
      if (authURL === undefined || apiURL === undefined) {
        throw invalidArg('ERR_INVALID_ARG_VALUE', 'LEXOFFICE_AUTH_URL and LEXOFFICE_API_URL go together: set both')
      }
      value = { authURL, apiURL }
    } else value = named ?? 'production'
  }
  if (value === 'production' || value === 'sandbox') return { endpoints: { ...LEXOFFICE_ENDPOINTS[value] }, environment: value }
  if (typeof value === 'string') {
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"environment" (LEXOFFICE_ENV) must be "production", "sandbox" or { authURL, apiURL }`)
  }
  if (value === null || typeof value !== 'object') {
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"environment" must be "production", "sandbox" or { authURL, apiURL }')
  }
  const custom = value as { authURL?: unknown; apiURL?: unknown }
  assertKnownKeys(custom, ['authURL', 'apiURL'], 'environment')
  assertUrl(custom.authURL, 'environment.authURL (LEXOFFICE_AUTH_URL)')
  assertUrl(custom.apiURL, 'environment.apiURL (LEXOFFICE_API_URL)')
  const origin = custom.authURL.replace(/\/+$/, '')
  return {
    endpoints: resolveEndpoints({
      authorizationURL: `${origin}/oauth2/authorize`,
      tokenURL: `${origin}/oauth2/token`,
      revokeURL: `${origin}/oauth2/revoke`,
      apiURL: custom.apiURL,
    }),
    environment: 'custom',
  }
}

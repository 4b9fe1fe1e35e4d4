/**
 * The example app's configuration, read from the environment once.
 *
 * - no LEXOFFICE_CLIENT_ID: the built-in lexoffice sandbox starts in this process;
 * - LEXOFFICE_CLIENT_ID + LEXOFFICE_CLIENT_SECRET (+ LEXOFFICE_ENV=sandbox|production): real lexoffice;
 * - REDIS_URL: sessions, tokens and received webhook events live in Redis, so several instances
 *   share logins; REDIS_PREFIX (default `lexoffice-example:`) namespaces every key, and
 *   SESSION_SECRET must then be the same on every instance.
 * - DATABASE_URL (instead of REDIS_URL): the same in PostgreSQL, in the schema DATABASE_SCHEMA
 *   (default `public`).
 * - LEXOFFICE_ENCRYPTION_KEYS (`<keyId>:<base64 32-byte key>[,...]`, the first is current): the
 *   keys the token records in Redis or PostgreSQL are encrypted with; instances that share a store
 *   share them. Required with real lexoffice and a shared store; on the built-in sandbox a key is
 *   generated per start when it is not set (the tokens are then unreadable after a restart).
 * - PENDING_LOGIN_TTL_SECONDS (default 600): how long a started login may take at lexoffice.
 */
import { randomBytes } from 'node:crypto'
import { type TokenCipherOptions, encryptionKeysFromEnv } from 'passport-lexoffice'

export interface ExampleConfig {
  port: number
  /** Public base URL of this app, e.g. http://localhost:3000 (the OAuth callback is derived from it). */
  baseURL: string | undefined
  sessionSecret: string
  lexoffice:
    { mode: 'embedded-sandbox' } | { mode: 'lexoffice'; clientID: string; clientSecret: string; environment: 'production' | 'sandbox' }
  redisURL: string | undefined
  /** Prefix of every Redis key (sessions, tokens, events); instances that share logins share it. */
  redisPrefix: string
  /** PostgreSQL for sessions, tokens, lock, webhook dedupe and events (instead of Redis). */
  databaseURL: string | undefined
  /** The schema of every table in PostgreSQL mode. */
  databaseSchema: string
  /** The keys the token records in Redis or PostgreSQL are encrypted with (from LEXOFFICE_ENCRYPTION_KEYS, or generated). */
  encryption: TokenCipherOptions
  /** `true` when LEXOFFICE_ENCRYPTION_KEYS was not set and the key was generated for this start (the built-in sandbox only). */
  encryptionKeyGenerated: boolean
  scope: string[]
  /** How long a started login may take before its callback is refused (the strategy's `pendingLoginTtlMs`). */
  pendingLoginTtlMs: number
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number')
  const clientID = env.LEXOFFICE_CLIENT_ID
  const clientSecret = env.LEXOFFICE_CLIENT_SECRET
  if (clientID && !clientSecret) throw new Error('LEXOFFICE_CLIENT_SECRET is required with LEXOFFICE_CLIENT_ID')
  const environment = env.LEXOFFICE_ENV ?? 'production'
  if (environment !== 'production' && environment !== 'sandbox') throw new Error('LEXOFFICE_ENV must be sandbox or production')
  if (env.REDIS_URL && env.DATABASE_URL) throw new Error('set either REDIS_URL or DATABASE_URL, not both')
  const databaseSchema = env.DATABASE_SCHEMA ?? 'public'
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) throw new Error('DATABASE_SCHEMA must be a lower-case SQL identifier')
  const pendingLoginTtlSeconds = Number(env.PENDING_LOGIN_TTL_SECONDS ?? 600)
  if (!Number.isInteger(pendingLoginTtlSeconds) || pendingLoginTtlSeconds < 1 || pendingLoginTtlSeconds > 3600)
    throw new Error('PENDING_LOGIN_TTL_SECONDS must be a whole number of seconds from 1 to 3600')
  const encryption = readEncryptionKeys(env, Boolean(clientID))
  const redisPrefix = env.REDIS_PREFIX ?? 'lexoffice-example:'
  if (!/^[\w:.-]{1,100}$/.test(redisPrefix)) throw new Error('REDIS_PREFIX must be 1-100 characters of letters, digits, _ : . -')
  return {
    port,
    baseURL: env.BASE_URL,
    // A random secret per start is fine for a demo on one instance; several instances must share one.
    sessionSecret: env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    lexoffice: clientID && clientSecret ? { mode: 'lexoffice', clientID, clientSecret, environment } : { mode: 'embedded-sandbox' },
    redisURL: env.REDIS_URL,
    redisPrefix,
    databaseURL: env.DATABASE_URL,
    databaseSchema,
    encryption: encryption ?? { keys: { generated: randomBytes(32) }, currentKeyId: 'generated' },
    encryptionKeyGenerated: encryption === undefined,
    scope: (env.LEXOFFICE_SCOPE ?? 'profile.read contacts.read invoices.read voucherlist.read').split(/\s+/).filter(Boolean),
    pendingLoginTtlMs: pendingLoginTtlSeconds * 1000,
  }
}

/**
 * LEXOFFICE_ENCRYPTION_KEYS, or `undefined` on the built-in sandbox (a key is then generated for
 * this start). Real lexoffice with a shared store needs real keys: customers' tokens encrypted with
 * a key that dies with the process would all be lost at the next restart.
 */
function readEncryptionKeys(env: NodeJS.ProcessEnv, realLexoffice: boolean): TokenCipherOptions | undefined {
  let keys: TokenCipherOptions | undefined
  try {
    keys = encryptionKeysFromEnv(env)
  } catch (err) {
    throw new Error((err as Error).message, { cause: err }) // names the variable and key ids, never a key
  }
  if (keys === undefined && realLexoffice && (env.REDIS_URL || env.DATABASE_URL))
    throw new Error('LEXOFFICE_ENCRYPTION_KEYS ("<keyId>:<base64 key>") is required with real lexoffice and REDIS_URL or DATABASE_URL')
  return keys
}

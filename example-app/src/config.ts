/**
 * The example app's configuration, read from the environment once.
 *
 * - no LEXOFFICE_CLIENT_ID: the built-in lexoffice sandbox starts in this process;
 * - LEXOFFICE_CLIENT_ID + LEXOFFICE_CLIENT_SECRET (+ LEXOFFICE_ENV=sandbox|production): real lexoffice;
 * - REDIS_URL: sessions, tokens and received webhook events live in Redis, so several instances
 *   share logins; REDIS_PREFIX (default `lexoffice-example:`) namespaces every key, and
 *   SESSION_SECRET must then be the same on every instance;
 * - LEXOFFICE_ENCRYPTION_KEYS (`kid:base64key[,kid:base64key]`, the first encrypts): the keys
 *   the tokens in Redis are encrypted with; without it, a key generated for this run (the tokens
 *   then cannot be read after a restart). Instances that share Redis must share the keys;
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
  scope: string[]
  /** How long a started login may take before its callback is refused (the strategy's `pendingLoginTtlMs`). */
  pendingLoginTtlMs: number
  /** The keys tokens in Redis are encrypted with (from LEXOFFICE_ENCRYPTION_KEYS, or generated). */
  encryption: TokenCipherOptions
  /** `true` when LEXOFFICE_ENCRYPTION_KEYS was not set and the key was generated for this run. */
  encryptionKeyGenerated: boolean
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number')
  const clientID = env.LEXOFFICE_CLIENT_ID
  const clientSecret = env.LEXOFFICE_CLIENT_SECRET
  if (clientID && !clientSecret) throw new Error('LEXOFFICE_CLIENT_SECRET is required with LEXOFFICE_CLIENT_ID')
  const environment = env.LEXOFFICE_ENV ?? 'production'
  if (environment !== 'production' && environment !== 'sandbox') throw new Error('LEXOFFICE_ENV must be sandbox or production')
  const pendingLoginTtlSeconds = Number(env.PENDING_LOGIN_TTL_SECONDS ?? 600)
  if (!Number.isInteger(pendingLoginTtlSeconds) || pendingLoginTtlSeconds < 1 || pendingLoginTtlSeconds > 3600)
    throw new Error('PENDING_LOGIN_TTL_SECONDS must be a whole number of seconds from 1 to 3600')
  let encryption: TokenCipherOptions | undefined
  try {
    encryption = encryptionKeysFromEnv(env)
  } catch (err) {
    throw new Error((err as Error).message, { cause: err }) // names the variable and key ids, never a key
  }
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
    scope: (env.LEXOFFICE_SCOPE ?? 'profile.read contacts.read invoices.read voucherlist.read').split(/\s+/).filter(Boolean),
    pendingLoginTtlMs: pendingLoginTtlSeconds * 1000,
    // A generated key is fine for a demo: the tokens in Redis are unreadable after a restart.
    encryption: encryption ?? { keys: { generated: randomBytes(32) }, currentKeyId: 'generated' },
    encryptionKeyGenerated: encryption === undefined,
  }
}

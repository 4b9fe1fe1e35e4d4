/**
 * The example app's configuration, read from the environment once.
 *
 * - no LEXOFFICE_CLIENT_ID: the built-in lexoffice sandbox starts in this process;
 * - LEXOFFICE_CLIENT_ID + LEXOFFICE_CLIENT_SECRET (+ LEXOFFICE_ENV=sandbox|production): real lexoffice;
 * - REDIS_URL: sessions, tokens and received webhook events live in Redis, so several instances
 *   share logins; REDIS_PREFIX (default `lexoffice-example:`) namespaces every key, and
 *   SESSION_SECRET must then be the same on every instance.
 * - DATABASE_URL (instead of REDIS_URL): the same in PostgreSQL, in the schema DATABASE_SCHEMA
 *   (default `public`); the token records are encrypted with LEXOFFICE_ENCRYPTION_KEYS
 *   (`<keyId>:<base64 32-byte key>[,...]`, the first is current), required with real lexoffice;
 *   on the built-in sandbox a random key per start is used when it is not set.
 */
import { randomBytes } from 'node:crypto'

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
  /** Encryption of the PostgreSQL token records. */
  tokenEncryption: { keys: Record<string, string>; currentKeyId: string }
  scope: string[]
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
    tokenEncryption: readEncryptionKeys(env, Boolean(clientID)),
    scope: (env.LEXOFFICE_SCOPE ?? 'profile.read contacts.read invoices.read voucherlist.read').split(/\s+/).filter(Boolean),
  }
}

/** LEXOFFICE_ENCRYPTION_KEYS, or (built-in sandbox only) a random key for this start. */
function readEncryptionKeys(env: NodeJS.ProcessEnv, realLexoffice: boolean): ExampleConfig['tokenEncryption'] {
  const text = env.LEXOFFICE_ENCRYPTION_KEYS?.trim()
  if (!text) {
    if (realLexoffice && env.DATABASE_URL)
      throw new Error('LEXOFFICE_ENCRYPTION_KEYS ("<keyId>:<base64 key>") is required with DATABASE_URL')
    return { keys: { demo: randomBytes(32).toString('base64') }, currentKeyId: 'demo' }
  }
  const keys: Record<string, string> = {}
  for (const part of text.split(',')) {
    const [id = '', key = ''] = part.split(':').map((s) => s.trim())
    if (!id || !key) throw new Error('LEXOFFICE_ENCRYPTION_KEYS must be "<keyId>:<base64 key>[,...]"')
    keys[id] = key
  }
  return { keys, currentKeyId: Object.keys(keys)[0] ?? '' }
}

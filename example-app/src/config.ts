/**
 * The example app's configuration, read from the environment once. The lexoffice part is not
 * read here: `createLexoffice` reads the same variables itself (LEXOFFICE_CLIENT_ID,
 * LEXOFFICE_CLIENT_SECRET, LEXOFFICE_ENV or LEXOFFICE_AUTH_URL + LEXOFFICE_API_URL, BASE_URL,
 * LEXOFFICE_SCOPE, LEXOFFICE_CONNECTION_NAME, LEXOFFICE_ENCRYPTION_KEYS) and validates them.
 *
 * - no LEXOFFICE_CLIENT_ID: the built-in lexoffice sandbox starts in this process;
 * - REDIS_URL: sessions, tokens (encrypted) and received webhook events live in Redis, so several
 *   instances share logins; REDIS_PREFIX namespaces every key, and SESSION_SECRET and
 *   LEXOFFICE_ENCRYPTION_KEYS must then be the same on every instance.
 */
import { randomBytes } from 'node:crypto'

export interface ExampleConfig {
  port: number
  /** Public base URL of this app (BASE_URL); default `http://localhost:<port>`. */
  baseURL: string | undefined
  sessionSecret: string
  /** `true` without LEXOFFICE_CLIENT_ID: the app runs on the built-in sandbox. */
  embeddedSandbox: boolean
  /** The environment `createLexoffice` reads (with the generated encryption key, if any). */
  env: Readonly<Record<string, string | undefined>>
  /** Sessions, tokens and events in Redis; `undefined`: in this process's memory. */
  redisURL: string | undefined
  /** Prefix of every Redis key (sessions, tokens, events); instances that share logins share it. */
  redisPrefix: string
  /** Sessions, tokens, the lock, webhook dedupe and events in PostgreSQL (DATABASE_URL); not with REDIS_URL. */
  databaseURL: string | undefined
  /** The PostgreSQL schema of the app's tables (DATABASE_SCHEMA, default `public`). */
  databaseSchema: string
  /** LEXOFFICE_ENCRYPTION_KEYS was not set and tokens go to Redis: a key was generated for this run. */
  encryptionKeyGenerated: boolean
  /** How long a started lexoffice login may take (consent page open), ms. */
  pendingLoginTtlMs: number
  /** Used when LEXOFFICE_SCOPE is not set. */
  defaultScope: string
  /** Used when LEXOFFICE_CONNECTION_NAME is not set: how the connection is labelled in lexoffice. */
  defaultConnectionName: string
}

/** Said once at start-up when the tokens in Redis are encrypted with a key generated for this run. */
export const GENERATED_KEY_NOTICE =
  'LEXOFFICE_ENCRYPTION_KEYS is not set: the stored tokens are encrypted with a key generated for this run (demo only). ' +
  'After a restart they cannot be read and users connect again. To keep them, set LEXOFFICE_ENCRYPTION_KEYS="key1:<base64 of 32 random bytes>", ' +
  'e.g. key1:$(openssl rand -base64 32), the same on every instance.'

export function readConfig(env: Readonly<Record<string, string | undefined>> = process.env): ExampleConfig {
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number')
  const redisPrefix = env.REDIS_PREFIX ?? 'lexoffice-example:'
  if (!/^[\w:.-]{1,100}$/.test(redisPrefix)) throw new Error('REDIS_PREFIX must be 1-100 characters of letters, digits, _ : . -')
  const ttlSeconds = Number(env.PENDING_LOGIN_TTL_SECONDS ?? 600)
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 3600) {
    throw new Error('PENDING_LOGIN_TTL_SECONDS must be a whole number of seconds from 1 to 3600')
  }
  const redisURL = env.REDIS_URL === '' ? undefined : env.REDIS_URL
  const databaseURL = env.DATABASE_URL === '' ? undefined : env.DATABASE_URL
  if (redisURL !== undefined && databaseURL !== undefined) throw new Error('set REDIS_URL or DATABASE_URL, not both')
  const databaseSchema = env.DATABASE_SCHEMA ?? 'public'
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) throw new Error('DATABASE_SCHEMA must be a plain lower-case identifier')
  // Tokens in a shared store are encrypted: with the configured keys, or (demo) a key for this run.
  const shared = redisURL !== undefined || databaseURL !== undefined
  if (shared && !env.LEXOFFICE_ENCRYPTION_KEYS?.trim() && env.LEXOFFICE_CLIENT_ID) {
    throw new Error('with real lexoffice and a shared store, set LEXOFFICE_ENCRYPTION_KEYS (the tokens are encrypted at rest)')
  }
  const generateKey = shared && !env.LEXOFFICE_ENCRYPTION_KEYS?.trim()
  return {
    port,
    baseURL: env.BASE_URL === '' ? undefined : env.BASE_URL,
    // A random secret per start is fine for a demo on one instance; several instances must share one.
    sessionSecret: env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    embeddedSandbox: !env.LEXOFFICE_CLIENT_ID,
    env: generateKey ? { ...env, LEXOFFICE_ENCRYPTION_KEYS: `demo:${randomBytes(32).toString('base64')}` } : { ...env },
    redisURL,
    redisPrefix,
    databaseURL,
    databaseSchema,
    encryptionKeyGenerated: generateKey,
    pendingLoginTtlMs: ttlSeconds * 1000,
    defaultScope: 'profile.read contacts.read invoices.read voucherlist.read',
    defaultConnectionName: 'passport-lexoffice example',
  }
}

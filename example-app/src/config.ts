/**
 * The example app's configuration, read from the environment once.
 *
 * - no LEXOFFICE_CLIENT_ID: the built-in lexoffice sandbox starts in this process;
 * - LEXOFFICE_CLIENT_ID + LEXOFFICE_CLIENT_SECRET (+ LEXOFFICE_ENV=sandbox|production): real lexoffice;
 * - REDIS_URL: sessions and tokens live in Redis, so several instances share logins.
 */
import { randomBytes } from 'node:crypto'

export interface ExampleConfig {
  port: number
  /** Public base URL of this app, e.g. http://localhost:3000 (the OAuth callback is derived from it). */
  baseURL: string | undefined
  sessionSecret: string
  lexoffice:
    | { mode: 'embedded-sandbox' }
    | { mode: 'lexoffice'; clientID: string; clientSecret: string; environment: 'production' | 'sandbox' }
  redisURL: string | undefined
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
  return {
    port,
    baseURL: env.BASE_URL,
    // A random secret per start is fine for a demo on one instance; several instances must share one.
    sessionSecret: env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    lexoffice: clientID && clientSecret ? { mode: 'lexoffice', clientID, clientSecret, environment } : { mode: 'embedded-sandbox' },
    redisURL: env.REDIS_URL,
    scope: (env.LEXOFFICE_SCOPE ?? 'profile.read contacts.read invoices.read').split(/\s+/).filter(Boolean),
  }
}

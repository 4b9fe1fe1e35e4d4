/**
 * Where the example app keeps its state, chosen in this one place: in this process's memory
 * (default), in Redis with REDIS_URL (sessions, tokens encrypted, refresh lock, API rate budget,
 * webhook dedupe and received events), or in PostgreSQL with DATABASE_URL (the same but the API
 * rate budget, which then is per instance), so that several instances share logins.
 */
import type session from 'express-session'
import { type LexofficeOptions, type WebhookDedupeStore, encryptionKeysFromEnv } from 'passport-lexoffice'
import type { ExampleConfig } from './config'
import { type EventLog, memoryEventLog } from './eventLog'

export interface Backend {
  /** For the header and the start-up line, e.g. `Redis`. */
  label: string
  /** Where `createLexoffice` keeps the tokens: `redis` (it builds the stores), or a `store` of your own. */
  lexoffice: Pick<LexofficeOptions, 'redis' | 'redisPrefix' | 'store'>
  /** express-session's store; `undefined`: its memory store (one instance). */
  sessionStore: session.Store | undefined
  /** Drops repeated webhook deliveries across instances, for a `store` backend (with `redis`, the configuration does it). */
  webhookDedupe?: WebhookDedupeStore
  events: EventLog
  close(): Promise<void>
}

export async function startBackend(config: ExampleConfig): Promise<Backend> {
  // The database clients are loaded only when configured: `redis` alone takes ~0.7 s to load.
  if (config.redisURL !== undefined) return (await import('./redisBackend')).startRedisBackend(config.redisURL, config.redisPrefix)
  if (config.databaseURL !== undefined) {
    const encryption = encryptionKeysFromEnv(config.env)
    if (encryption === undefined) throw new Error('LEXOFFICE_ENCRYPTION_KEYS is required with DATABASE_URL')
    const { startPostgresBackend } = await import('./postgresBackend')
    const pg = await startPostgresBackend(config.databaseURL, config.databaseSchema, encryption)
    return { label: 'PostgreSQL', lexoffice: { store: pg.tokenStore }, ...pg }
  }
  return { label: 'in memory', lexoffice: {}, sessionStore: undefined, events: memoryEventLog(), close: () => Promise.resolve() }
}

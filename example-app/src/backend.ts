/**
 * Where the example app keeps its state, chosen in this one place: in this process's memory
 * (default), in Redis with REDIS_URL (sessions, tokens encrypted, refresh lock, API rate budget,
 * webhook dedupe and received events), or in PostgreSQL with DATABASE_URL (the same but the API
 * rate budget, which then is per instance), so that several instances share logins.
 */
import { RedisStore } from 'connect-redis'
import type session from 'express-session'
import { type LexofficeOptions, type WebhookDedupeStore, encryptionKeysFromEnv } from 'passport-lexoffice'
import { createClient } from 'redis'
import type { ExampleConfig } from './config'
import { type EventLog, KEEP_EVENTS, type ReceivedEvent, memoryEventLog } from './eventLog'
import { startPostgresBackend } from './postgresBackend'

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
  if (config.redisURL !== undefined) return startRedisBackend(config.redisURL, config.redisPrefix)
  if (config.databaseURL !== undefined) {
    const encryption = encryptionKeysFromEnv(config.env)
    if (encryption === undefined) throw new Error('LEXOFFICE_ENCRYPTION_KEYS is required with DATABASE_URL')
    const pg = await startPostgresBackend(config.databaseURL, config.databaseSchema, encryption)
    return { label: 'PostgreSQL', lexoffice: { store: pg.tokenStore }, ...pg }
  }
  return { label: 'in memory', lexoffice: {}, sessionStore: undefined, events: memoryEventLog(), close: () => Promise.resolve() }
}

/** Keys: `<prefix>sess:*` (sessions), `<prefix>lexoffice:*` (tokens, lock, rate budget, webhook dedupe), `<prefix>events`. */
async function startRedisBackend(url: string, prefix: string): Promise<Backend> {
  const redis = createClient({ url })
  redis.on('error', (err: Error) => console.error('redis:', err.message))
  await redis.connect()
  // The last events in a Redis list, so that every instance lists what any instance received.
  const eventsKey = `${prefix}events`
  const events: EventLog = {
    async add(event) {
      await redis
        .multi()
        .lPush(eventsKey, JSON.stringify(event))
        .lTrim(eventsKey, 0, KEEP_EVENTS - 1)
        .exec()
    },
    async list() {
      return (await redis.lRange(eventsKey, 0, KEEP_EVENTS - 1)).map((json) => JSON.parse(json) as ReceivedEvent)
    },
  }
  return {
    label: 'Redis',
    lexoffice: { redis, redisPrefix: `${prefix}lexoffice:` },
    sessionStore: new RedisStore({ client: redis, prefix: `${prefix}sess:` }),
    events,
    async close() {
      await redis.quit()
    },
  }
}

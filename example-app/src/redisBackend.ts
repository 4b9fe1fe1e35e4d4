/**
 * Redis mode of the example app (REDIS_URL): sessions (connect-redis), and through
 * `createLexoffice({ redis })` tokens (encrypted), the refresh lock, the API rate budget and
 * webhook dedupe, plus the received-events list, so that several instances share logins.
 */
import { RedisStore } from 'connect-redis'
import { createClient } from 'redis'
import type { Backend } from './backend'
import { type EventLog, KEEP_EVENTS, type ReceivedEvent } from './eventLog'

/** Keys: `<prefix>sess:*` (sessions), `<prefix>lexoffice:*` (tokens, lock, rate budget, webhook dedupe), `<prefix>events`. */
export async function startRedisBackend(url: string, prefix: string): Promise<Backend> {
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

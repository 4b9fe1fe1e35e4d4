import { randomUUID } from 'node:crypto'
import Redis from 'ioredis'

/** REDIS_URL or the local default. Tests fail (never skip) when it cannot be reached. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A connected ioredis client that gives up at once instead of retrying forever. */
export async function connectRedis(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null })
  try {
    await redis.connect()
    await redis.ping()
  } catch (err) {
    redis.disconnect()
    throw new Error(`Redis is required for these tests (REDIS_URL=${REDIS_URL}): ${(err as Error).message}`, { cause: err })
  }
  return redis
}

/** A key prefix no other test run uses. */
export function uniquePrefix(): string {
  return `test:lexoffice:client:${randomUUID()}:`
}

/** Deletes every key under `prefix`. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length) await redis.del(...keys)
}

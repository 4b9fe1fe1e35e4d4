/**
 * `passport-lexoffice/redis`: the Redis token store, the refresh lock and the webhook dedupe
 * store. A separate entry point, so apps without Redis never load this code. Works with your own
 * node-redis (v4+) or ioredis client; this package depends on neither.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { encryptionKeysFromEnv } from 'passport-lexoffice'
 * import { RedisTokenStore } from 'passport-lexoffice/redis'
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 * await client.connect()
 * // Tokens are encrypted at rest with LEXOFFICE_ENCRYPTION_KEYS ("kid:base64key"); `encryption: false` opts out.
 * const store = new RedisTokenStore({ client, encryption: encryptionKeysFromEnv()! })
 * const lock = store.createLock()
 * ```
 *
 * @packageDocumentation
 */
export { RedisTokenStore, type RedisTokenStoreOptions } from './redis/RedisTokenStore'
export { RedisLock, type RedisLockOptions } from './redis/RedisLock'
export type { RedisClientLike, NodeRedisClientLike, NodeRedisClusterLike, IoRedisClientLike } from './redis/redisAdapter'
export { TokenCipher, type TokenCipherOptions, type DecryptErrorEvent, type DecryptErrorReason } from './tokens/crypto/TokenCipher'
export { RedisWebhookDedupeStore, type RedisWebhookDedupeStoreOptions } from './redis/RedisWebhookDedupeStore'
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis/RedisRateLimiter'

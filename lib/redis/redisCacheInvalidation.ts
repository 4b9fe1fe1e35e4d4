/**
 * The token cache's invalidation channel over Redis pub/sub: `PUBLISH <prefix>token-cache <key>`
 * on every write, and one subscriber connection per cache, made with the app client's
 * `duplicate()` (a subscribed connection can run no other command, in node-redis and ioredis
 * alike). Cluster clients get no cache (their pub/sub is routed differently); the store then
 * answers every read itself.
 *
 * @internal
 */
import type { CacheInvalidation } from '../tokens/TokenCache'
import { isRedisCluster, type RedisExecutor } from './redisAdapter'

interface Subscriber {
  on(event: string, listener: (...args: unknown[]) => void): unknown
  subscribe(...args: unknown[]): Promise<unknown>
  connect?(): Promise<unknown>
  disconnect?(): unknown
  destroy?(): unknown
  unref?(): unknown
  stream?: { unref?(): unknown }
}

/** `undefined` when the client cannot make a subscriber (no `duplicate()`, or a cluster). @internal */
export function redisCacheInvalidation(client: unknown, redis: RedisExecutor, channel: string): CacheInvalidation | undefined {
  if (isRedisCluster(client)) return undefined
  const duplicate = (client as { duplicate?: unknown }).duplicate
  if (typeof duplicate !== 'function') return undefined
  // ioredis: `call` (node-redis has `sendCommand` only); its duplicate connects by itself and emits `message`.
  const ioredis = typeof (client as { call?: unknown }).call === 'function'
  let sub: Subscriber | undefined
  let closed = false
  return {
    start(onKey, onLive) {
      const s = (duplicate as () => Subscriber).call(client)
      sub = s
      const listener = (message: unknown): void => onKey(String(message))
      const subscribe = (): void => {
        const done = ioredis ? s.subscribe(channel) : s.subscribe(channel, listener)
        done.then(
          () => {
            if (!closed) onLive(true)
          },
          () => onLive(false),
        )
      }
      // The subscriber never keeps the process alive (node-redis `unref()`; ioredis: its socket).
      s.on('connect', () => s.stream?.unref?.())
      s.on('error', () => onLive(false))
      s.on('end', () => onLive(false))
      s.on('close', () => onLive(false))
      s.on('reconnecting', () => onLive(false))
      if (ioredis) {
        s.on('message', (ch: unknown, message: unknown) => {
          if (String(ch) === channel) listener(message)
        })
        s.on('ready', subscribe)
      } else {
        let first = true
        s.on('ready', () => {
          // The first `ready` is followed by the subscribe below; later ones are reconnects.
          if (first) first = false
          else subscribe()
        })
        void s.connect?.().then(
          () => {
            s.unref?.()
            subscribe()
          },
          () => onLive(false),
        )
      }
    },
    async publish(key) {
      await redis.command(['PUBLISH', channel, key])
    },
    close() {
      closed = true
      if (sub !== undefined) {
        if (typeof sub.destroy === 'function') sub.destroy()
        else sub.disconnect?.()
      }
      return Promise.resolve()
    },
  }
}

/**
 * P2/soak helper child: one app instance with a TokenManager on a RedisTokenStore (shared
 * Redis and prefix), talking to the parent's sandbox. IPC:
 * <- init { config }  -> ready
 * <- go { calls }     -> result { latenciesMs, errors, tokensSeen } (number of distinct tokens, no token crosses the pipe)
 * <- exit
 */
import { RedisTokenStore } from '../lib/redis/RedisTokenStore'
import { TokenManager } from '../lib/tokens/TokenManager'
import { isLexofficeError } from '../lib/errors'
import type { SandboxOAuth } from './lib/sandboxOAuth'
import { benchEncryption } from './lib/encryption'
import { type BenchRedis, connectRedis, onParentMessage } from './lib/util'

export interface P2ChildConfig {
  redisUrl: string
  prefix: string
  key: string
  /** The sandbox as the OAuth client sees it. */
  oauth: SandboxOAuth
}

export type P2ParentMessage = { type: 'init'; config: P2ChildConfig } | { type: 'go'; calls: number } | { type: 'exit' }
export type P2ChildMessage =
  | { type: 'ready' }
  | { type: 'result'; latenciesMs: number[]; errors: string[]; distinctTokens: number; refreshedEvents: number }
  | { type: 'fatal'; message: string }

const send = (m: P2ChildMessage): void => {
  process.send?.(m)
}

let manager: TokenManager | undefined
let key = ''
let redis: BenchRedis | undefined
let refreshedEvents = 0

onParentMessage(handle)

async function handle(m: P2ParentMessage): Promise<void> {
  if (m.type === 'init') {
    const c = m.config
    redis = await connectRedis(c.redisUrl)
    key = c.key
    manager = new TokenManager({
      store: new RedisTokenStore({ client: redis, prefix: c.prefix, encryption: benchEncryption() }),
      oauth: c.oauth,
    })
    manager.on('refreshed', () => refreshedEvents++)
    // Warm the code paths (and the Redis connection) once.
    await manager.tokenInfo(key)
    send({ type: 'ready' })
  } else if (m.type === 'go') {
    const mgr = manager!
    refreshedEvents = 0
    const start = performance.now()
    const latencies: number[] = []
    const errors: string[] = []
    const tokens = new Set<string>()
    await Promise.all(
      Array.from({ length: m.calls }, async () => {
        try {
          const token = await mgr.getAccessToken(key)
          latencies.push(performance.now() - start)
          tokens.add(token)
        } catch (err) {
          errors.push(isLexofficeError(err) ? err.code : String(err))
        }
      }),
    )
    send({ type: 'result', latenciesMs: latencies, errors, distinctTokens: tokens.size, refreshedEvents })
  } else {
    // 'exit'
    if (redis?.isOpen) redis.destroy()
    if (process.connected) process.disconnect()
  }
}

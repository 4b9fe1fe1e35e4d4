/**
 * P3 child: one app instance calling GET /v1/contacts?page=0&size=1 through LexofficeClient for one shared
 * connection, paced by a RedisRateLimiter shared with its siblings; the token comes from a
 * TokenManager on a shared RedisTokenStore. IPC: <- init, -> ready, <- go { calls }, -> result, <- exit.
 */
import { LexofficeClient } from '../lib/client/LexofficeClient'
import { isLexofficeError } from '../lib/errors'
import { RedisTokenStore } from '../lib/redis/RedisTokenStore'
import { TokenManager } from '../lib/tokens/TokenManager'
import type { SandboxOAuth } from './lib/sandboxOAuth'
import { benchEncryption } from './lib/encryption'
import { type BenchRedis, connectRedis, onParentMessage } from './lib/util'

export interface P3ChildConfig {
  redisUrl: string
  storePrefix: string
  limiterPrefix: string
  key: string
  ratePerSecond: number
  /** The sandbox as the OAuth client sees it. */
  oauth: SandboxOAuth
}

export type P3ParentMessage = { type: 'init'; config: P3ChildConfig } | { type: 'go'; calls: number } | { type: 'exit' }
export type P3ChildMessage =
  { type: 'ready' } | { type: 'result'; ok: number; errors: string[]; saw429: number } | { type: 'fatal'; message: string }

const send = (m: P3ChildMessage): void => {
  process.send?.(m)
}
let client: LexofficeClient | undefined
let redis: BenchRedis | undefined
let saw429 = 0

onParentMessage(handle)

async function handle(m: P3ParentMessage): Promise<void> {
  if (m.type === 'init') {
    const c = m.config
    redis = await connectRedis(c.redisUrl)
    const manager = new TokenManager({
      store: new RedisTokenStore({ client: redis, prefix: c.storePrefix, encryption: benchEncryption() }),
      oauth: c.oauth,
    })
    await manager.getAccessToken(c.key) // warm-up of the store path (no API call)
    client = new LexofficeClient({
      tokenProvider: manager.providerFor(c.key),
      apiURL: c.oauth.apiURL,
      connectionKey: c.key,
      rateLimit: { redis, keyPrefix: c.limiterPrefix, ratePerSecond: c.ratePerSecond, scope: 'connection' },
      hooks: {
        onResponse: (i) => {
          if (i.status === 429) saw429++
        },
      },
    })
    send({ type: 'ready' })
  } else if (m.type === 'go') {
    const cl = client!
    let ok = 0
    const errors: string[] = []
    await Promise.all(
      Array.from({ length: m.calls }, async () => {
        try {
          await cl.contacts.list({ page: 0, size: 1 })
          ok++
        } catch (err) {
          errors.push(isLexofficeError(err) ? err.code : String(err))
        }
      }),
    )
    send({ type: 'result', ok, errors, saw429 })
  } else {
    // 'exit'
    if (redis?.isOpen) redis.destroy()
    if (process.connected) process.disconnect()
  }
}

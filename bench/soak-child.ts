/**
 * Soak child: one app instance. TokenManager on a shared RedisTokenStore (+ Redis lock), a
 * BackgroundRefresher, and request traffic: getAccessToken + GET /v1/contacts through
 * LexofficeClient (RedisRateLimiter shared by all instances) on random connections. Every API
 * attempt's pacing timeline is recorded for the 429 diagnostic (soak-trace.ts).
 * IPC: <- init { config } -> ready; <- start; <- stop -> report { stats }; <- exit.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { LexofficeClient } from '../lib/client/LexofficeClient'
import type { RateLimiter } from '../lib/client/rateLimit/RateLimiter'
import { delay } from '../lib/timing/delay'
import { RedisRateLimiter } from '../lib/redis/RedisRateLimiter'
import type { FetchLike } from '../lib/http/httpRequest'
import { isLexofficeError } from '../lib/errors'
import { BackgroundRefresher } from '../lib/refresher/BackgroundRefresher'
import { RedisTokenStore } from '../lib/redis/RedisTokenStore'
import { TokenManager } from '../lib/tokens/TokenManager'
import { type BenchRedis, connectRedis, onParentMessage, withTimeout } from './lib/util'
import type { TraceAttempt } from './soak-trace'
import type { SandboxOAuth } from './lib/sandboxOAuth'
import { benchEncryption } from './lib/encryption'

export interface SoakChildConfig {
  redisUrl: string
  prefix: string
  limiterPrefix: string
  keys: string[]
  requestsPerSecond: number
  /** Timeout of each token call (ms); the lock TTL is 3 x this (at least 3 s). */
  oauthTimeoutMs: number
  /** The sandbox as the OAuth client sees it. */
  oauth: SandboxOAuth
}

export interface SoakChildStats {
  pid: number
  requestsOk: number
  requestsFailed: Record<string, number>
  refreshedByKey: Record<string, number>
  refreshFailed: Record<string, number>
  /** When a refresh of a connection ended in TIMEOUT (outcome unknown: lexoffice may have rotated). */
  timeouts: Array<{ key: string; at: number }>
  authLost: Record<string, string>
  refresherRuns: number
  refresherRunErrors: number
  refresherRefreshed: number
  skippedBusy: number
  /** Every API attempt's pacing timeline (no secret: times, connection key, status). */
  trace: TraceAttempt[]
}

export type SoakParentMessage = { type: 'init'; config: SoakChildConfig } | { type: 'start' } | { type: 'stop' } | { type: 'exit' }
export type SoakChildMessage = { type: 'ready' } | { type: 'report'; stats: SoakChildStats } | { type: 'fatal'; message: string }

const send = (m: SoakChildMessage): void => {
  process.send?.(m)
}
const MAX_IN_FLIGHT = 40
const bump = (o: Record<string, number>, k: string): void => {
  o[k] = (o[k] ?? 0) + 1
}

let redis: BenchRedis | undefined
let manager: TokenManager | undefined
let refresher: BackgroundRefresher | undefined
let config: SoakChildConfig | undefined
let timer: NodeJS.Timeout | undefined
const clients = new Map<string, LexofficeClient>()
const inFlight = new Set<Promise<void>>()
const stats: SoakChildStats = {
  pid: process.pid,
  requestsOk: 0,
  requestsFailed: {},
  refreshedByKey: {},
  refreshFailed: {},
  timeouts: [],
  authLost: {},
  refresherRuns: 0,
  refresherRunErrors: 0,
  refresherRefreshed: 0,
  skippedBusy: 0,
  trace: [],
}

/** The API call being made (its attempts), so the limiter and fetch wrappers can record into it. */
const current = new AsyncLocalStorage<{ key: string; attempts: TraceAttempt[] }>()

/** The shared RedisRateLimiter, recording when each attempt asked, when its slot was due and when the wait ended. */
function tracingLimiter(inner: RedisRateLimiter): RateLimiter {
  return {
    async acquire(key, signal) {
      const askedAt = Date.now()
      const wait = await inner.reserve(key)
      const slotAt = Date.now() + wait
      await delay(wait, signal)
      const call = current.getStore()
      const last = call?.attempts.at(-1)
      if (last !== undefined && last.sendAt === undefined) {
        // The same attempt booked a new slot (its token read outlasted the previous one).
        Object.assign(last, { slotAt, grantedAt: Date.now(), rebooks: (last.rebooks ?? 0) + 1 })
      } else call?.attempts.push({ key, pid: process.pid, attempt: call.attempts.length + 1, askedAt, slotAt, grantedAt: Date.now() })
      return wait
    },
    penalize: (key, ms) => inner.penalize(key, ms),
  }
}

/** fetch, recording when each attempt was handed to it (after the token was read) and its status. */
const tracingFetch: FetchLike = async (input, init) => {
  const call = current.getStore()
  let a = call?.attempts.at(-1)
  if (call && (a === undefined || a.sendAt !== undefined)) {
    // An attempt that did not go through the limiter.
    a = { key: call.key, pid: process.pid, attempt: call.attempts.length + 1 }
    call.attempts.push(a)
  }
  if (a) a.sendAt = Date.now()
  const res = await fetch(input, init)
  if (a) a.status = res.status
  return res
}

onParentMessage(handle)

async function oneRequest(key: string): Promise<void> {
  const m = manager!
  try {
    await m.getAccessToken(key)
  } catch (err) {
    bump(stats.requestsFailed, `getAccessToken:${isLexofficeError(err) ? err.code : 'OTHER'}`)
    return
  }
  const call = { key, attempts: [] as TraceAttempt[] }
  try {
    await current.run(call, () => clients.get(key)!.contacts.list({ page: 0, size: 1 }))
    stats.requestsOk++
  } catch (err) {
    bump(stats.requestsFailed, `api:${isLexofficeError(err) ? err.code : 'OTHER'}`)
  } finally {
    stats.trace.push(...call.attempts)
  }
}

async function handle(m: SoakParentMessage): Promise<void> {
  if (m.type === 'init') {
    const c = (config = m.config)
    redis = await connectRedis(c.redisUrl)
    const store = new RedisTokenStore({ client: redis, prefix: c.prefix, encryption: benchEncryption() })
    manager = new TokenManager({
      store,
      oauth: { ...c.oauth, timeoutMs: c.oauthTimeoutMs },
      // 2 s access tokens: refresh from 0.8-1.0 s before expiry.
      refreshAheadMs: 800,
      refreshJitterMs: 200,
      lockTtlMs: Math.max(3000, 3 * c.oauthTimeoutMs),
      retry: { attempts: 3, minDelayMs: 50, maxDelayMs: 300 },
    })
    manager.on('refreshed', ({ key }) => bump(stats.refreshedByKey, key))
    manager.on('refreshFailed', ({ key, code }) => {
      bump(stats.refreshFailed, code)
      if (code === 'TIMEOUT') stats.timeouts.push({ key, at: Date.now() })
    })
    manager.on('authLost', ({ key, reason }) => {
      stats.authLost[key] = reason
    })
    refresher = new BackgroundRefresher({ manager, store, intervalMs: 250, windowMs: 1000, jitterMs: 50, concurrency: 4 })
    refresher.on('run', (s) => {
      stats.refresherRuns++
      stats.refresherRefreshed += s.refreshed
    })
    refresher.on('runError', () => stats.refresherRunErrors++)
    const limiter = tracingLimiter(new RedisRateLimiter({ client: redis, keyPrefix: c.limiterPrefix }))
    for (const key of c.keys) {
      clients.set(
        key,
        new LexofficeClient({
          tokenProvider: manager.providerFor(key),
          apiURL: c.oauth.apiURL,
          connectionKey: key,
          rateLimit: { limiter, scope: 'connection' },
          timeoutMs: 5000,
          fetch: tracingFetch,
        }),
      )
    }
    send({ type: 'ready' })
  } else if (m.type === 'start') {
    const c = config!
    refresher!.start()
    timer = setInterval(() => {
      if (inFlight.size >= MAX_IN_FLIGHT) {
        stats.skippedBusy++
        return
      }
      const key = c.keys[Math.floor(Math.random() * c.keys.length)]
      const p = oneRequest(key).finally(() => inFlight.delete(p))
      inFlight.add(p)
    }, 1000 / c.requestsPerSecond)
  } else if (m.type === 'stop') {
    if (timer) clearInterval(timer)
    await withTimeout(Promise.allSettled([...inFlight]), 30_000, 'soak child in-flight requests').catch(() => undefined)
    await withTimeout(refresher!.stop(), 30_000, 'soak child refresher stop').catch(() => undefined)
    send({ type: 'report', stats })
  } else {
    // 'exit'
    if (timer) clearInterval(timer)
    if (redis?.isOpen) redis.destroy()
    if (process.connected) process.disconnect()
  }
}

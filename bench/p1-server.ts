/**
 * P1 child: the sandbox and three apps sharing one express-session MemoryStore:
 * `baseline` (session + passport, no lexoffice middleware, handler does no token work),
 * `memory` and `redis` (plus `lexoffice.middleware()`; handler awaits req.lexoffice.getAccessToken()
 * with a MemoryTokenStore / RedisTokenStore). Session cookies come from real logins through
 * LexofficeStrategy against the sandbox (fetch + cookie jar); the strategy stores the tokens in its
 * app's token store. IPC: -> ready { targets }, <- exit.
 */
import { randomBytes } from 'node:crypto'
import session from 'express-session'
import { createClient } from 'redis'
import { createSandbox } from '../lib/sandbox/createSandbox'
import { MemoryTokenStore } from '../lib/tokens/stores/MemoryTokenStore'
import { RedisTokenStore } from '../lib/redis/RedisTokenStore'
import { startApp } from './lib/apps'
import { CookieJar, driveLogin } from './lib/util'
import { benchEncryption } from './lib/encryption'

export interface P1Target {
  name: 'baseline' | 'memory' | 'redis'
  url: string
  cookie: string
}

async function main(): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const sb = await createSandbox({ autoApprove: true })
  const redis = createClient({ url: redisUrl, disableOfflineQueue: true })
  redis.on('error', () => undefined)
  await redis.connect()
  const prefix = `bench:p1:${randomBytes(4).toString('hex')}:`
  const redisStore = new RedisTokenStore({ client: redis, prefix, encryption: benchEncryption() })
  const memoryStore = new MemoryTokenStore()
  const sessionStore = new session.MemoryStore()

  const baseline = await startApp({ sandbox: sb, sessionStore, strategy: 'lexoffice', withMiddleware: false })
  const memory = await startApp({ sandbox: sb, sessionStore, strategy: 'lexoffice', tokenStore: memoryStore, withMiddleware: true })
  // The in-process split: the same two apps again, twice each (A B B A: position effects of the
  // load generator cancel out), with the clock of bench/lib/apps.ts.
  const split: Record<'baseline' | 'memory', number[]> = { baseline: [], memory: [] }
  const timed: Array<{ name: 'baseline' | 'memory'; app: Awaited<ReturnType<typeof startApp>> }> = []
  for (const name of ['baseline', 'memory', 'memory', 'baseline'] as const) {
    const app = await startApp({
      sandbox: sb,
      sessionStore,
      strategy: 'lexoffice',
      withMiddleware: name === 'memory',
      ...(name === 'memory' ? { tokenStore: memoryStore } : {}),
      timing: (ns) => split[name].push(ns),
    })
    timed.push({ name, app })
  }
  const redisApp = await startApp({ sandbox: sb, sessionStore, strategy: 'lexoffice', tokenStore: redisStore, withMiddleware: true })

  // Real logins: one through the memory app (its cookie also serves the baseline, same store),
  // one through the redis app. The strategy stores the token set in that app's token store.
  const memJar = new CookieJar()
  await driveLogin(memJar, `${memory.url}/auth/login`)
  const redisJar = new CookieJar()
  await driveLogin(redisJar, `${redisApp.url}/auth/login`)
  for (const [name, url, jar] of [
    ['memory', memory.url, memJar],
    ['redis', redisApp.url, redisJar],
    ['baseline', baseline.url, memJar],
  ] as const) {
    const check = await fetch(`${url}/api`, { headers: { cookie: jar.header() } })
    if (check.status !== 200) throw new Error(`${name} /api answered ${check.status} after login`)
    await check.body?.cancel()
  }
  const targets: P1Target[] = [
    { name: 'baseline', url: `${baseline.url}/api`, cookie: memJar.header() },
    { name: 'memory', url: `${memory.url}/api`, cookie: memJar.header() },
    { name: 'redis', url: `${redisApp.url}/api`, cookie: redisJar.header() },
  ]
  const splitTargets = { urls: timed.map((t) => `${t.app.url}/api`), cookie: memJar.header() }
  process.send?.({ type: 'ready', targets, splitTargets, refreshCalls: sb.tokenCalls('refresh_token') })

  let exiting = false
  process.on('message', (m: { type: string }) => {
    if (m.type === 'split') {
      // Per-request nanoseconds of each timed app since the last reading, then reset.
      process.send?.({ type: 'split', baseline: split.baseline.splice(0), memory: split.memory.splice(0) })
      return
    }
    if (m.type === 'cpu') {
      const u = process.cpuUsage()
      process.send?.({ type: 'cpu', micros: u.user + u.system })
      return
    }
    if (m.type !== 'exit' || exiting) return
    exiting = true
    void (async () => {
      process.send?.({ type: 'final', refreshCalls: sb.tokenCalls('refresh_token') })
      for (const key of await redisStore.list()) await redisStore.destroy(key)
      await Promise.all([baseline.close(), memory.close(), redisApp.close(), ...timed.map((t) => t.app.close())])
      await sb.close()
      redis.destroy()
      if (process.connected) process.disconnect()
    })()
  })
}

main().catch((err: unknown) => {
  process.send?.({ type: 'fatal', message: err instanceof Error ? err.message : String(err) })
  process.exitCode = 1
})

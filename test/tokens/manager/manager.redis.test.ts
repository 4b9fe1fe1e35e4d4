import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createSandbox, type Sandbox } from '../../../lib/sandbox'
import { RedisTokenStore } from '../../../lib/redis/RedisTokenStore'
import { TokenManager } from '../../../lib/tokens/TokenManager'
import { connectViaSandbox, expiring, oauthClientFor, until } from '../../helpers/connect'
import { recordEvents } from './helpers'
import { type Child, REDIS_URL, type RedisClient, connectRedis, deletePrefix, forkChild, redisProxy, uniquePrefix } from './redisHelpers'
import { TEST_ENCRYPTION } from '../../helpers/encryption'

jest.setTimeout(120_000)

const KEY = 'conn-1'
const sha = (s: string): string => createHash('sha256').update(s).digest('hex')

async function profileStatus(sb: Sandbox, token: string): Promise<number> {
  return (await fetch(`${sb.endpoints.apiURL}/v1/profile`, { headers: { authorization: `Bearer ${token}` } })).status
}

describe('TokenManager across processes on a real Redis', () => {
  let sb: Sandbox
  let redis: RedisClient
  let prefix: string
  let children: Child[] = []
  beforeEach(async () => {
    redis = await connectRedis()
    sb = await createSandbox({ autoApprove: true })
    prefix = uniquePrefix('mp')
  })
  afterEach(async () => {
    for (const c of children) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) {
        c.send({ type: 'exit' })
        const exited = once(c.proc, 'exit')
        const timer = setTimeout(() => c.proc.kill('SIGKILL'), 5_000)
        await exited
        clearTimeout(timer)
      }
    }
    children = []
    await sb.close()
    await deletePrefix(redis, prefix)
    redis.destroy()
  })

  function childConfig(overrides: { lockTtlMs?: number; oauthTimeoutMs?: number } = {}) {
    return {
      type: 'init' as const,
      redisUrl: REDIS_URL,
      prefix,
      key: KEY,
      ...sb.client,
      tokenURL: sb.endpoints.tokenURL,
      revokeURL: sb.endpoints.revokeURL,
      apiURL: sb.endpoints.apiURL,
      oauthTimeoutMs: overrides.oauthTimeoutMs ?? 10_000,
      lockTtlMs: overrides.lockTtlMs ?? 30_000,
    }
  }

  it('4 processes x 50 concurrent calls on an expired token: exactly 1 refresh, every call gets the new token', async () => {
    const store = new RedisTokenStore({ client: redis, prefix, encryption: TEST_ENCRYPTION })
    const manager = new TokenManager({ store, oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL })
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    sb.expireAccessTokens()
    sb.resetLog()

    children = Array.from({ length: 4 }, forkChild)
    for (const c of children) c.send(childConfig())
    await Promise.all(children.map((c) => c.waitFor('ready')))
    for (const c of children) c.send({ type: 'go', calls: 50 })
    const results = await Promise.all(children.map((c) => c.waitFor('result')))

    expect(sb.tokenCalls('refresh_token')).toBe(1)
    const stored = (await store.get(KEY))!
    expect(stored.refreshCount).toBe(1)
    expect(stored.refreshing).toBeUndefined()
    for (const r of results) {
      expect(r.errors).toEqual([])
      expect(r.ok).toHaveLength(50)
      expect(new Set(r.ok)).toEqual(new Set([sha(stored.tokens!.accessToken)]))
    }
    expect(children.flatMap((c) => c.messages).filter((m) => m.type === 'event' && m.name === 'refreshed')).toHaveLength(1)
    expect(await profileStatus(sb, stored.tokens!.accessToken)).toBe(200)
    expect(sb.connections()[0]).toMatchObject({ state: 'active', refreshCount: 1 })
  })

  it('a process killed (SIGKILL) while it holds the lock mid-refresh: another takes over after the lock TTL', async () => {
    const store = new RedisTokenStore({ client: redis, prefix, encryption: TEST_ENCRYPTION })
    const lockTtlMs = 2_000
    const manager = new TokenManager({
      store,
      oauth: oauthClientFor(sb, { timeoutMs: 1_000 }),
      apiURL: sb.endpoints.apiURL,
      lockTtlMs,
      lockWaitMs: 8_000,
    })
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    sb.resetLog()
    // The victim's token call hangs at the sandbox (never processed), so the grant stays valid.
    sb.failNextTokenCalls([{ kind: 'delay', ms: 60_000, thenProcess: false }])

    const victim = forkChild()
    children = [victim]
    victim.send(childConfig({ lockTtlMs, oauthTimeoutMs: 1_000 }))
    await victim.waitFor('ready')
    victim.send({ type: 'go', calls: 1 })
    await until(() => sb.tokenCalls('refresh_token') === 1, 20_000, 'the victim to call the token endpoint')
    // When the dead holder's lock will expire, by Redis (measured before the kill).
    const lockTtlLeft = Number(await redis.sendCommand(['PTTL', `${prefix}lock:${KEY}`]))
    const lockExpiresAt = Date.now() + lockTtlLeft
    expect(lockTtlLeft).toBeGreaterThan(0)
    const exited = once(victim.proc, 'exit')
    victim.proc.kill('SIGKILL')
    await exited
    expect((await store.get(KEY))?.refreshing).toBeDefined() // the in-flight marker it left behind

    const token = await manager.getAccessToken(KEY)

    const calls = sb.requests.filter((r) => r.path === '/oauth2/token' && r.grantType === 'refresh_token')
    expect(calls).toHaveLength(2)
    // The survivor refreshed only after the dead holder's lock expired (sandbox and test share one clock).
    expect(calls[1].time).toBeGreaterThanOrEqual(lockExpiresAt - 5)
    expect(calls[1].time - calls[0].time).toBeLessThan(lockTtlMs + 8_000)
    expect(await profileStatus(sb, token)).toBe(200)
    const stored = (await store.get(KEY))!
    expect(stored).toMatchObject({ state: 'active', refreshCount: 1 })
    expect(stored.refreshing).toBeUndefined()
    expect(sb.connections()[0].state).toBe('active')
  })

  it('Redis unreachable: STORE_UNAVAILABLE (503) and no refresh; once Redis is back nothing was lost', async () => {
    const proxy = await redisProxy()
    const client = await connectRedis(proxy.url)
    try {
      const store = new RedisTokenStore({ client, prefix, commandTimeoutMs: 1_000, encryption: TEST_ENCRYPTION })
      const manager = new TokenManager({ store, oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL, lockWaitMs: 1_000 })
      const first = await connectViaSandbox(sb)
      await manager.connect(KEY, expiring(first, -1_000))
      sb.resetLog()

      proxy.cut()
      await until(() => !client.isReady, 5_000, 'the client to notice')
      await expect(manager.getAccessToken(KEY)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 })
      await expect(manager.isConnected(KEY)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
      expect(sb.tokenCalls()).toBe(0)

      proxy.restore()
      await until(() => client.isReady, 10_000, 'the client to reconnect')
      const token = await manager.getAccessToken(KEY)
      expect(await profileStatus(sb, token)).toBe(200)
      expect(sb.tokenCalls('refresh_token')).toBe(1)
      expect((await new RedisTokenStore({ client: redis, prefix, encryption: TEST_ENCRYPTION }).get(KEY))?.tokens?.accessToken).toBe(token)
    } finally {
      client.destroy()
      await proxy.close()
    }
  })

  it('Redis drops right after lexoffice rotated: the new set is served from memory and written when Redis is back', async () => {
    const proxy = await redisProxy()
    const client = await connectRedis(proxy.url)
    try {
      const store = new RedisTokenStore({ client, prefix, commandTimeoutMs: 1_000, encryption: TEST_ENCRYPTION })
      const manager = new TokenManager({ store, oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL })
      const events = recordEvents(manager)
      const first = await connectViaSandbox(sb)
      await manager.connect(KEY, expiring(first, -1_000))
      sb.resetLog()
      sb.failNextTokenCalls([{ kind: 'delay', ms: 300, thenProcess: true }])
      const pending = manager.getAccessToken(KEY)
      await until(() => sb.tokenCalls('refresh_token') === 1, 10_000, 'the token call')
      proxy.cut() // Redis is gone while lexoffice rotates the refresh token

      const token = await pending
      expect(await profileStatus(sb, token)).toBe(200)
      expect(events.map((e) => e.name)).toEqual(expect.arrayContaining(['persistFailed', 'refreshed']))
      expect(events.find((e) => e.name === 'refreshed')!.payload).toMatchObject({ persisted: false })
      expect(await manager.getAccessToken(KEY)).toBe(token) // from memory, Redis still down
      expect(sb.tokenCalls('refresh_token')).toBe(1)

      const recovered = new Promise((resolve) => manager.once('persistRecovered', resolve))
      proxy.restore()
      await recovered
      const stored = (await new RedisTokenStore({ client: redis, prefix, encryption: TEST_ENCRYPTION }).get(KEY))!
      expect(stored.tokens!.accessToken).toBe(token)
      expect(stored.refreshCount).toBe(1)
      // The stored refresh token is the live one: the next refresh works.
      const next = await manager.getAccessToken(KEY, { forceRefresh: true })
      expect(await profileStatus(sb, next)).toBe(200)
      expect(sb.connections()[0]).toMatchObject({ state: 'active', refreshCount: 2 })
    } finally {
      client.destroy()
      await proxy.close()
    }
  })
})

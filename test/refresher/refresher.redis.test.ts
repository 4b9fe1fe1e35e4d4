/**
 * The BackgroundRefresher with the real TokenManager against the sandbox: an idle connection kept
 * alive by the refresher alone (injected clock, deterministic), a lost connection counted as lost,
 * and two "processes" (two managers, two Redis connections, two refreshers) plus request traffic
 * without a single double refresh (real Redis, real short token lifetimes, event-driven waits).
 */
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { BackgroundRefresher } from '../../lib/refresher/BackgroundRefresher'
import { lexofficeHealth } from '../../lib/refresher/health'
import type { RefreshRunSummary } from '../../lib/refresher/runRefreshOnce'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { RedisTokenStore } from '../../lib/redis/RedisTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import { REDIRECT, profile } from '../sandbox/helpers'
import { connectClient, deletePrefix, uniquePrefix, type TestClient } from '../tokens/stores/redisTestUtils'
import { EventTally, connectUser, sandboxOAuth } from './integrationHelpers'
import { TEST_ENCRYPTION } from '../helpers/encryption'

describe('BackgroundRefresher with TokenManager and the sandbox (injected clock)', () => {
  let now: number
  const clock = (): number => now
  let sandbox: Sandbox
  let store: MemoryTokenStore
  let manager: TokenManager
  let tally: EventTally

  beforeEach(async () => {
    now = Date.now()
    sandbox = await createSandbox({ autoApprove: true, accessTokenTtlSeconds: 2, now: clock })
    sandbox.addRedirectUri(REDIRECT)
    store = new MemoryTokenStore()
    manager = new TokenManager({ store, oauth: sandboxOAuth(sandbox, clock), now: clock, refreshJitterMs: 0 })
    tally = new EventTally([manager])
  })
  afterEach(() => sandbox.close())

  it('keeps a connection idle for 20 token lifetimes alive through the refresher alone', async () => {
    const { connectionId } = await connectUser(sandbox, manager, 'idle-user')
    // A run every 500 ms of clock time; each leaves the token valid for at least 1.5 s (of 2 s).
    const refresher = new BackgroundRefresher({ manager, store, windowMs: 1500, intervalMs: 500, now: clock })
    const summaries: RefreshRunSummary[] = []
    for (let elapsed = 0; elapsed < 20 * 2000; elapsed += 500) {
      now += 500
      summaries.push(await refresher.runOnce())
      const info = await manager.tokenInfo('idle-user')
      expect(info?.state).toBe('active')
      // The stored access token never gets close to expiry: it always has the window left.
      expect(info?.state === 'active' && info.expiresInMs).toBeGreaterThanOrEqual(1500)
    }
    const refreshed = summaries.reduce((n, s) => n + s.refreshed, 0)
    expect(refreshed).toBeGreaterThanOrEqual(20)
    expect(summaries.reduce((n, s) => n + s.failed + s.lost, 0)).toBe(0)
    // Every refresh was one token call, none wasted, none refused.
    expect(sandbox.tokenCalls('refresh_token')).toBe(refreshed)
    expect(tally.total).toBe(refreshed)
    expect(tally.lost).toEqual([])
    const [conn] = sandbox.connections()
    expect(conn).toMatchObject({ connectionId, state: 'active', refreshCount: refreshed })
    // The token the manager serves now is accepted by the API.
    const res = await profile(sandbox, await manager.getAccessToken('idle-user'))
    expect(res.status).toBe(200)
  })

  it('counts a connection revoked at lexoffice as lost, once, and the health report lists it', async () => {
    const { connectionId } = await connectUser(sandbox, manager, 'gone-user')
    await connectUser(sandbox, manager, 'kept-user')
    expect(sandbox.revokeConnection(connectionId, 'user_disconnected')).toBe(true)
    const refresher = new BackgroundRefresher({ manager, store, windowMs: 3000, intervalMs: 500, now: clock })
    now += 1500 // both due (1 s refresh-ahead of a 2 s token)

    const first = await refresher.runOnce()
    expect(first).toMatchObject({ scanned: 2, refreshed: 1, lost: 1, failed: 0 })
    expect(first.connections).toContainEqual({ key: 'gone-user', outcome: 'lost', reason: 'invalid_grant' })
    expect(tally.lost).toEqual([{ key: 'gone-user', reason: 'invalid_grant' }])

    now += 1500
    const second = await refresher.runOnce()
    expect(second).toMatchObject({ scanned: 1, refreshed: 1, lost: 0 }) // the tombstone is not scanned again
    const health = await lexofficeHealth({ store }, { now: clock })
    expect(health).toMatchObject({ ok: false, connections: { total: 2, active: 1, lost: 1, expiringSoon: 1 } })
    expect(health.lost).toEqual([{ key: 'gone-user', reason: 'invalid_grant', at: expect.any(Number) }])
  })
})

describe('two refreshers in two "processes" plus request traffic (Redis, real time)', () => {
  let sandbox: Sandbox
  let redisA: TestClient
  let redisB: TestClient
  const prefix = uniquePrefix('refresher')

  beforeAll(async () => {
    redisA = await connectClient('node-redis')
    redisB = await connectClient('node-redis')
  })
  afterAll(async () => {
    await deletePrefix(redisA, prefix)
    await redisA.close()
    await redisB.close()
  })
  beforeEach(async () => {
    sandbox = await createSandbox({ autoApprove: true, accessTokenTtlSeconds: 2 })
    sandbox.addRedirectUri(REDIRECT)
  })
  afterEach(() => sandbox.close())

  it('never refreshes a connection twice: every token call succeeds, no connection is lost', async () => {
    const oauth = { ...sandbox.client, tokenURL: sandbox.endpoints.tokenURL, revokeURL: sandbox.endpoints.revokeURL }
    const storeA = new RedisTokenStore({ client: redisA.client, prefix, encryption: TEST_ENCRYPTION })
    const storeB = new RedisTokenStore({ client: redisB.client, prefix, encryption: TEST_ENCRYPTION })
    const managerA = new TokenManager({ store: storeA, oauth, refreshJitterMs: 0 })
    const managerB = new TokenManager({ store: storeB, oauth, refreshJitterMs: 0 })
    expect([managerA.mode, managerB.mode]).toEqual(['multi-process', 'multi-process'])
    const tally = new EventTally([managerA, managerB])

    const busy = ['busy-1', 'busy-2']
    const idle = ['idle-1', 'idle-2']
    for (const key of [...busy, ...idle]) await connectUser(sandbox, managerA, key)

    // The window (3 s) is larger than the token lifetime (2 s): every run of both refreshers wants
    // every connection refreshed - maximal contention with each other and with the traffic.
    const options = { windowMs: 3000, intervalMs: 150, jitterMs: 100, concurrency: 2 }
    const runs: RefreshRunSummary[] = []
    const refresherA = new BackgroundRefresher({ manager: managerA, store: storeA, ...options, onRun: (s) => runs.push(s) })
    const refresherB = new BackgroundRefresher({ manager: managerB, store: storeB, ...options, onRun: (s) => runs.push(s) })
    const runErrors: unknown[] = []
    refresherA.on('runError', (e) => runErrors.push(e))
    refresherB.on('runError', (e) => runErrors.push(e))

    // Request-time traffic on the busy connections from both processes, beside the refreshers.
    const trafficErrors: unknown[] = []
    const inFlight = new Set<Promise<unknown>>()
    const traffic = setInterval(() => {
      for (const m of [managerA, managerB])
        for (const key of busy) {
          const p = m.getAccessToken(key).catch((err: unknown) => void trafficErrors.push(err))
          inFlight.add(p)
          void p.finally(() => inFlight.delete(p))
        }
    }, 40)

    const started = Date.now()
    refresherA.start()
    refresherB.start()
    // Run for at least 3 token lifetimes (checked on every refresh event, no sleeping) and until
    // every connection was refreshed a few times; stop at once if a connection is lost.
    const target = 4
    await tally.until(
      () =>
        tally.lost.length > 0 ||
        (Date.now() - started >= 3 * 2000 && [...busy, ...idle].every((k) => (tally.refreshed.get(k) ?? 0) >= target)),
    )
    clearInterval(traffic)
    await Promise.all([refresherA.stop(), refresherB.stop()])
    await Promise.all([...inFlight])

    expect(tally.lost).toEqual([])
    expect(tally.failedCodes).toEqual([])
    expect(trafficErrors).toEqual([])
    expect(runErrors).toEqual([])
    // Every refresh_token call at the sandbox was a success that a manager saved: no double refresh.
    const refreshCalls = sandbox.requests.filter((r) => r.path === '/oauth2/token' && r.grantType === 'refresh_token')
    expect(refreshCalls.every((r) => r.status === 200)).toBe(true)
    expect(refreshCalls).toHaveLength(tally.total)
    for (const conn of sandbox.connections()) expect(conn.state).toBe('active')
    const byKey = await Promise.all([...busy, ...idle].map(async (k) => (await storeA.get(k))!.refreshCount))
    expect(byKey.reduce((a, b) => a + b, 0)).toBe(tally.total)
    expect(sandbox.connections().reduce((n, c) => n + c.refreshCount, 0)).toBe(tally.total)
    // The idle connections were kept alive by the refreshers alone.
    for (const key of idle) expect(tally.refreshed.get(key)).toBeGreaterThanOrEqual(target)
    expect(runs.reduce((n, s) => n + s.refreshed, 0)).toBeGreaterThan(0)
    expect(runs.reduce((n, s) => n + s.lost + s.failed, 0)).toBe(0)
  })
})

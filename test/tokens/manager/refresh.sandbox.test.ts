import { ErrorCodes, LexofficeAuthLostError } from '../../../lib/errors'
import type { Sandbox } from '../../../lib/sandbox'
import { MemoryLock } from '../../../lib/tokens/locks/MemoryLock'
import { PEEK_RECORD, type PeekableStore } from '../../../lib/tokens/peekRecord'
import { MemoryTokenStore } from '../../../lib/tokens/stores/MemoryTokenStore'
import type { TokenManager } from '../../../lib/tokens/TokenManager'
import type { TokenStore } from '../../../lib/tokens/TokenStore'
import { connectViaSandbox, expiring } from '../../helpers/connect'
import { recordEvents, setup } from './helpers'

const KEY = 'user-1'

async function profileStatus(sb: Sandbox, token: string): Promise<number> {
  return (await fetch(`${sb.endpoints.apiURL}/v1/profile`, { headers: { authorization: `Bearer ${token}` } })).status
}

describe('TokenManager refresh path (sandbox, one process)', () => {
  let sb: Sandbox
  let store: TokenStore
  let manager: TokenManager
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when a test failed before starting it
  afterEach(() => sb?.close())

  describe.each([
    ['single-process (no lock)', false as const],
    ['with a lock (MemoryLock)', new MemoryLock()],
  ])('%s', (_name, lock) => {
    it('200 concurrent calls on an expired token make exactly 1 refresh and all get the new token', async () => {
      ;({ sb, store, manager } = await setup({ lock }))
      const first = await connectViaSandbox(sb)
      await manager.connect(KEY, expiring(first, -1_000))
      const events = recordEvents(manager)
      sb.resetLog()

      const tokens = await Promise.all(Array.from({ length: 200 }, () => manager.getAccessToken(KEY)))

      expect(sb.tokenCalls('refresh_token')).toBe(1)
      expect(new Set(tokens).size).toBe(1)
      expect(tokens[0]).not.toBe(first.access_token)
      expect(await profileStatus(sb, tokens[0])).toBe(200)
      expect(events.filter((e) => e.name === 'refreshed')).toEqual([
        { name: 'refreshed', payload: { key: KEY, expiresAt: expect.any(Number), refreshCount: 1, persisted: true } },
      ])
      const record = await store.get(KEY)
      expect(record?.tokens?.accessToken).toBe(tokens[0])
      expect(record?.tokens?.refreshToken).not.toBe(first.refresh_token)
      expect(record?.refreshing).toBeUndefined()
      expect(sb.connections()[0]).toMatchObject({ state: 'active', refreshCount: 1 })
    })
  })

  it('serves a fresh token with one store read and no token call', async () => {
    ;({ sb, store, manager } = await setup())
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, first)
    sb.resetLog()
    // MemoryTokenStore answers a fresh token through its synchronous read (lib/tokens/peekRecord.ts).
    const get = jest.spyOn(store, 'get')
    const peek = jest.spyOn(store as PeekableStore, PEEK_RECORD)
    expect(await manager.getAccessToken(KEY)).toBe(first.access_token)
    expect(get.mock.calls.length + peek.mock.calls.length).toBe(1)
    expect(sb.tokenCalls()).toBe(0)
  })

  it('refreshes once the refresh-ahead window is reached (clock), not before', async () => {
    let now = Date.now()
    ;({ sb, store, manager } = await setup({ now: () => now, refreshAheadMs: 15 * 60_000, refreshJitterMs: 0 }))
    const first = await connectViaSandbox(sb) // 4 h token
    await manager.connect(KEY, first)
    sb.resetLog()
    now = first.expiresAt! - 15 * 60_000 - 1_000
    expect(await manager.getAccessToken(KEY)).toBe(first.access_token)
    expect(sb.tokenCalls('refresh_token')).toBe(0)
    now = first.expiresAt! - 15 * 60_000 + 1
    const next = await manager.getAccessToken(KEY)
    expect(next).not.toBe(first.access_token)
    expect(sb.tokenCalls('refresh_token')).toBe(1)
  })

  it('keeps the old refresh token when the answer has none, and assumes 4 h when expires_in is absent', async () => {
    const now = Date.now()
    ;({ sb, store, manager } = await setup({ now: () => now }))
    const first = await connectViaSandbox(sb)
    const { expires_in: _drop, expiresAt: _drop2, ...noExpiry } = first
    await manager.connect(KEY, noExpiry)
    const info = await manager.tokenInfo(KEY)
    expect(info).toMatchObject({ state: 'active', expiresAtEstimated: true, expiresAt: now + 4 * 3_600_000 })
  })

  it('a token endpoint failing 500, timeout, 500 then recovering: retried inside the call, the connection survives', async () => {
    ;({ sb, store, manager } = await setup({ oauthTimeoutMs: 300, retry: { attempts: 4, minDelayMs: 10, maxDelayMs: 40 } }))
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    const events = recordEvents(manager)
    sb.resetLog()
    sb.failNextTokenCalls([
      { kind: 'status', status: 500 },
      { kind: 'delay', ms: 5_000, thenProcess: false },
      { kind: 'status', status: 502 },
    ])

    const token = await manager.getAccessToken(KEY)

    expect(sb.tokenCalls('refresh_token')).toBe(4)
    expect(await profileStatus(sb, token)).toBe(200)
    expect(events.filter((e) => e.name === 'refreshFailed').map((e) => e.payload)).toEqual([
      { key: KEY, code: 'TOKEN_ENDPOINT_ERROR', attempt: 1, willRetry: true },
      { key: KEY, code: 'TIMEOUT', attempt: 2, willRetry: true },
      { key: KEY, code: 'TOKEN_ENDPOINT_ERROR', attempt: 3, willRetry: true },
    ])
    expect(sb.connections()[0]).toMatchObject({ state: 'active', refreshCount: 1 })
  })

  it('when the retries run out: REFRESH_FAILED (503), stored set untouched, the next call succeeds', async () => {
    ;({ sb, store, manager } = await setup({ retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 40 } }))
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    sb.failNextTokenCalls([
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 500 },
    ])

    await expect(manager.getAccessToken(KEY)).rejects.toMatchObject({ code: ErrorCodes.REFRESH_FAILED, status: 503 })
    const record = await store.get(KEY)
    expect(record?.state).toBe('active')
    expect(record?.tokens?.refreshToken).toBe(first.refresh_token)
    expect(record?.lastError).toEqual({ code: 'TOKEN_ENDPOINT_ERROR', at: expect.any(Number) })

    const token = await manager.getAccessToken(KEY)
    expect(await profileStatus(sb, token)).toBe(200)
    expect(sb.tokenCalls('refresh_token')).toBe(4)
    expect((await store.get(KEY))?.lastError).toBeUndefined()
  })

  it('a due but still valid token is served when the refresh fails; later calls wait for the cooldown', async () => {
    let now = Date.now()
    ;({ sb, store, manager } = await setup({ now: () => now, refreshJitterMs: 0 }))
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, first)
    const events = recordEvents(manager)
    now = first.expiresAt! - 5 * 60_000 // inside the 15 min window, still valid
    sb.resetLog()
    sb.failNextTokenCalls([{ kind: 'status', status: 500 }])

    expect(await manager.getAccessToken(KEY)).toBe(first.access_token)
    expect(events.map((e) => e.payload)).toEqual([{ key: KEY, code: 'TOKEN_ENDPOINT_ERROR', attempt: 1, willRetry: false }])
    expect(await manager.getAccessToken(KEY)).toBe(first.access_token) // cooldown: no new attempt
    expect(sb.tokenCalls('refresh_token')).toBe(1)

    now += 60_000 // past the cooldown
    const next = await manager.getAccessToken(KEY)
    expect(next).not.toBe(first.access_token)
    expect(sb.tokenCalls('refresh_token')).toBe(2)
  })

  it('minValidityMs: a token that is not due but expires within the window is refreshed; failures throw', async () => {
    let now = Date.now()
    ;({ sb, store, manager } = await setup({ now: () => now, refreshJitterMs: 0 }))
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, first)
    sb.resetLog()
    now = first.expiresAt! - 30 * 60_000 // not due (15 min rule), but inside a 1 h window
    expect(await manager.getAccessToken(KEY, { minValidityMs: 10 * 60_000 })).toBe(first.access_token)
    expect(sb.tokenCalls()).toBe(0)
    sb.failNextTokenCalls([{ kind: 'status', status: 500 }])
    await expect(manager.getAccessToken(KEY, { minValidityMs: 60 * 60_000 })).rejects.toMatchObject({ code: 'REFRESH_FAILED' })
    const next = await manager.getAccessToken(KEY, { minValidityMs: 60 * 60_000 })
    expect(next).not.toBe(first.access_token)
    expect(sb.tokenCalls('refresh_token')).toBe(2)
    await expect(manager.getAccessToken(KEY, { minValidityMs: -1 })).rejects.toThrow(TypeError)
  })

  it('429 from the token endpoint is not retried at once', async () => {
    ;({ sb, store, manager } = await setup({ retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 40 } }))
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    sb.resetLog()
    sb.failNextTokenCalls([{ kind: 'status', status: 429 }])
    await expect(manager.getAccessToken(KEY)).rejects.toMatchObject({ code: ErrorCodes.REFRESH_FAILED })
    expect(sb.tokenCalls('refresh_token')).toBe(1)
  })

  it('invalid_grant: authLost once, tombstone, AUTH_LOST for every later caller without token calls', async () => {
    ;({ sb, store, manager } = await setup())
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    const events = recordEvents(manager)
    sb.resetLog()
    sb.failNextTokenCalls([{ kind: 'invalid_grant' }])

    const results = await Promise.allSettled(Array.from({ length: 20 }, () => manager.getAccessToken(KEY)))
    for (const r of results) {
      expect(r.status).toBe('rejected')
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(LexofficeAuthLostError)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'AUTH_LOST', status: 401, reason: 'invalid_grant' })
    }
    expect(sb.tokenCalls('refresh_token')).toBe(1)
    expect(events.filter((e) => e.name === 'authLost')).toEqual([{ name: 'authLost', payload: { key: KEY, reason: 'invalid_grant' } }])
    const record = await store.get(KEY)
    expect(record).toMatchObject({ state: 'lost', lost: { reason: 'invalid_grant' } })
    expect(record?.tokens).toBeUndefined()

    await expect(manager.getAccessToken(KEY)).rejects.toMatchObject({ code: 'AUTH_LOST' })
    await expect(manager.refreshAfterUnauthorized(KEY, first.access_token)).rejects.toMatchObject({ code: 'AUTH_LOST' })
    expect(sb.tokenCalls('refresh_token')).toBe(1)
    expect(await manager.isConnected(KEY)).toBe(false)
    expect(await manager.tokenInfo(KEY)).toMatchObject({ state: 'lost', reason: 'invalid_grant' })

    // A new login replaces the tombstone.
    await manager.connect(KEY, await connectViaSandbox(sb))
    expect(await manager.isConnected(KEY)).toBe(true)
  })

  it('invalid_grant after a timeout that lexoffice processed: lost with the interrupted reason, no loop', async () => {
    ;({ sb, store, manager } = await setup({ oauthTimeoutMs: 300, retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 40 } }))
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    sb.resetLog()
    // The sandbox rotates after our client gave up: the retry presents a dead refresh token.
    const rotated = new Promise((resolve) => sb.once('token.refreshed', resolve))
    sb.failNextTokenCalls([{ kind: 'delay', ms: 450, thenProcess: true }]) // our timeout 300 ms; the retry waits >= 300 ms more
    const failure = manager.getAccessToken(KEY).catch((err: unknown) => err)
    await rotated
    expect(await failure).toMatchObject({ code: 'AUTH_LOST', reason: 'invalid_grant_after_interrupted_refresh' })
    expect(sb.tokenCalls('refresh_token')).toBe(2)
    expect(await store.get(KEY)).toMatchObject({ state: 'lost' })
  })

  it('invalid_grant but another instance persisted a newer set late: that set is used, nothing is lost', async () => {
    ;({ sb, store, manager } = await setup())
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    const events = recordEvents(manager)
    // "Another instance" refreshes and persists while our token call is on the wire; we get invalid_grant.
    const other = (await import('../../helpers/connect')).oauthClientFor(sb)
    const originalSet = store.set.bind(store)
    let hooked = false
    jest.spyOn(store, 'set').mockImplementation(async (key, record, expected) => {
      const ok = await originalSet(key, record, expected)
      if (!hooked && record.refreshing) {
        hooked = true
        const res = await other.refresh(first.refresh_token!)
        // Our own call (next) is answered invalid_grant without processing: the sandbox would
        // otherwise see a reuse of the old refresh token and revoke the whole connection.
        sb.failNextTokenCalls([{ kind: 'invalid_grant' }])
        const current = (await store.get(key))!
        await originalSet(
          key,
          {
            ...current,
            version: current.version + 1,
            tokens: { ...current.tokens!, accessToken: res.access_token, refreshToken: res.refresh_token!, expiresAt: res.expiresAt! },
          },
          current.version,
        )
      }
      return ok
    })
    const token = await manager.getAccessToken(KEY)
    expect(hooked).toBe(true)
    expect(sb.tokenCalls('refresh_token')).toBe(2)
    expect(await profileStatus(sb, token)).toBe(200)
    expect(events.some((e) => e.name === 'authLost')).toBe(false)
    expect((await store.get(KEY))?.state).toBe('active')
    expect(sb.connections()[0].state).toBe('active')
  })

  it('refreshAfterUnauthorized: a newer stored token is returned; else one coalesced forced refresh', async () => {
    ;({ sb, store, manager } = await setup())
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, first)
    sb.resetLog()
    expect(await manager.refreshAfterUnauthorized(KEY, 'some-older-token')).toBe(first.access_token)
    expect(sb.tokenCalls()).toBe(0)

    sb.expireAccessTokens()
    expect(await profileStatus(sb, first.access_token)).toBe(401)
    const tokens = await Promise.all(Array.from({ length: 50 }, () => manager.refreshAfterUnauthorized(KEY, first.access_token)))
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).not.toBe(first.access_token)
    expect(await profileStatus(sb, tokens[0])).toBe(200)
    expect(sb.tokenCalls('refresh_token')).toBe(1)

    // forceRefresh goes through the same path.
    const forced = await manager.getAccessToken(KEY, { forceRefresh: true })
    expect(forced).not.toBe(tokens[0])
    expect(sb.tokenCalls('refresh_token')).toBe(2)
  })

  it('a rotated set whose write fails is served from memory, never refreshed again, and written when the store is back', async () => {
    const { FlakyStore } = await import('./helpers')
    const flaky = new FlakyStore(new MemoryTokenStore())
    ;({ sb, store, manager } = await setup({ store: flaky }))
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    const events = recordEvents(manager)
    sb.resetLog()
    // Fail every write of a set with a rotated refresh token, until healed.
    let healed = false
    flaky.failSetWhen = (record) => !healed && record.tokens !== undefined && record.tokens.refreshToken !== first.refresh_token

    const token = await manager.getAccessToken(KEY)
    expect(await profileStatus(sb, token)).toBe(200)
    const names = events.map((e) => e.name)
    expect(names.slice(0, 2)).toEqual(['persistFailed', 'refreshed'])
    // The write is retried in the background on a real timer: further failures may be reported meanwhile, nothing else.
    expect(names.slice(2).filter((n) => n !== 'persistFailed')).toEqual([])
    expect(events[1].payload).toMatchObject({ persisted: false })
    expect((await flaky.inner.get(KEY))?.tokens?.refreshToken).toBe(first.refresh_token) // not written yet

    // Still unpersisted: every caller gets the new token, nobody refreshes from the stale stored set.
    const again = await Promise.all(Array.from({ length: 20 }, () => manager.getAccessToken(KEY)))
    expect(new Set(again)).toEqual(new Set([token]))
    expect(await manager.tokenInfo(KEY)).toMatchObject({ state: 'active', persisted: false })
    await expect(manager.refreshAfterUnauthorized(KEY, token)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 })
    expect(sb.tokenCalls('refresh_token')).toBe(1)

    const recovered = new Promise((resolve) => manager.once('persistRecovered', resolve))
    healed = true
    expect(await recovered).toMatchObject({ key: KEY })
    const stored = await flaky.inner.get(KEY)
    expect(stored?.tokens?.accessToken).toBe(token)
    expect(stored?.refreshCount).toBe(1)
    expect(await manager.tokenInfo(KEY)).toMatchObject({ persisted: true })
  })

  it('store unavailable: a valid token is still served; a due one fails STORE_UNAVAILABLE without a refresh', async () => {
    const { FlakyStore } = await import('./helpers')
    const flaky = new FlakyStore(new MemoryTokenStore())
    let now = Date.now()
    ;({ sb, store, manager } = await setup({ store: flaky, now: () => now, refreshJitterMs: 0 }))
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, first)
    sb.resetLog()
    flaky.failGet = 1
    expect(await manager.getAccessToken(KEY)).toBe(first.access_token) // remembered, still valid

    now = first.expiresAt! + 1_000 // expired
    flaky.failGet = 100
    await expect(manager.getAccessToken(KEY)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 })
    expect(sb.tokenCalls()).toBe(0)
    flaky.failGet = 0
    const next = await manager.getAccessToken(KEY)
    expect(next).not.toBe(first.access_token)
    expect(sb.tokenCalls('refresh_token')).toBe(1)
  })

  it('a failing marker write (store down under the lock) means no refresh', async () => {
    const { FlakyStore } = await import('./helpers')
    const flaky = new FlakyStore(new MemoryTokenStore())
    ;({ sb, store, manager } = await setup({ store: flaky }))
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    sb.resetLog()
    flaky.failSet = 1
    await expect(manager.getAccessToken(KEY)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
    expect(sb.tokenCalls()).toBe(0)
  })
})

describe('two managers on one store without a lock (the in-flight marker is a compare-and-set lease)', () => {
  let sb: Sandbox
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when a test failed before starting it
  afterEach(() => sb?.close())

  it('2 x 100 concurrent calls on an expired token: exactly 1 refresh', async () => {
    const shared = new MemoryTokenStore()
    const one = await setup({ store: shared })
    sb = one.sb
    const { TokenManager } = await import('../../../lib/tokens/TokenManager')
    const two = new TokenManager({
      store: shared,
      oauth: (await import('../../helpers/connect')).oauthClientFor(sb),
      apiURL: sb.endpoints.apiURL,
    })
    const first = await connectViaSandbox(sb)
    await one.manager.connect(KEY, expiring(first, -1_000))
    sb.resetLog()
    const tokens = await Promise.all([
      ...Array.from({ length: 100 }, () => one.manager.getAccessToken(KEY)),
      ...Array.from({ length: 100 }, () => two.getAccessToken(KEY)),
    ])
    expect(sb.tokenCalls('refresh_token')).toBe(1)
    expect(new Set(tokens).size).toBe(1)
    expect(await profileStatus(sb, tokens[0])).toBe(200)
  })
})

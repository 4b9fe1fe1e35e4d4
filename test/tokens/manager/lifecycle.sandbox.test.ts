import { LexofficeOAuthClient } from '../../../lib/oauth/LexofficeOAuthClient'
import type { Sandbox } from '../../../lib/sandbox'
import { MemoryLock } from '../../../lib/tokens/locks/MemoryLock'
import { MemoryTokenStore } from '../../../lib/tokens/stores/MemoryTokenStore'
import { TokenManager } from '../../../lib/tokens/TokenManager'
import type { TokenStore } from '../../../lib/tokens/TokenStore'
import { connectViaSandbox, expiring, oauthClientFor } from '../../helpers/connect'
import { recordEvents, setup } from './helpers'

const KEY = 'user-1'

describe('TokenManager lifecycle API', () => {
  let sb: Sandbox
  let store: TokenStore
  let manager: TokenManager
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when a test failed before starting it
  afterEach(() => sb?.close())

  it('connect stores an active record with ids and emits connected (no tokens in the event)', async () => {
    ;({ sb, store, manager } = await setup())
    const events = recordEvents(manager)
    const tokens = await connectViaSandbox(sb)
    const profile = { id: 'x', displayName: 'Demo', organizationId: 'org-1', connectionId: 'conn-1' }
    const info = await manager.connect(KEY, tokens, profile)
    expect(info).toMatchObject({
      organizationId: 'org-1',
      connectionId: 'conn-1',
      scope: 'profile.read contacts.read',
      expiresAtEstimated: false,
    })
    expect(events).toEqual([
      { name: 'connected', payload: { key: KEY, expiresAt: tokens.expiresAt, organizationId: 'org-1', connectionId: 'conn-1' } },
    ])
    expect(await store.get(KEY)).toMatchObject({
      version: 1,
      state: 'active',
      refreshCount: 0,
      tokens: { refreshToken: tokens.refresh_token },
    })
    expect(await manager.tokenInfo(KEY)).toMatchObject({
      key: KEY,
      state: 'active',
      persisted: true,
      refreshCount: 0,
      lastRefreshAt: undefined,
      connectedAt: expect.any(Number),
      expiresInMs: expect.any(Number),
    })
    expect(await manager.tokenInfo('nobody')).toBeUndefined()
    expect(await manager.isConnected('nobody')).toBe(false)
    await expect(manager.getAccessToken('nobody')).rejects.toMatchObject({ code: 'NOT_CONNECTED', status: 401 })
    await expect(manager.connect(KEY, { access_token: 'a', token_type: 'bearer' })).rejects.toThrow(/refresh_token/)
    await expect(manager.connect('', tokens)).rejects.toThrow(TypeError)
  })

  it('markLost writes a tombstone once (idempotent) and later callers get AUTH_LOST without token calls', async () => {
    ;({ sb, store, manager } = await setup())
    await manager.connect(KEY, await connectViaSandbox(sb))
    const events = recordEvents(manager)
    sb.resetLog()
    expect(await manager.markLost(KEY, 'token.revoked')).toBe(true)
    expect(await manager.markLost(KEY, 'token.revoked')).toBe(false)
    expect(await manager.markLost('nobody', 'token.revoked')).toBe(false)
    expect(events).toEqual([{ name: 'authLost', payload: { key: KEY, reason: 'token.revoked' } }])
    await expect(manager.getAccessToken(KEY)).rejects.toMatchObject({ code: 'AUTH_LOST', reason: 'token.revoked' })
    expect(await manager.tokenInfo(KEY)).toMatchObject({ state: 'lost', reason: 'token.revoked', lostAt: expect.any(Number) })
    expect(sb.tokenCalls()).toBe(0)
  })

  it('disconnect revokes the newest refresh token at lexoffice and removes the record', async () => {
    ;({ sb, store, manager } = await setup())
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    await manager.getAccessToken(KEY) // rotated once: the stored refresh token is not `first`'s
    const events = recordEvents(manager)
    expect(await manager.disconnect(KEY)).toEqual({ revoked: true })
    expect(sb.connections()[0]).toMatchObject({ state: 'revoked' })
    expect(await store.get(KEY)).toBeUndefined()
    expect(events).toEqual([{ name: 'disconnected', payload: { key: KEY, revoked: true } }])
    expect(await manager.disconnect(KEY)).toEqual({ revoked: false })
    expect(events).toHaveLength(1)
  })

  it('disconnect removes the record even when the revocation fails', async () => {
    ;({ sb } = await setup())
    store = new MemoryTokenStore()
    // The revoke endpoint is a closed port: NETWORK_ERROR.
    const oauth = new LexofficeOAuthClient({ ...sb.client, tokenURL: sb.endpoints.tokenURL, revokeURL: 'http://127.0.0.1:9/oauth2/revoke' })
    manager = new TokenManager({ store, oauth, apiURL: sb.endpoints.apiURL })
    await manager.connect(KEY, await connectViaSandbox(sb))
    const events = recordEvents(manager)
    expect(await manager.disconnect(KEY)).toEqual({ revoked: false })
    expect(await store.get(KEY)).toBeUndefined()
    expect(events).toEqual([{ name: 'disconnected', payload: { key: KEY, revoked: false } }])
  })

  it('providerFor gives the API client its two calls, bound to the key', async () => {
    ;({ sb, store, manager } = await setup())
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, first)
    const provider = manager.providerFor(KEY)
    expect(Object.keys(provider).sort()).toEqual(['getAccessToken', 'refreshAfterUnauthorized'])
    expect(await provider.getAccessToken()).toBe(first.access_token)
    const next = await provider.refreshAfterUnauthorized(first.access_token)
    expect(next).not.toBe(first.access_token)
    expect(await provider.getAccessToken()).toBe(next)
    expect(() => manager.providerFor('')).toThrow(TypeError)
  })

  it('a listener that throws does not fail the refresh; it becomes a process warning', async () => {
    ;({ sb, store, manager } = await setup())
    await manager.connect(KEY, expiring(await connectViaSandbox(sb), -1_000))
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined)
    try {
      manager.on('refreshed', () => {
        throw new Error('listener bug')
      })
      const token = await manager.getAccessToken(KEY)
      expect(typeof token).toBe('string')
      expect((await store.get(KEY))?.refreshCount).toBe(1)
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('listener bug'), { code: 'LEXOFFICE_LISTENER_ERROR' })
    } finally {
      warn.mockRestore()
    }
  })
})

describe('TokenManager options', () => {
  const store = new MemoryTokenStore()
  const oauth = {
    clientID: 'id',
    clientSecret: 'secret',
    tokenURL: 'http://127.0.0.1:9/oauth2/token',
    revokeURL: 'http://127.0.0.1:9/oauth2/revoke',
  }

  it('resolves defaults: production API, 15 min ahead, 30 s lock, single-process without a lock', () => {
    const m = new TokenManager({ store, oauth: { clientID: 'id', clientSecret: 'secret' } })
    expect(m.apiURL).toBe('https://api.lexware.io')
    expect(m.mode).toBe('single-process')
    expect(m.toJSON()).toEqual({
      apiURL: 'https://api.lexware.io',
      mode: 'single-process',
      refreshAheadMs: 900_000,
      lockTtlMs: 30_000,
      pendingPersists: 0,
    })
    expect(new TokenManager({ store, oauth: { clientID: 'id', clientSecret: 'secret', environment: 'sandbox' } }).apiURL).toBe(
      'https://api.lexware-sandbox.io',
    )
    expect(new TokenManager({ store, oauth, lock: new MemoryLock() }).mode).toBe('multi-process')
    const withLock = Object.assign(new MemoryTokenStore(), { createLock: () => new MemoryLock() })
    expect(new TokenManager({ store: withLock, oauth }).mode).toBe('multi-process')
    expect(new TokenManager({ store: withLock, oauth, lock: false }).mode).toBe('single-process')
  })

  it.each([
    ['a lock TTL below twice the OAuth timeout', { lockTtlMs: 15_000 }, /lockTtlMs.*twice the OAuth timeout/],
    ['an unknown option (typo)', { refreshAheadMS: 1 }, /unknown TokenManager option "refreshAheadMS"/],
    ['a negative refreshAheadMs', { refreshAheadMs: -1 }, /refreshAheadMs/],
    ['retry.attempts 0', { retry: { attempts: 0 } }, /retry.attempts/],
    ['retry.maxDelayMs below minDelayMs', { retry: { minDelayMs: 100, maxDelayMs: 10 } }, /retry.maxDelayMs/],
    ['a lock without tryAcquire', { lock: {} }, /lock.tryAcquire/],
    ['a non-function clock', { now: 5 }, /now/],
    ['an http apiURL off loopback', { apiURL: 'http://api.example.com' }, /apiURL/],
  ])('rejects %s', (_name, extra, message) => {
    expect(() => new TokenManager({ store, oauth, ...(extra as object) })).toThrow(message)
  })

  it('rejects a bad store or oauth', () => {
    expect(() => new TokenManager({ store: {} as TokenStore, oauth })).toThrow(/store.get/)
    expect(() => new TokenManager({ store, oauth: { clientID: 'id' } as never })).toThrow(/clientSecret/)
    expect(() => new TokenManager({ store, oauth: { ...oauth, clientId: 'x' } as never })).toThrow(/unknown oauth option "clientId"/)
  })

  it('accepts a short lock TTL with a short OAuth timeout', () => {
    const client = new LexofficeOAuthClient({ ...oauth, timeoutMs: 500 })
    expect(new TokenManager({ store, oauth: client, lockTtlMs: 1_000 }).toJSON()).toMatchObject({ lockTtlMs: 1_000 })
  })

  it('the sandbox client helper builds a valid manager', async () => {
    const { createSandbox } = await import('../../../lib/sandbox')
    const sb = await createSandbox()
    try {
      const m = new TokenManager({ store, oauth: { ...sb.client, ...sb.endpoints } })
      expect(m.apiURL).toBe(sb.endpoints.apiURL)
      expect(oauthClientFor(sb).tokenURL).toBe(sb.endpoints.tokenURL)
    } finally {
      await sb.close()
    }
  })
})

import session from 'express-session'
import type { Sandbox } from '../../../lib/sandbox'
import { ExpressSessionTokenStore } from '../../../lib/tokens/stores/ExpressSessionTokenStore'
import { MemoryTokenStore } from '../../../lib/tokens/stores/MemoryTokenStore'
import type { TokenRecord } from '../../../lib/tokens/TokenSet'
import { connectViaSandbox, expiring } from '../../helpers/connect'
import { setup } from './helpers'
import { TEST_ENCRYPTION } from '../../helpers/encryption'

const KEY = 'user-1'

/**
 * express-session is last-write-wins: a request that loaded the session before a refresh can
 * save it afterwards and roll the rotated refresh token back (docs/security.md §5 item 8). With the
 * tokens under their own key and compare-and-set, the stale writer loses and the stored refresh
 * token stays the newest, which the sandbox proves by accepting it (a rolled-back token would be
 * a reuse and revoke the connection).
 */
describe('stale writers cannot roll back a rotated refresh token', () => {
  let sb: Sandbox
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when a test failed before starting it
  afterEach(() => sb?.close())

  it('express-session store: a request that loaded the old record loses its write', async () => {
    const store = new ExpressSessionTokenStore({ store: new session.MemoryStore(), encryption: TEST_ENCRYPTION })
    const { sb: sandbox, manager } = await setup({ store })
    sb = sandbox
    await manager.connect(KEY, await connectViaSandbox(sb))
    const loadedByOtherRequest = (await store.get(KEY))!

    const rotated = await manager.getAccessToken(KEY, { forceRefresh: true })
    const newest = (await store.get(KEY))!
    expect(newest.tokens!.refreshToken).not.toBe(loadedByOtherRequest.tokens!.refreshToken)

    // The other request ends and writes back what it loaded (resave), as express-session would.
    const stale: TokenRecord = { ...loadedByOtherRequest, version: loadedByOtherRequest.version + 1 }
    expect(await store.set(KEY, stale, loadedByOtherRequest.version)).toBe(false)

    const after = (await store.get(KEY))!
    expect(after.tokens!.refreshToken).toBe(newest.tokens!.refreshToken)
    expect(await manager.getAccessToken(KEY)).toBe(rotated)
    // The stored refresh token is the live one at lexoffice: the next refresh works.
    const again = await manager.getAccessToken(KEY, { forceRefresh: true })
    expect(again).not.toBe(rotated)
    expect(sb.connections()[0]).toMatchObject({ state: 'active', refreshCount: 2 })
  })

  it('a bookkeeping writer that put the pre-rotation set back during a refresh is overwritten by the newer set', async () => {
    const store = new MemoryTokenStore()
    const { sb: sandbox, manager } = await setup({ store })
    sb = sandbox
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    const originalSet = store.set.bind(store)
    let interfered = false
    jest.spyOn(store, 'set').mockImplementation(async (key, record, expected) => {
      // Right before the rotated set is written, a stale writer bumps the record with the old tokens.
      if (!interfered && record.refreshCount === 1) {
        interfered = true
        const current = (await store.get(key))!
        await originalSet(
          key,
          { ...current, version: current.version + 1, lastError: { code: 'STALE_WRITE', at: Date.now() } },
          current.version,
        )
      }
      return originalSet(key, record, expected)
    })
    const token = await manager.getAccessToken(KEY)
    expect(interfered).toBe(true)
    const stored = (await store.get(KEY))!
    expect(stored.tokens!.accessToken).toBe(token)
    expect(stored.tokens!.refreshToken).not.toBe(first.refresh_token)
    expect(stored.refreshCount).toBe(1)
    expect(await manager.getAccessToken(KEY, { forceRefresh: true })).not.toBe(token)
    expect(sb.connections()[0].state).toBe('active')
  })

  it('a new login during a refresh wins over the refreshed set of the old connection', async () => {
    const store = new MemoryTokenStore()
    const { sb: sandbox, manager } = await setup({ store })
    sb = sandbox
    await manager.connect(KEY, expiring(await connectViaSandbox(sb), -1_000))
    const relogin = await connectViaSandbox(sb)
    const originalSet = store.set.bind(store)
    let done = false
    jest.spyOn(store, 'set').mockImplementation(async (key, record, expected) => {
      if (!done && record.refreshCount === 1) {
        done = true
        await manager.connect(KEY, relogin)
      }
      return originalSet(key, record, expected)
    })
    expect(await manager.getAccessToken(KEY)).toBe(relogin.access_token)
    expect((await store.get(KEY))!.tokens!.refreshToken).toBe(relogin.refresh_token)
  })
})

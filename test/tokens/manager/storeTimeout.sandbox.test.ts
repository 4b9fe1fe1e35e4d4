import { isLexofficeError } from '../../../lib/errors'
import { GuardedStore } from '../../../lib/tokens/records'
import { MemoryTokenStore } from '../../../lib/tokens/stores/MemoryTokenStore'
import { freezeRecord } from '../../../lib/tokens/stores/recordCodec'
import type { TokenRecord } from '../../../lib/tokens/TokenSet'
import type { TokenStore } from '../../../lib/tokens/TokenStore'
import { connectViaSandbox } from '../../helpers/connect'
import { setup } from './helpers'

/** A store whose `get` never settles until released (a hung Redis connection). */
class HangingStore implements TokenStore {
  readonly inner = new MemoryTokenStore()
  hang = false
  readonly #waiting: Array<() => void> = []
  get(key: string): Promise<TokenRecord | undefined> {
    if (!this.hang) return this.inner.get(key)
    return new Promise((resolve) => this.#waiting.push(() => void this.inner.get(key).then(resolve)))
  }
  set(key: string, record: TokenRecord, expectedVersion: number): Promise<boolean> {
    return this.inner.set(key, record, expectedVersion)
  }
  destroy(key: string): Promise<void> {
    return this.inner.destroy(key)
  }
  release(): void {
    for (const w of this.#waiting.splice(0)) w()
  }
}

describe('store call timeout (one shared ticker per manager)', () => {
  it('a store read that hangs fails with STORE_UNAVAILABLE (503) after storeTimeoutMs, and nothing stored is lost', async () => {
    const store = new HangingStore()
    const { sb, manager } = await setup({ store, storeTimeoutMs: 40 })
    try {
      await manager.connect('k', await connectViaSandbox(sb))
      const before = await store.inner.get('k')
      store.hang = true
      const started = Date.now()
      const err = await manager.getAccessToken('k', { forceRefresh: true }).catch((e: unknown) => e)
      expect(isLexofficeError(err, 'STORE_UNAVAILABLE')).toBe(true)
      expect((err as { status: number }).status).toBe(503)
      expect((err as Error).message).not.toContain(before!.tokens!.accessToken)
      // Fired at or after the timeout (not early), and well before a human would notice.
      expect(Date.now() - started).toBeGreaterThanOrEqual(39)
      store.hang = false
      store.release()
      expect(await store.inner.get('k')).toEqual(before)
      expect(sb.tokenCalls('refresh_token')).toBe(0)
    } finally {
      await sb.close()
    }
  })

  it('GuardedStore: settles with the store, maps failures, lets TypeErrors through, and leaves nothing tracked', async () => {
    const ok = new GuardedStore(new MemoryTokenStore(), 1_000)
    await expect(ok.get('nothing')).resolves.toBeUndefined()
    const failing: TokenStore = {
      get: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      set: () => {
        throw new Error('thrown synchronously')
      },
      destroy: () => Promise.reject(new TypeError('programming error')),
    }
    const guarded = new GuardedStore(failing, 1_000)
    await expect(guarded.get('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 })
    await expect(guarded.set('k', { version: 1, state: 'lost', refreshCount: 0, connectedAt: 0 }, 0)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    })
    await expect(guarded.destroy('k')).rejects.toBeInstanceOf(TypeError)
  })

  it('freezeRecord freezes every level, so a shared record cannot be changed', () => {
    const record = freezeRecord({
      version: 1,
      state: 'active',
      refreshCount: 0,
      connectedAt: 1,
      tokens: { accessToken: 'a', refreshToken: 'r', expiresAt: 2, obtainedAt: 1 },
    })
    expect(Object.isFrozen(record)).toBe(true)
    expect(Object.isFrozen(record.tokens)).toBe(true)
    expect(() => {
      ;(record.tokens as { accessToken: string }).accessToken = 'x'
    }).toThrow(TypeError)
  })
})

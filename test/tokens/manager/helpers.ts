import { createSandbox, type Sandbox } from '../../../lib/sandbox'
import type { TokenManagerEvents } from '../../../lib/tokens/events'
import { MemoryTokenStore } from '../../../lib/tokens/stores/MemoryTokenStore'
import { TokenManager } from '../../../lib/tokens/TokenManager'
import type { TokenManagerOptions } from '../../../lib/tokens/resolveTokenManagerOptions'
import type { TokenStore } from '../../../lib/tokens/TokenStore'
import { oauthClientFor } from '../../helpers/connect'

/** Records every event a manager emits, in order. */
export function recordEvents(manager: TokenManager): Array<{ name: keyof TokenManagerEvents; payload: unknown }> {
  const events: Array<{ name: keyof TokenManagerEvents; payload: unknown }> = []
  const names: Array<keyof TokenManagerEvents> = [
    'connected',
    'refreshed',
    'refreshFailed',
    'authLost',
    'disconnected',
    'persistFailed',
    'persistRecovered',
  ]
  for (const name of names) manager.on(name, (payload: unknown) => events.push({ name, payload }))
  return events
}

/** A sandbox plus a manager on a MemoryTokenStore talking to it. */
export async function setup(
  options: Partial<TokenManagerOptions> & { oauthTimeoutMs?: number } = {},
): Promise<{ sb: Sandbox; store: TokenStore; manager: TokenManager }> {
  const sb = await createSandbox({ autoApprove: true })
  const { oauthTimeoutMs, ...rest } = options
  const store = rest.store ?? new MemoryTokenStore()
  const manager = new TokenManager({
    oauth: oauthClientFor(sb, oauthTimeoutMs === undefined ? {} : { timeoutMs: oauthTimeoutMs }),
    apiURL: sb.endpoints.apiURL,
    retry: { minDelayMs: 10, maxDelayMs: 50 },
    ...rest,
    store,
  })
  return { sb, store, manager }
}

/** A store whose calls can be made to fail, by method, for a number of calls or until healed. */
export class FlakyStore implements TokenStore {
  readonly inner: TokenStore
  failGet = 0
  failSet = 0
  /** When set, `set` calls whose record matches fail (and do not write). */
  failSetWhen: ((record: Parameters<TokenStore['set']>[1]) => boolean) | undefined
  setCalls = 0
  constructor(inner: TokenStore = new MemoryTokenStore()) {
    this.inner = inner
  }
  async get(key: string) {
    if (this.failGet > 0) {
      this.failGet--
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })
    }
    return this.inner.get(key)
  }
  async set(key: string, record: Parameters<TokenStore['set']>[1], expectedVersion: number) {
    this.setCalls++
    if (this.failSet > 0 || this.failSetWhen?.(record)) {
      if (this.failSet > 0) this.failSet--
      throw Object.assign(new Error('Connection is closed.'), { code: 'ECONNRESET' })
    }
    return this.inner.set(key, record, expectedVersion)
  }
  destroy(key: string) {
    return this.inner.destroy(key)
  }
}

export { createSandbox }

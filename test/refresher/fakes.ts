/**
 * TEST DOUBLES for the refresher unit tests: a fake token manager with the refresh contract the
 * BackgroundRefresher relies on (refresh when the stored token is valid for less than
 * `minValidityMs`, else `refreshAheadMs`; compare-and-set write; AUTH_LOST on a lost connection). Not shipped; the
 * integration tests use the real TokenManager and sandbox.
 */
import { LexofficeAuthLostError, LexofficeError, ErrorCodes } from '../../lib/errors'
import type { TokenRecord } from '../../lib/tokens/TokenSet'
import type { TokenStore } from '../../lib/tokens/TokenStore'

export const TOKEN_MARKER = 'SECRET-TOKEN-'

export function activeRecord(key: string, expiresAt: number, extra: Partial<TokenRecord> = {}): TokenRecord {
  return {
    version: 1,
    state: 'active',
    tokens: {
      accessToken: `${TOKEN_MARKER}access-${key}`,
      refreshToken: `${TOKEN_MARKER}refresh-${key}`,
      expiresAt,
      obtainedAt: expiresAt - 4 * 3600_000,
    },
    refreshCount: 0,
    connectedAt: 0,
    ...extra,
  }
}

export function lostRecord(reason: string, at: number): TokenRecord {
  return { version: 1, state: 'lost', lost: { reason, at }, refreshCount: 3, connectedAt: 0 }
}

export interface Deferred {
  promise: Promise<void>
  resolve: () => void
}
export function deferred(): Deferred {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

/** A fake TokenManager over a real store. */
export class FakeManager {
  readonly calls: string[] = []
  readonly minValidity: (number | undefined)[] = []
  /** Keys whose next refresh fails transiently / loses the connection. */
  readonly failKeys = new Set<string>()
  readonly loseKeys = new Set<string>()
  /** When set, each refresh waits for this before writing. */
  gate: Promise<void> | undefined
  inFlight = 0
  maxInFlight = 0
  refreshes = 0

  constructor(
    readonly store: TokenStore,
    readonly now: () => number,
    readonly ttlMs: number,
    readonly refreshAheadMs = 15 * 60_000,
  ) {}

  async getAccessToken(key: string, options: { minValidityMs?: number } = {}): Promise<string> {
    this.calls.push(key)
    this.minValidity.push(options.minValidityMs)
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    try {
      if (this.gate) await this.gate
      const record = await this.store.get(key)
      if (record === undefined) throw new LexofficeError(ErrorCodes.NOT_CONNECTED, 'No lexoffice connection is stored for this user.')
      if (record.state === 'lost') throw new LexofficeAuthLostError(record.lost!.reason)
      const tokens = record.tokens!
      if (tokens.expiresAt - this.now() >= (options.minValidityMs ?? this.refreshAheadMs)) return tokens.accessToken
      if (this.failKeys.has(key)) throw new LexofficeError(ErrorCodes.REFRESH_FAILED, 'token endpoint 503')
      if (this.loseKeys.has(key)) {
        await this.store.set(key, { ...lostRecord('invalid_grant', this.now()), version: record.version + 1 }, record.version)
        throw new LexofficeAuthLostError('invalid_grant')
      }
      this.refreshes++
      const next: TokenRecord = {
        ...record,
        version: record.version + 1,
        refreshCount: record.refreshCount + 1,
        lastRefreshAt: this.now(),
        tokens: { ...tokens, accessToken: `${TOKEN_MARKER}a${this.refreshes}`, expiresAt: this.now() + this.ttlMs, obtainedAt: this.now() },
      }
      if (!(await this.store.set(key, next, record.version))) throw new Error('fake manager lost a CAS race')
      return next.tokens!.accessToken
    } finally {
      this.inFlight--
    }
  }
}

/** Timers under test control. */
export class FakeTimers {
  readonly pending: { id: number; fn: () => void; ms: number; unref: boolean }[] = []
  #next = 1
  setTimeout = (fn: () => void, ms: number): { id: number; unref: () => void } => {
    const entry = { id: this.#next++, fn, ms, unref: false }
    this.pending.push(entry)
    return { id: entry.id, unref: () => void (entry.unref = true) }
  }
  clearTimeout = (handle: unknown): void => {
    const i = this.pending.findIndex((p) => p.id === (handle as { id: number }).id)
    if (i >= 0) this.pending.splice(i, 1)
  }
  /** Fires the only pending timer and returns its delay. */
  fire(): number {
    if (this.pending.length !== 1) throw new Error(`expected one pending timer, found ${this.pending.length}`)
    const entry = this.pending.shift()!
    entry.fn()
    return entry.ms
  }
}

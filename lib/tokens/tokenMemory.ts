import type { LockHandle } from './TokenStore'
import type { TokenRecord, TokenSet } from './TokenSet'
import { equalJitterBackoff } from '../timing/backoff'

/** A rotated record whose store write failed and is being retried (docs/security.md §6 rule 7c). @internal */
export interface PendingPersist {
  record: TokenRecord & { tokens: TokenSet }
  attempts: number
  handle: LockHandle | undefined
  stopped: boolean
  timer: NodeJS.Timeout | undefined
}

const MAX_KNOWN = 10_000

/**
 * What one {@link TokenManager} remembers between calls, in private fields only:
 * - the last token set read per key, used only when the store cannot be read and the access
 *   token is still valid (rule 8: keep serving valid tokens while Redis is down);
 * - rotated sets not yet written (rule 7c), which take precedence over the store;
 * - a per-key cooldown after a transient refresh failure while the access token is still valid.
 *
 * @internal
 */
export class TokenMemory {
  readonly #known = new Map<string, TokenSet>()
  readonly #pending = new Map<string, PendingPersist>()
  readonly #cooldown = new Map<string, { until: number; failures: number }>()

  remember(key: string, tokens: TokenSet): void {
    this.#known.delete(key)
    this.#known.set(key, tokens)
    if (this.#known.size > MAX_KNOWN) {
      const oldest = this.#known.keys().next()
      if (!oldest.done) this.#known.delete(oldest.value)
    }
  }

  known(key: string): TokenSet | undefined {
    return this.#known.get(key)
  }

  pending(key: string): PendingPersist | undefined {
    return this.#pending.get(key)
  }

  setPending(key: string, entry: PendingPersist): void {
    this.#stopPending(key)
    this.#pending.set(key, entry)
  }

  /** Removes `entry` if it is still the pending one for `key`; resolves its lock handle. */
  finishPending(key: string, entry: PendingPersist): void {
    if (this.#pending.get(key) === entry) this.#pending.delete(key)
    entry.stopped = true
    if (entry.timer) clearTimeout(entry.timer)
    void entry.handle?.release().catch(() => undefined)
  }

  get pendingCount(): number {
    return this.#pending.size
  }

  noteFailure(key: string, now: number, minDelayMs: number, maxDelayMs: number): void {
    const failures = (this.#cooldown.get(key)?.failures ?? 0) + 1
    this.#cooldown.set(key, {
      until: now + equalJitterBackoff(failures - 1, Math.max(minDelayMs, 1_000), Math.max(maxDelayMs, 1_000)),
      failures,
    })
  }

  inCooldown(key: string, now: number): boolean {
    const c = this.#cooldown.get(key)
    return c !== undefined && now < c.until
  }

  clearCooldown(key: string): void {
    this.#cooldown.delete(key)
  }

  /** Drops everything about `key` (reconnect, loss, disconnect). */
  forget(key: string): void {
    this.#known.delete(key)
    this.#cooldown.delete(key)
    this.#stopPending(key)
  }

  #stopPending(key: string): void {
    const entry = this.#pending.get(key)
    if (entry) this.finishPending(key, entry)
  }
}

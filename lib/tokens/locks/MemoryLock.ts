import { randomUUID } from 'node:crypto'
import type { LockHandle, RefreshLock } from '../TokenStore'
import { assertFunction, assertInteger, assertKnownKeys, assertObject } from '../../options/assert'
import { optionKeys } from '../../options/optionKeys'
import { assertKey } from '../stores/recordCodec'

/**
 * Options of {@link MemoryLock}.
 *
 * @example
 * ```ts
 * let now = 0
 * const lock = new MemoryLock({ now: () => now }) // a controllable clock for tests
 * ```
 */
export interface MemoryLockOptions {
  /** Clock in ms since the epoch; default `Date.now`. Test seam, not an option. @internal */
  now?: () => number
}

const OPTION_KEYS = optionKeys<MemoryLockOptions>()(['now'])

/**
 * An in-process {@link RefreshLock} with the same time-to-live semantics as `RedisLock`: a lock
 * whose TTL has passed is free for the next caller, and a holder whose lock expired can neither
 * release nor extend the next holder's lock (each acquisition has its own random owner token).
 *
 * Useful in tests, or to simulate "several instances" inside one process (share one MemoryLock
 * between several TokenManagers). It does not coordinate separate processes.
 *
 * @example
 * ```ts
 * import { MemoryLock } from 'passport-lexoffice'
 * const lock = new MemoryLock()
 * const handle = await lock.tryAcquire('refresh:user-42', 30_000)
 * if (handle) {
 *   try { await refresh() } finally { await handle.release() }
 * }
 * ```
 */
export class MemoryLock implements RefreshLock {
  readonly #held = new Map<string, { owner: string; expiresAt: number }>()
  readonly #now: () => number

  constructor(options: MemoryLockOptions = {}) {
    assertObject(options, 'options')
    assertKnownKeys(options, OPTION_KEYS, 'MemoryLock')
    if (options.now !== undefined) assertFunction(options.now, 'now')
    this.#now = options.now ?? Date.now
  }

  /**
   * Takes the lock for `ttlMs` if it is free (or its TTL passed); resolves `undefined` otherwise.
   *
   * @throws TypeError when `ttlMs` is not a positive integer.
   * @example
   * ```ts
   * const handle = await lock.tryAcquire('user-42', 10_000)
   * ```
   */
  async tryAcquire(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    assertKey(key)
    assertInteger(ttlMs, 'ttlMs', 1)
    if (this.#owned(key) !== undefined) return undefined
    const owner = randomUUID()
    this.#held.set(key, { owner, expiresAt: this.#now() + ttlMs })
    return {
      release: async () => {
        if (this.#owned(key) === owner) this.#held.delete(key)
      },
      extend: async (ms: number) => {
        assertInteger(ms, 'ttlMs', 1)
        if (this.#owned(key) !== owner) return false
        this.#held.set(key, { owner, expiresAt: this.#now() + ms })
        return true
      },
    }
  }

  /** The owner token of a live (unexpired) lock on `key`. */
  #owned(key: string): string | undefined {
    const held = this.#held.get(key)
    if (held === undefined) return undefined
    if (held.expiresAt <= this.#now()) {
      this.#held.delete(key)
      return undefined
    }
    return held.owner
  }
}

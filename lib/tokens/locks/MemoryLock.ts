import { randomUUID } from 'node:crypto'
import type { LockHandle, RefreshLock } from '../TokenStore'
import { assertFunction, assertInteger, assertKnownKeys, assertObject } from '../../options/assert'
import { optionKeys } from '../../options/optionKeys'
import { assertKey } from '../stores/recordCodec'

/**
 * Test seam of {@link MemoryLock}, given to its constructor (not an option): a clock, so a test
 * proves the TTL without waiting. @internal
 */
export interface MemoryLockSeams {
  now?: () => number
}

const SEAM_KEYS = optionKeys<MemoryLockSeams>()(['now'])

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

  /** A lock on this process's clock. */
  constructor()
  /** @internal */
  // eslint-disable-next-line @typescript-eslint/unified-signatures -- this overload is @internal: stripped from the published declarations
  constructor(seams: MemoryLockSeams)
  constructor(seams: MemoryLockSeams = {}) {
    assertObject(seams, 'seams')
    assertKnownKeys(seams, SEAM_KEYS, 'MemoryLock')
    if (seams.now !== undefined) assertFunction(seams.now, 'now')
    this.#now = seams.now ?? Date.now
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

/**
 * In-process coalescing: at most one running promise per key; every caller that arrives while it
 * runs shares its result. The entry is removed when the promise settles, resolved or rejected, so
 * a failure is never cached (google-auth-library's `refreshTokenPromises`, issue #338).
 *
 * @example
 * ```ts
 * const flights = new SingleFlight<string, TokenSet>()
 * const tokens = await flights.run(key, () => refreshUnderLock(key))
 * ```
 */
export class SingleFlight<K, V> {
  readonly #inflight = new Map<K, Promise<V>>()

  /** Runs `fn` unless a call for `key` is already running; then returns that call's promise. */
  run(key: K, fn: () => Promise<V>): Promise<V> {
    const running = this.#inflight.get(key)
    if (running) return running
    const promise = Promise.resolve().then(fn)
    this.#inflight.set(key, promise)
    const settle = (): void => {
      if (this.#inflight.get(key) === promise) this.#inflight.delete(key)
    }
    promise.then(settle, settle)
    return promise
  }

  /** `true` while a call for `key` is running. */
  has(key: K): boolean {
    return this.#inflight.has(key)
  }

  /** The running call for `key`, if any. */
  get(key: K): Promise<V> | undefined {
    return this.#inflight.get(key)
  }

  /** Number of running calls. */
  get size(): number {
    return this.#inflight.size
  }
}

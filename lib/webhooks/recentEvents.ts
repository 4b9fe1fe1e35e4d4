/**
 * A small bounded set of recently seen event keys, oldest evicted first (a `Map` keeps insertion
 * order). Used to drop lexoffice's repeated deliveries of the same event in this process.
 * @internal
 */
export class RecentEvents {
  readonly #max: number
  readonly #seen = new Map<string, true>()

  constructor(maxEntries: number) {
    this.#max = maxEntries
  }

  /** Records `key`; returns `true` when it was already recorded (a duplicate). */
  checkAndAdd(key: string): boolean {
    if (this.#seen.has(key)) {
      // Refresh its position so a burst of retries keeps it from being evicted.
      this.#seen.delete(key)
      this.#seen.set(key, true)
      return true
    }
    this.#seen.set(key, true)
    if (this.#seen.size > this.#max) {
      const oldest = this.#seen.keys().next()
      if (!oldest.done) this.#seen.delete(oldest.value)
    }
    return false
  }

  get size(): number {
    return this.#seen.size
  }
}

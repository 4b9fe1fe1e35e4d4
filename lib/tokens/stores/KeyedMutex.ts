/**
 * Runs async sections one at a time per key, in call order, in this process only. A failing
 * section does not block the next one. Entries are removed when their queue drains.
 *
 * @internal
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>()

  /** Runs `section` after every earlier section for `key` has settled. */
  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    let done!: () => void
    const tail = new Promise<void>((resolve) => (done = resolve))
    this.#tails.set(key, tail)
    try {
      await previous
      return await section()
    } finally {
      done()
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }

  /** Number of keys with a queued or running section (for tests). */
  get size(): number {
    return this.#tails.size
  }
}

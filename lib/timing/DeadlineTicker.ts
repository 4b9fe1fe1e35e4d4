/**
 * The package's one deadline for calls to backends (token stores, Redis, locks): one shared timer
 * per instance fails calls whose deadline has passed, instead of one `setTimeout` per call: the
 * token store is read on every API request, and a timer per read cost more than the read itself
 * for in-process stores (bench/p1-parts.ts). HTTP requests have their own timeout inside the
 * request (lib/http), which also aborts the socket.
 *
 * All calls of one ticker have the same timeout, so insertion order is deadline order and a
 * tick stops at the first call that is still in time. A timeout fires between `timeoutMs` and
 * `timeoutMs` + one tick (a quarter of the timeout, at most 250 ms, at least 1 ms). The timer is
 * unref'd and stops after a few idle ticks.
 *
 * @internal
 */
export class DeadlineTicker {
  readonly #timeoutMs: number
  readonly #tickMs: number
  readonly #pending = new Set<Deadline>()
  #timer: NodeJS.Timeout | undefined
  #idleTicks = 0

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs
    this.#tickMs = Math.max(1, Math.min(250, Math.floor(timeoutMs / 4)))
  }

  /**
   * Settles like `call()`, or rejects with `timeoutError()` once the deadline has passed (the call
   * may still settle later; its result is then ignored and its rejection never left unhandled).
   * What `call` throws synchronously becomes a rejection.
   */
  run<T>(call: () => T | PromiseLike<T>, timeoutError: () => unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false
      const deadline = this.track(() => {
        if (settled) return
        settled = true
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the caller's own timeout error
        reject(timeoutError())
      })
      const finish = (ok: boolean, value: unknown): void => {
        if (settled) return
        settled = true
        this.done(deadline)
        if (ok) resolve(value as T)
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the call's own rejection, unchanged
        else reject(value)
      }
      let result: PromiseLike<T>
      try {
        result = Promise.resolve(call())
      } catch (err) {
        finish(false, err)
        return
      }
      result.then(
        (value) => finish(true, value),
        (err: unknown) => finish(false, err),
      )
    })
  }

  /** Tracks one call: `onTimeout` runs once its deadline has passed, unless {@link DeadlineTicker.done} came first. */
  track(onTimeout: () => void): Deadline {
    const deadline: Deadline = { at: Date.now() + this.#timeoutMs, onTimeout }
    this.#pending.add(deadline)
    if (this.#timer === undefined) {
      this.#idleTicks = 0
      this.#timer = setInterval(this.#tick, this.#tickMs)
      this.#timer.unref()
    }
    return deadline
  }

  done(deadline: Deadline): void {
    this.#pending.delete(deadline)
  }

  /** Calls still tracked (tests). */
  get size(): number {
    return this.#pending.size
  }

  readonly #tick = (): void => {
    if (this.#pending.size === 0) {
      if (++this.#idleTicks >= 4) {
        clearInterval(this.#timer)
        this.#timer = undefined
      }
      return
    }
    this.#idleTicks = 0
    const now = Date.now()
    for (const deadline of this.#pending) {
      if (deadline.at > now) break
      this.#pending.delete(deadline)
      deadline.onTimeout()
    }
  }
}

/** @internal */
export interface Deadline {
  readonly at: number
  readonly onTimeout: () => void
}

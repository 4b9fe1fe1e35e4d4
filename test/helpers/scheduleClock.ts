/**
 * A clock for rate-limit schedules, for MemoryRateLimiter's `now` and `sleep` seams: time stands
 * still unless the test moves it, and every sleep is recorded and returns at once. A test proves
 * the schedule (the waits the limiter asked for) without waiting it out in real time; the API it
 * calls then needs a budget computed from the number of calls (e.g. the sandbox's
 * `api.rateLimit.burst`), so no answer depends on the machine's speed.
 */
export interface ScheduleClock {
  now: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Every wait asked for, in call order (0 for a slot that was free at once). */
  readonly waits: number[]
  advance: (ms: number) => void
}

export function scheduleClock(start = 1_000_000): ScheduleClock {
  let t = start
  const waits: number[] = []
  return {
    now: () => t,
    sleep: (ms, signal) => {
      waits.push(ms)
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason, as delay() rejects with it
      return signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve()
    },
    waits,
    advance: (ms) => {
      t += ms
    },
  }
}

/** The waits of `n` calls on one key of a limiter at `ratePerSecond` with `burst`, started at one instant. */
export function expectedWaits(n: number, ratePerSecond: number, burst: number): number[] {
  const interval = 1000 / ratePerSecond
  return Array.from({ length: n }, (_, i) => Math.max(0, i - burst + 1) * interval)
}

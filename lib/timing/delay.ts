/**
 * Resolves after `ms` milliseconds; rejects with the signal's reason when `signal` aborts first
 * (the timer is cleared then). For waits inside the library (backoff, pacing), never as a test
 * synchronisation.
 *
 * @internal
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as unknown)
  if (!(ms > 0)) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason as unknown)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Resolves after `ms` milliseconds; rejects with the signal's reason when `signal` aborts first
 * (the timer is cleared then). For waits inside the library (backoff, pacing), never as a test
 * synchronisation.
 *
 * @internal
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason, as fetch rejects with it
  if (signal?.aborted) return Promise.reject(signal.reason)
  if (!(ms > 0)) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort reason, as fetch rejects with it
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

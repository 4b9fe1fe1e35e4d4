/**
 * Exponential backoff with "equal jitter": the wait before retry number `retry` (0 for the first
 * retry) is between half and all of `min(maxMs, baseMs * 2^retry)`, in whole milliseconds. Half is
 * fixed, so a retry never comes at once; the random half spreads callers that failed together.
 * Every retry and poll loop of the package (API calls, token refreshes, lock waits, the persist
 * retry after a failed store write) takes its waits from here.
 *
 * @internal
 */
export function equalJitterBackoff(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry))
  return Math.round(cap / 2 + random() * (cap / 2))
}

/**
 * Soak diagnostic: where does a sandbox 429 come from? Each API attempt is traced on both sides,
 * without secrets (times, a connection key, a status):
 *
 * - client (soak-child.ts): when the attempt asked the shared limiter for a slot, when the slot
 *   was due (Redis reply + the wait it returned), when the wait ended, when the request was
 *   handed to fetch (after the token was read), and the answer's status;
 * - sandbox (soak.ts): every decision of its rate limiter (connection, time, allowed or not).
 *
 * Per connection, allowed decisions are matched in order with the 2xx attempts and refusals with
 * the 429 attempts (a 401 is answered before the rate limiter, so it takes no bucket token).
 * One clock: every process runs on this machine and uses `Date.now()`.
 */
import { fmt, percentile, printTable } from './lib/util'

/** One attempt of one API call, as the client side saw it (ms since epoch). */
export interface TraceAttempt {
  key: string
  pid: number
  /** 1 for the first try of a call, 2 for its first retry, ... */
  attempt: number
  /** When the limiter was asked for a slot; undefined when the attempt went out without one. */
  askedAt?: number
  /** New slots this attempt booked because its token read outlasted the slot (slotAt/grantedAt are the last one's). */
  rebooks?: number
  /** When the slot was due: the limiter's reply time + the wait it returned. */
  slotAt?: number
  /** When the wait for the slot ended (the timer fired). */
  grantedAt?: number
  /** When the request was handed to fetch (after the access token was read). */
  sendAt?: number
  /** HTTP status of the answer; undefined when none came. */
  status?: number
}

/** One decision of the sandbox's rate limiter. */
export interface TraceDecision {
  key: string
  at: number
  ok: boolean
}

interface Matched {
  d: TraceDecision
  a: TraceAttempt | undefined
}

const dist = (values: number[]): string =>
  values.length === 0
    ? '-'
    : `p50 ${fmt(percentile(values, 50), 0)} / p99 ${fmt(percentile(values, 99), 0)} / max ${fmt(Math.max(...values), 0)} ms`
const over = (values: number[], ms: number): string => `${values.filter((v) => v > ms).length}`

/** Bucket level (tokens) just before each decision of one connection, replaying the sandbox's token bucket. */
function bucketLevels(decisions: TraceDecision[], perSecond: number, burst: number): number[] {
  let tokens = burst
  let at = decisions[0]?.at ?? 0
  return decisions.map((d) => {
    tokens = Math.min(burst, tokens + Math.max(0, d.at - at) * (perSecond / 1000))
    at = d.at
    const before = tokens
    if (d.ok) tokens -= 1
    return before
  })
}

/**
 * Prints (1) the timings of the pacing path over all attempts and (2) for every refusal the
 * refused attempt and the earlier attempts of the same connection in the 1.6 s before it.
 */
export function printTrace(attempts: TraceAttempt[], decisions: TraceDecision[], limit: { perSecond: number; burst: number }): void {
  const byKey = new Map<string, { attempts: TraceAttempt[]; decisions: TraceDecision[] }>()
  const slot = (k: string): { attempts: TraceAttempt[]; decisions: TraceDecision[] } => {
    let s = byKey.get(k)
    if (!s) byKey.set(k, (s = { attempts: [], decisions: [] }))
    return s
  }
  for (const a of attempts) slot(a.key).attempts.push(a)
  for (const d of decisions) slot(d.key).decisions.push(d)

  const tokenWait: number[] = []
  const timerLag: number[] = []
  const transit: number[] = []
  let unmatched = 0
  let noSlot = 0
  let rebooked = 0
  let unauthorizedFirst = 0
  const unauthorizedRetryWait: number[] = []
  let rebooks = 0
  let grantedGapsUnder = 0
  let sentGapsUnder = 0
  let decidedGapsUnder = 0
  const interval = 1000 / limit.perSecond
  const refusalRows: string[][] = []
  for (const [key, s] of byKey) {
    const sent = s.attempts.filter((a) => a.sendAt !== undefined).sort((x, y) => x.sendAt! - y.sendAt!)
    for (const a of s.attempts) {
      if (a.rebooks) {
        rebooked++
        rebooks += a.rebooks
      }
    }
    for (const a of sent) {
      if (a.status === 401 && a.attempt === 1) unauthorizedFirst++
      if (a.status === 401 && a.attempt > 1)
        unauthorizedRetryWait.push(a.askedAt !== undefined && a.slotAt !== undefined ? a.slotAt - a.askedAt : NaN)
      if (a.askedAt === undefined) noSlot++
      if (a.grantedAt !== undefined) tokenWait.push(a.sendAt! - a.grantedAt)
      if (a.grantedAt !== undefined && a.slotAt !== undefined) timerLag.push(a.grantedAt - a.slotAt)
    }
    const granted = s.attempts
      .filter((a) => a.grantedAt !== undefined)
      .map((a) => a.grantedAt!)
      .sort((x, y) => x - y)
    for (let i = 1; i < granted.length; i++) if (granted[i] - granted[i - 1] < interval) grantedGapsUnder++
    for (let i = 1; i < sent.length; i++) if (sent[i].sendAt! - sent[i - 1].sendAt! < interval) sentGapsUnder++
    for (let i = 1; i < s.decisions.length; i++) if (s.decisions[i].at - s.decisions[i - 1].at < interval) decidedGapsUnder++

    // Match in order: allowed decisions <-> 2xx attempts, refusals <-> 429 attempts.
    const ok = sent.filter((a) => a.status !== undefined && a.status >= 200 && a.status < 300)
    const refused = sent.filter((a) => a.status === 429)
    let io = 0
    let ir = 0
    const matched: Matched[] = s.decisions.map((d) => ({ d, a: d.ok ? ok[io++] : refused[ir++] }))
    for (const m of matched) {
      if (m.a) transit.push(m.d.at - m.a.sendAt!)
      else unmatched++
    }
    const levels = bucketLevels(s.decisions, limit.perSecond, limit.burst)
    matched.forEach((m, i) => {
      if (m.d.ok) return
      const T = m.d.at
      const rel = (t: number | undefined): string => (t === undefined ? '-' : fmt(t - T, 0))
      for (let j = i; j >= 0 && T - matched[j].d.at <= 1600; j--) {
        const p = matched[j]
        const a = p.a
        refusalRows.push([
          j === i ? `${key} @ ${new Date(T).toISOString().slice(11, 23)}` : '',
          p.d.ok ? 'allowed' : '429',
          fmt(levels[j], 2),
          a ? String(a.pid) : '?',
          a ? String(a.attempt) : '?',
          a ? String(a.rebooks ?? 0) : '?',
          rel(a?.slotAt),
          rel(a?.grantedAt),
          rel(a?.sendAt),
          a?.sendAt !== undefined && a.grantedAt !== undefined ? fmt(a.sendAt - a.grantedAt, 0) : '-',
          rel(p.d.at),
        ])
      }
    })
  }

  printTable(
    `Pacing path (${attempts.length} attempts traced, ${decisions.length} sandbox rate-limit decisions; spacing of the sandbox's limit: ${fmt(interval, 0)} ms)`,
    ['step', 'value'],
    [
      ['slot due -> limiter wait ended (timer lag)', dist(timerLag)],
      [
        'limiter wait ended -> handed to fetch (token read)',
        `${dist(tokenWait)}; > 50 ms: ${over(tokenWait, 50)}, > 500 ms: ${over(tokenWait, 500)}`,
      ],
      ['handed to fetch -> sandbox rate-limit decision (transit + receiver lag)', `${dist(transit)}; > 50 ms: ${over(transit, 50)}`],
      [
        `same connection, consecutive gaps < ${fmt(interval, 0)} ms: slots granted / sent / decided at the sandbox`,
        `${grantedGapsUnder} / ${sentGapsUnder} / ${decidedGapsUnder}`,
      ],
      ['attempts that booked a new slot after a late token read (slots re-booked)', `${rebooked} (${rebooks})`],
      ['attempts sent without a limiter slot', String(noSlot)],
      [
        'API 401s: first attempts / retries after the 401 refresh (the call fails); slot wait of those retries',
        `${unauthorizedFirst} / ${unauthorizedRetryWait.length}; ${unauthorizedRetryWait.map((w) => fmt(w, 0)).join(', ') || '-'} ms`,
      ],
      ['sandbox decisions not matched to a client attempt', String(unmatched)],
    ],
  )
  if (refusalRows.length > 0) {
    printTable(
      'Each sandbox 429 and the earlier decisions on its connection in the 1.6 s before it (times in ms relative to the refusal)',
      ['refusal', 'decision', 'bucket before', 'pid', 'attempt', 're-booked', 'slot due', 'slot granted', 'sent', 'token wait', 'decided'],
      refusalRows,
    )
  }
}

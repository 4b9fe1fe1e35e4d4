/**
 * Text output of the `passport-lexoffice` command: durations, the status table and the refresh
 * summary. Only keys, states, times, counters and codes ever reach these functions.
 *
 * @internal
 */
import type { StoredConnectionStatus } from '../refresher/listConnectionStatus'
import type { RefreshRunSummary } from '../refresher/runRefreshOnce'

/**
 * `2h 5m`, `14m 3s`, `45s`, `900ms` (sign ignored).
 * @internal
 */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms)
  if (abs < 1000) return `${Math.round(abs)}ms`
  const s = Math.floor(abs / 1000)
  const d = Math.floor(s / 86_400)
  const h = Math.floor((s % 86_400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  if (d > 0) return `${d}d ${h}h`
  if (h > 0) return `${h}h ${m}m`
  if (m > 0) return `${m}m ${sec}s`
  return `${sec}s`
}

/**
 * `in 2h 5m` / `expired 3m 2s ago`.
 * @internal
 */
export function formatExpiry(expiresInMs: number): string {
  return expiresInMs >= 0 ? `in ${formatDuration(expiresInMs)}` : `expired ${formatDuration(expiresInMs)} ago`
}

function ago(at: number | undefined, now: number): string {
  return at === undefined ? '-' : `${formatDuration(now - at)} ago`
}

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * Escapes control characters (newline as `\n`, ESC as `\u001b`), so a stored key cannot rewrite the terminal.
 * @internal
 */
export function printable(text: string): string {
  // Escaped as in JSON (`\n`, `\u001b`): a key with a newline stays readable and cannot be mistaken for two rows.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
 * The `status` table: key, state, expiry, last refresh, refresh count, last error.
 * @internal
 */
export function formatStatusTable(rows: readonly StoredConnectionStatus[], now: number): string {
  if (rows.length === 0) return 'No lexoffice connections stored.\n'
  const header = ['KEY', 'STATE', 'EXPIRES', 'LAST REFRESH', 'REFRESHES', 'LAST ERROR']
  const lines = rows.map((r) => [
    printable(r.key),
    r.state === 'lost' ? `lost (${printable(r.lostReason ?? 'unknown')})` : 'active',
    r.expiresInMs === undefined ? '-' : formatExpiry(r.expiresInMs),
    ago(r.lastRefreshAt, now),
    String(r.refreshCount),
    r.lastError === undefined ? '-' : `${printable(r.lastError.code)} (${ago(r.lastError.at, now)})`,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)))
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')
  const active = rows.filter((r) => r.state === 'active').length
  const footer = `${rows.length} connection${rows.length === 1 ? '' : 's'}: ${active} active, ${rows.length - active} lost`
  return [fmt(header), ...lines.map(fmt), '', footer].join('\n') + '\n'
}

/**
 * The human summary of a `refresh` run, with one line per lost or failed connection.
 * @internal
 */
export function formatRefreshSummary(summary: RefreshRunSummary, windowMs: number): string {
  const lines = [
    `Refreshed ${summary.refreshed}, already fresh ${summary.alreadyFresh}, failed ${summary.failed}, lost ${summary.lost}` +
      (summary.skipped > 0 ? `, skipped ${summary.skipped}` : '') +
      ` (${summary.scanned} due within ${formatDuration(windowMs)}; ${formatDuration(summary.durationMs)}).`,
  ]
  for (const c of summary.connections) {
    if (c.outcome === 'lost')
      lines.push(`  lost:   ${printable(c.key)} (${printable(c.reason ?? 'unknown')}) - the user must connect again`)
    else if (c.outcome === 'failed') lines.push(`  failed: ${printable(c.key)} (${printable(c.code ?? 'UNKNOWN')}) - retried next run`)
  }
  if (summary.notStarted > 0)
    lines.push(`  stopped: ${summary.notStarted} due connection(s) not refreshed (interrupted) - retried next run`)
  return lines.join('\n') + '\n'
}

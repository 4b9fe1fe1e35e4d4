/**
 * Times as people read them: in the user's language (Accept-Language here; the browser's own
 * language and time zone once public/time.js runs), expiry as a relative time ("in 4 hours").
 * Each time is a `<time>` element with the exact instant in `datetime`.
 */
import type { Request } from 'express'

export type TimeFormat = 'relative' | 'datetime' | 'date'

/** The first language of the request that Intl knows, else British English. */
export function localeOf(req: Request | undefined): string {
  for (const tag of req ? req.acceptsLanguages() : []) {
    try {
      const supported = Intl.DateTimeFormat.supportedLocalesOf(tag).at(0)
      if (supported !== undefined) return supported
    } catch {
      // '*' or a malformed tag: try the next one
    }
  }
  return 'en-GB'
}

/**
 * A `<time>` element (HTML, escaped) for an instant in ms since the epoch; `date` reads a
 * calendar date as is, without moving it across time zones.
 */
export function timeTag(epochMs: number | undefined, format: TimeFormat, locale: string, now: number = Date.now()): string {
  if (epochMs === undefined || !Number.isFinite(epochMs)) return '<span class="muted">-</span>'
  const iso = new Date(epochMs).toISOString()
  const datetime = format === 'date' ? iso.slice(0, 10) : iso
  const title = format === 'relative' ? ` title="${escape(absolute(epochMs, locale))}"` : ''
  return `<time datetime="${datetime}" data-format="${format}"${title}>${escape(text(epochMs, format, locale, now))}</time>`
}

function text(epochMs: number, format: TimeFormat, locale: string, now: number): string {
  if (format === 'relative') return relative(epochMs - now, locale)
  if (format === 'date') return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(epochMs)
  return absolute(epochMs, locale)
}

/** Without the browser's time zone, the server says UTC. */
function absolute(epochMs: number, locale: string): string {
  return `${new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(epochMs)} UTC`
}

/** "in 4 hours", "3 minutes ago", "now": the largest unit, rounded (the same rule as public/time.js). */
export function relative(deltaMs: number, locale: string): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  const seconds = Math.round(deltaMs / 1000)
  const abs = Math.abs(seconds)
  if (abs < 60) return format.format(seconds, 'second')
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute')
  if (abs < 48 * 3600) return format.format(Math.round(seconds / 3600), 'hour')
  return format.format(Math.round(seconds / 86400), 'day')
}

/** A calendar date `YYYY-MM-DD…` from lexoffice as that day's UTC midnight (the day, wherever the reader is). */
export function calendarDate(value: string | undefined): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value ?? '')
  return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : undefined
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

import type { IncomingMessage, ServerResponse } from 'node:http'
import { sanitizeReturnTo } from '../strategy/returnTo'

/**
 * The package's default answers (guard, error handler, login failures): a short page for
 * browsers, `{ error, code, message }` JSON for everything else. No stack trace, no upstream
 * body, no secret: messages are the package's own fixed texts.
 */

/** What an answer says, before it is rendered as HTML or JSON. */
export interface LexofficeView {
  /** HTTP status of the answer. */
  status: number
  /** Machine code for JSON clients, e.g. `lexoffice_auth_lost`. */
  error: string
  /** The package's error code, e.g. `AUTH_LOST`. */
  code: string
  /** Short page title. */
  title: string
  /** One or two sentences for the user. */
  message: string
  /** Where the user can go next, e.g. to connect again. */
  link?: { href: string; text: string }
  /** Extra JSON members, e.g. `reason`. */
  extra?: Record<string, string>
}

/** Renders a view; replaceable through the routes' `render` option. */
export type LexofficeRender = (req: IncomingMessage, res: ServerResponse, view: LexofficeView) => void

type Req = IncomingMessage & { originalUrl?: string }

/** A browser navigation: `text/html` accepted explicitly (not only through `*\/*`). */
export function acceptsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept
  if (!accept) return false
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';')
    if (type !== 'text/html' && type !== 'application/xhtml+xml') return false
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  })
}

/** The request's own relative URL, safe to use as `returnTo`, or `undefined`. */
export function currentPath(req: Req): string | undefined {
  return sanitizeReturnTo(req.originalUrl ?? req.url ?? '/')
}

/** `path?returnTo=…&name=value` with every part encoded. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value)
  const text = params.toString()
  return text === '' ? path : `${path}?${text}`
}

/** Redirects a browser (303 after a POST, else 302); never caches. */
export function redirect(req: IncomingMessage, res: ServerResponse, location: string): void {
  res.statusCode = req.method === 'POST' ? 303 : 302
  res.setHeader('cache-control', 'no-store')
  res.setHeader('location', location)
  res.end()
}

/** The default renderer: a small self-contained page for browsers, JSON otherwise. */
export const defaultRender: LexofficeRender = (req, res, view) => {
  res.statusCode = view.status
  res.setHeader('cache-control', 'no-store')
  if (acceptsHtml(req)) {
    res.setHeader('content-type', 'text/html; charset=utf-8')
    res.end(page(view))
    return
  }
  res.setHeader('content-type', 'application/json; charset=utf-8')
  res.end(JSON.stringify({ error: view.error, code: view.code, message: view.message, ...view.extra }))
}

function page(view: LexofficeView): string {
  const link = view.link ? `<p><a class="button" href="${escapeHtml(view.link.href)}">${escapeHtml(view.link.text)}</a></p>` : ''
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(view.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}.button{display:inline-block;padding:.5rem 1rem;border-radius:.3rem;background:#0a58ca;color:#fff;text-decoration:none}
.code{color:#777;font-size:.85rem}</style></head>
<body><h1>${escapeHtml(view.title)}</h1><p>${escapeHtml(view.message)}</p>${link}<p class="code">${escapeHtml(view.code)}</p></body></html>
`
}

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

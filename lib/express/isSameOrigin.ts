import type { IncomingMessage } from 'node:http'

/**
 * CSRF defence of the package's POST routes (logout, disconnect) without a token: the request
 * must come from a page of the app itself. Browsers send `Origin` on every cross-site POST (and
 * `Sec-Fetch-Site` since 2020-2023); a request that carries neither, nor a `Referer`, cannot be a
 * browser's cross-site form and is allowed (curl, server-side callers); `Origin: null` is decided by
 * `Sec-Fetch-Site`, else refused. This follows OWASP's
 * "verifying origin with standard headers" defence. @internal
 */
export function isSameOrigin(req: IncomingMessage, appOrigin: string): boolean {
  const origin = header(req, 'origin')
  if (origin !== undefined && origin !== 'null') return origin === appOrigin
  // `Origin: null`: a page with `Referrer-Policy: no-referrer` (helmet's default) posting to its
  // own origin, or an opaque context (sandboxed frame, data: URL). Sec-Fetch-Site tells them apart;
  // without it, refuse.
  const site = header(req, 'sec-fetch-site')
  if (site !== undefined) return site === 'same-origin' || site === 'none'
  if (origin === 'null') return false
  const referer = header(req, 'referer')
  if (referer !== undefined) {
    try {
      return new URL(referer).origin === appOrigin
    } catch {
      return false
    }
  }
  return true
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  if (Array.isArray(value)) return value.length === 1 ? value[0] : 'invalid'
  return value === undefined || value === '' ? undefined : value
}

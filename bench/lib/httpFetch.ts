/**
 * A minimal fetch-compatible function over node:http (keep-alive agent), for the P4 diagnostic
 * run: it shows how much of LexofficeStrategy's per-login cost is Node's built-in fetch (undici)
 * compared with node:http, which passport-oauth2's node-oauth uses. Bench-only: http: URLs, no
 * redirects, no streaming.
 */
import { Agent, request } from 'node:http'

const agent = new Agent({ keepAlive: true })

export async function httpFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(String(input))
  const headers: Record<string, string> = {}
  new Headers(init.headers ?? {}).forEach((v, k) => {
    headers[k] = v
  })
  const body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : Buffer.from(init.body as Uint8Array)
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
  return new Promise<Response>((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const h = new Headers()
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v)
        const status = res.statusCode ?? 500
        resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: h }))
      })
    })
    req.on('error', reject)
    const signal = init.signal
    if (signal) {
      if (signal.aborted) req.destroy(signal.reason as Error)
      else signal.addEventListener('abort', () => req.destroy(signal.reason as Error), { once: true })
    }
    req.end(body)
  })
}

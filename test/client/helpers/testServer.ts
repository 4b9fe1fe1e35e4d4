import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request as the test server saw it. */
export interface Seen {
  method: string
  /** Path without query. */
  path: string
  /** The raw query string (without `?`), exactly as sent. */
  rawQuery: string
  query: URLSearchParams
  headers: http.IncomingHttpHeaders
  body: Buffer
  /** `Date.now()` at arrival. */
  at: number
}

/** What a route answers: a response, `'hang'` (never answer) or `'destroy'` (drop the socket after reading). */
export type Reply = { status: number; headers?: Record<string, string>; body?: string | Buffer | object } | 'hang' | 'destroy'

/** A started port-0 loopback server recording every request. */
export interface TestServer {
  url: string
  seen: Seen[]
  close(): Promise<void>
}

/** Starts a `node:http` server on 127.0.0.1:0 whose answers come from `handler`. */
export async function startTestServer(handler: (req: Seen, index: number) => Reply | Promise<Reply>): Promise<TestServer> {
  const seen: Seen[] = []
  const sockets = new Set<import('node:net').Socket>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = req.url ?? '/'
      const q = raw.indexOf('?')
      const entry: Seen = {
        method: req.method ?? 'GET',
        path: q === -1 ? raw : raw.slice(0, q),
        rawQuery: q === -1 ? '' : raw.slice(q + 1),
        query: new URLSearchParams(q === -1 ? '' : raw.slice(q + 1)),
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      }
      seen.push(entry)
      Promise.resolve(handler(entry, seen.length - 1)).then(
        (reply) => {
          if (reply === 'hang') return
          if (reply === 'destroy') {
            req.socket.destroy()
            return
          }
          const headers: Record<string, string> = { ...(reply.headers ?? {}) }
          let body: string | Buffer | undefined
          if (reply.body === undefined || typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) body = reply.body
          else {
            body = JSON.stringify(reply.body)
            headers['content-type'] ??= 'application/json'
          }
          res.writeHead(reply.status, headers)
          res.end(body)
        },
        (err: unknown) => {
          res.writeHead(500)
          res.end(String(err))
        },
      )
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/**
 * A strict token bucket like lexoffice's: `ratePerSecond` refill, `burst` capacity. `take()`
 * answers whether a request arriving now is allowed.
 */
export function strictBucket(ratePerSecond: number, burst: number): { take(now?: number): boolean } {
  let tokens = burst
  let last = Date.now()
  return {
    take(now = Date.now()) {
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * ratePerSecond)
      last = now
      if (tokens >= 1) {
        tokens -= 1
        return true
      }
      return false
    },
  }
}

/** A Spring page of `content`. */
export function page(content: unknown[], number: number, totalPages: number, totalElements: number): object {
  return {
    content,
    first: number === 0,
    last: number >= totalPages - 1,
    totalPages,
    totalElements,
    numberOfElements: content.length,
    size: content.length,
    number,
    sort: [],
  }
}

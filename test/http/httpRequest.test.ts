import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { ErrorCodes, LexofficeError } from '../../lib/errors'
import { httpRequest, type FetchLike } from '../../lib/http/httpRequest'

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void

async function serve(handler: Handler): Promise<{ url: string; server: Server; connections: () => number; close: () => Promise<void> }> {
  let connections = 0
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  server.on('connection', (socket: Socket) => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

async function failure(promise: Promise<unknown>): Promise<LexofficeError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(LexofficeError)
  return err as LexofficeError
}

const injectedFetch: FetchLike = (input, init) => fetch(input, init)

// The same behaviour over both transports: node:http (no fetch given) and an injected fetch.
describe.each([
  ['node:http transport', undefined],
  ['injected fetch', injectedFetch],
])('httpRequest over the %s', (_name, injected) => {
  it('sends the method, headers and body and reads status, headers (any case) and body', async () => {
    const s = await serve((req, res, body) => {
      res.setHeader('content-type', 'application/json')
      res.setHeader('x-seen', `${req.method} ${req.headers['content-type']} ${req.headers['content-length']} ${encodeURIComponent(body)}`)
      res.end('{"ok":true}')
    })
    try {
      const res = await httpRequest({
        method: 'POST',
        url: `${s.url}/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=ä&b=2',
        timeoutMs: 2_000,
        fetch: injected,
      })
      expect(res.status).toBe(200)
      expect(res.headers.get('Content-Type')).toBe('application/json')
      expect(res.headers.get('x-seen')).toBe(
        `POST application/x-www-form-urlencoded ${Buffer.byteLength('a=ä&b=2')} ${encodeURIComponent('a=ä&b=2')}`,
      )
      expect(res.headers.get('x-missing')).toBeNull()
      expect(JSON.parse(res.text())).toEqual({ ok: true })
      const bytes = await httpRequest({
        method: 'PUT',
        url: `${s.url}/bytes`,
        body: new Uint8Array([104, 105]),
        timeoutMs: 2_000,
        fetch: injected,
      })
      expect(bytes.headers.get('x-seen')).toBe('PUT undefined 2 hi')
    } finally {
      await s.close()
    }
  })

  it('never follows a redirect', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' })
      res.end()
    })
    try {
      const res = await httpRequest({ method: 'GET', url: `${s.url}/x`, timeoutMs: 2_000, fetch: injected })
      expect(res.status).toBe(302)
      expect(res.headers.get('location')).toBe('http://127.0.0.1:1/elsewhere')
    } finally {
      await s.close()
    }
  })

  it('a server that never answers: TIMEOUT (504) after timeoutMs, naming host and path but not the query', async () => {
    const s = await serve(() => undefined)
    try {
      const started = Date.now()
      const err = await failure(httpRequest({ method: 'GET', url: `${s.url}/slow?token=secret-in-query`, timeoutMs: 150, fetch: injected }))
      expect({ code: err.code, status: err.status }).toEqual({ code: ErrorCodes.TIMEOUT, status: 504 })
      expect(Date.now() - started).toBeGreaterThanOrEqual(140)
      expect(err.message).toContain('/slow')
      expect(err.message).not.toContain('secret-in-query')
    } finally {
      await s.close()
    }
  })

  it('a body over maxBodyBytes: RESPONSE_TOO_LARGE, whether its length is declared or not', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/declared') {
        res.setHeader('content-length', '5000')
        res.end('x'.repeat(5000))
      } else {
        res.write('x'.repeat(3000))
        res.end('x'.repeat(3000))
      }
    })
    try {
      for (const path of ['/declared', '/chunked']) {
        const err = await failure(
          httpRequest({ method: 'GET', url: `${s.url}${path}`, timeoutMs: 2_000, maxBodyBytes: 4096, fetch: injected }),
        )
        expect({ code: err.code, status: err.status }).toEqual({ code: ErrorCodes.RESPONSE_TOO_LARGE, status: 502 })
      }
    } finally {
      await s.close()
    }
  })

  it('nobody listening: NETWORK_ERROR (502) whose cause keeps the code ECONNREFUSED (the API client retries only unsent requests)', async () => {
    const s = await serve(() => undefined)
    const url = s.url
    await s.close()
    const err = await failure(httpRequest({ method: 'POST', url: `${url}/token`, body: 'x=1', timeoutMs: 2_000, fetch: injected }))
    expect({ code: err.code, status: err.status }).toEqual({ code: ErrorCodes.NETWORK_ERROR, status: 502 })
    expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED')
  })

  it('the connection drops in the middle of the body: NETWORK_ERROR, no hang', async () => {
    const s = await serve((_req, res) => {
      res.setHeader('content-length', '100')
      res.write('partial')
      setImmediate(() => res.socket?.destroy())
    })
    try {
      const err = await failure(httpRequest({ method: 'GET', url: `${s.url}/cut`, timeoutMs: 5_000, fetch: injected }))
      expect(err.code).toBe(ErrorCodes.NETWORK_ERROR)
    } finally {
      await s.close()
    }
  })

  it("the caller's signal cancels the request and its reason is rethrown, as fetch does", async () => {
    const s = await serve(() => undefined)
    try {
      const controller = new AbortController()
      const pending = httpRequest({ method: 'GET', url: `${s.url}/wait`, timeoutMs: 5_000, signal: controller.signal, fetch: injected })
      const reason = new Error('the user went away')
      controller.abort(reason)
      await expect(pending).rejects.toBe(reason)
    } finally {
      await s.close()
    }
  })
})

describe('httpRequest over node:http', () => {
  it('keeps the connection alive between sequential requests', async () => {
    const s = await serve((_req, res) => res.end('ok'))
    try {
      for (let i = 0; i < 5; i++) expect((await httpRequest({ method: 'GET', url: `${s.url}/n${i}`, timeoutMs: 2_000 })).text()).toBe('ok')
      expect(s.connections()).toBe(1)
    } finally {
      await s.close()
    }
  })

  it('a header value node:http refuses (a newline) is a NETWORK_ERROR, not a crash, and shows no header', async () => {
    const s = await serve((_req, res) => res.end('ok'))
    try {
      const err = await failure(
        httpRequest({ method: 'GET', url: `${s.url}/h`, headers: { authorization: 'Bearer secret-value\r\nx: y' }, timeoutMs: 2_000 }),
      )
      expect(err.code).toBe(ErrorCodes.NETWORK_ERROR)
      expect(JSON.stringify({ message: err.message, cause: String(err.cause) })).not.toContain('secret-value')
    } finally {
      await s.close()
    }
  })
})

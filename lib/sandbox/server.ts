import type { IncomingMessage, ServerResponse } from 'node:http'
import { gatewayError, json, regularError } from './http'
import { applyFault } from './oauth/faults'
import type { SandboxRouter } from './router'
import type { SandboxRequestLogEntry, SandboxState } from './SandboxState'
import type { SandboxRequest, SandboxResponse } from './types'
import { MAX_UPLOAD_BODY_BYTES } from './api/files'

/**
 * The node:http glue of the sandbox: reads the body (size-capped), logs the request without
 * secrets, routes it, and writes the answer. Nothing a client sends can crash it: malformed
 * input gets a 4xx, a throwing handler a bare 500 without stack trace.
 *
 * @internal
 */

const MAX_URL_LENGTH = 16 * 1024
const GRANT_TYPE = /^[a-z_]{1,40}$/

function send(res: ServerResponse, answer: SandboxResponse): void {
  if (res.headersSent || res.destroyed || res.writableEnded) return
  let body: Buffer
  const headers: Record<string, string> = { 'x-content-type-options': 'nosniff', ...answer.headers }
  if (answer.body === undefined) body = Buffer.alloc(0)
  else if (typeof answer.body === 'string') body = Buffer.from(answer.body, 'utf8')
  else if (Buffer.isBuffer(answer.body)) body = answer.body
  else {
    body = Buffer.from(JSON.stringify(answer.body), 'utf8')
    headers['content-type'] ??= 'application/json; charset=utf-8'
  }
  headers['content-length'] = String(body.length)
  try {
    res.writeHead(answer.status, headers)
    res.end(body)
  } catch {
    // A handler produced an invalid header: answer a plain 500 instead.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- end() may throw after writeHead() sent the head
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
      res.end('{"message":null}')
    } else res.destroy()
  }
}

/** Reads the body up to `max` bytes; `undefined` when it is larger. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    req.on('data', (chunk: Buffer) => {
      if (done) return
      size += chunk.length
      if (size > max) {
        done = true
        resolve(undefined)
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!done) {
        done = true
        resolve(Buffer.concat(chunks))
      }
    })
    const fail = (err: Error): void => {
      if (!done) {
        done = true
        reject(err)
      }
    }
    req.on('error', fail)
    // The client went away before the body was complete.
    req.on('close', () => fail(new Error('request aborted')))
  })
}

/** Answers 413 and closes the connection once the answer is out, without reading the rest. */
function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('connection', 'close')
  res.on('finish', () => req.socket.destroySoon())
  send(res, gatewayError(413, 'Payload Too Large'))
}

function notFound(req: SandboxRequest, ctx: SandboxState): SandboxResponse {
  if (req.path.startsWith('/v1/')) return regularError(req, 404, 'Resource not found', [], ctx.now())
  return gatewayError(404, 'Not Found')
}

/**
 * Creates the `request` listener for a sandbox's node:http server.
 * @internal
 */
export function createRequestListener(
  router: SandboxRouter<SandboxState>,
  ctx: SandboxState,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, router, ctx).catch(() => {
      send(res, json(500, { message: null }))
    })
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, router: SandboxRouter<SandboxState>, ctx: SandboxState): Promise<void> {
  const rawUrl = req.url ?? '/'
  const method = req.method ?? 'GET'
  const q = rawUrl.indexOf('?')
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q)
  const sreq: SandboxRequest = {
    method,
    path,
    query: new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1)),
    headers: req.headers,
    body: Buffer.alloc(0),
    params: {},
  }
  const entry: SandboxRequestLogEntry = { method, path: path.slice(0, 256), status: 0, time: ctx.now() }
  ctx.logRequest(sreq, entry)
  res.on('finish', () => {
    entry.status = res.statusCode
  })

  if (!path.startsWith('/') || rawUrl.length > MAX_URL_LENGTH) {
    req.resume()
    send(res, gatewayError(400, 'Bad Request'))
    return
  }
  // A file upload may carry lexoffice's 5 MiB: the cap of multipart bodies is at least that much.
  const multipart = /^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '')
  const cap = multipart ? Math.max(ctx.maxBodyBytes, MAX_UPLOAD_BODY_BYTES) : ctx.maxBodyBytes
  const declared = Number(req.headers['content-length'] ?? 0)
  const body = Number.isFinite(declared) && declared > cap ? undefined : await readBody(req, cap)
  if (body === undefined) {
    tooLarge(req, res)
    return
  }
  sreq.body = body

  if (path === '/oauth2/token' && method === 'POST') {
    const grantType = new URLSearchParams(body.toString('utf8')).get('grant_type')
    if (grantType !== null && GRANT_TYPE.test(grantType)) entry.grantType = grantType
  }

  const fault = path.startsWith('/v1/') ? ctx.takeApiFault(path) : undefined
  if (fault) {
    entry.fault = fault.kind
    const outcome = await applyFault(fault, ctx, 'api')
    if (outcome !== 'process' || ctx.closed) {
      send(res, outcome === 'process' ? json(503, { message: 'Sandbox is shutting down' }) : outcome)
      return
    }
  }

  const match = router.match(method, path)
  switch (match.kind) {
    case 'none':
      send(res, notFound(sreq, ctx))
      return
    case 'bad-path':
      send(res, gatewayError(400, 'Bad Request'))
      return
    case 'method': {
      const answer = gatewayError(405, 'Method Not Allowed')
      answer.headers = { ...answer.headers, allow: match.allow.join(', ') }
      send(res, answer)
      return
    }
    case 'found': {
      sreq.params = match.params
      let answer: SandboxResponse
      try {
        answer = await match.handler(sreq, ctx)
      } catch {
        answer = json(500, { message: null })
      }
      send(res, answer)
      return
    }
  }
}

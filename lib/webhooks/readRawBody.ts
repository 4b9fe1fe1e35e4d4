/**
 * Getting the exact request bytes the signature covers, with a size limit.
 * @internal
 */
import type { IncomingMessage } from 'node:http'
import { getCapturedRawBody } from './lexofficeRawBody'

/** A request as Express or a framework may have left it: maybe with a parsed or raw body. @internal */
export type WebhookRequest = IncomingMessage & { body?: unknown; rawBody?: unknown }

/**
 * The outcome of {@link readRawBody}: the bytes, or why there are none (`tooLarge`: over the
 * limit; otherwise the client went away or the stream failed).
 * @internal
 */
export type RawBodyResult = { ok: true; body: Buffer } | { ok: false; tooLarge: boolean }

/**
 * The raw body: a copy kept by `lexofficeRawBody()`, a Buffer from `express.raw()` or a
 * `req.rawBody` Buffer (NestJS, Cloud Functions), else read from the stream, at most `limit` bytes.
 * `'consumed'` when a parser already read the stream and kept no raw copy.
 * @internal
 */
export function readRawBody(req: WebhookRequest, limit: number): Promise<RawBodyResult | 'consumed'> | RawBodyResult | 'consumed' {
  const captured =
    getCapturedRawBody(req) ?? (Buffer.isBuffer(req.body) ? req.body : Buffer.isBuffer(req.rawBody) ? req.rawBody : undefined)
  if (captured) return captured.length > limit ? { ok: false, tooLarge: true } : { ok: true, body: captured }
  // body-parser marks the requests it read with `_body`; anything else that read the stream left it ended or flowing.
  if ((req as { _body?: unknown })._body === true || req.readableEnded || req.readableFlowing === true) return 'consumed'
  return readStream(req, limit)
}

function readStream(req: IncomingMessage, limit: number): Promise<RawBodyResult> {
  return new Promise((resolve) => {
    const declared = req.headers['content-length']
    if (declared !== undefined && Number(declared) > limit) {
      // Refuse before reading a byte. The rest of the request is discarded unread.
      stopReading(req)
      resolve({ ok: false, tooLarge: true })
      return
    }
    const chunks: Buffer[] = []
    let received = 0
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onFailure)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer): void => {
      received += chunk.length
      if (received > limit) {
        cleanup()
        chunks.length = 0
        stopReading(req)
        resolve({ ok: false, tooLarge: true })
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      cleanup()
      resolve({ ok: true, body: Buffer.concat(chunks, received) })
    }
    const onFailure = (): void => {
      cleanup()
      resolve({ ok: false, tooLarge: false })
    }
    const onClose = (): void => {
      if (!req.complete) onFailure()
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onFailure)
    req.on('close', onClose)
  })
}

/**
 * Stops buffering an oversized request. The remaining bytes are drained and dropped (so the
 * client can read our 413 instead of failing on a reset), the answer says `Connection: close`,
 * and the socket is closed once the answer is out even if the client keeps sending.
 */
function stopReading(req: IncomingMessage): void {
  req.on('error', () => undefined)
  req.resume()
}

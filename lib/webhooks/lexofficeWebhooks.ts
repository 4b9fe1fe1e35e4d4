import type { KeyLike } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ErrorCodes, LexofficeWebhookError } from '../errors'
import { assertFunction, assertInteger, assertKnownKeys, invalidArg } from '../options/assert'
import type { LexofficeEvent, LexofficeKnownEvent } from './events'
import { getCapturedRawBody } from './lexofficeRawBody'
import { parseLexofficeEvent } from './parseLexofficeEvent'
import { RecentEvents } from './recentEvents'
import { decodeSignatureHeader, LEXOFFICE_SIGNATURE_HEADER, toRsaPublicKey, verifyBytes } from './signatureInternals'

/**
 * What your handlers get besides the event.
 *
 * @example
 * ```ts
 * import type { LexofficeEventContext } from 'passport-lexoffice'
 * const onEvent = (event: LexofficeEvent, { connection }: LexofficeEventContext<string>) => sync(connection, event)
 * ```
 */
export interface LexofficeEventContext<TConnection> {
  /** What `resolveConnection` returned for this event; `undefined` when there is no `resolveConnection`. */
  readonly connection: TConnection | undefined
}

/**
 * Argument of `onTokenRevoked`: the user revoked this app's access in lexoffice, the refresh
 * token is dead. Mark the connection lost; the user must connect again.
 *
 * @example
 * ```ts
 * import type { LexofficeTokenRevocation } from 'passport-lexoffice'
 * const onTokenRevoked = ({ connectionId }: LexofficeTokenRevocation) => store.markRevoked(connectionId)
 * ```
 */
export interface LexofficeTokenRevocation<TConnection = unknown> {
  /** The revoked connection (`connectionId` of `/v1/profile`); lexoffice sends it as `resourceId`. */
  readonly connectionId: string
  /** The organisation the connection belonged to. */
  readonly organizationId: string
  /** What `resolveConnection` returned for this event; `undefined` when there is no `resolveConnection`. */
  readonly connection: TConnection | undefined
  /** The whole event. */
  readonly event: LexofficeKnownEvent<'token.revoked'>
}

/**
 * Where a failure reported to `onError` happened.
 *
 * - `configuration`: the request body was consumed by a body parser and no raw copy exists (answered 500).
 * - `resolveConnection`, `onTokenRevoked`, `onEvent`, `onUnknownOrganization`: that callback threw or rejected
 *   (the request was already answered 2xx).
 * - `internal`: a bug in this package (answered 500 if nothing was sent yet). Please report it.
 *
 * @example
 * ```ts
 * import type { LexofficeWebhookStage } from 'passport-lexoffice'
 * const critical: LexofficeWebhookStage[] = ['configuration', 'onTokenRevoked']
 * ```
 */
export type LexofficeWebhookStage = 'configuration' | 'resolveConnection' | 'onTokenRevoked' | 'onEvent' | 'onUnknownOrganization' | 'internal'

/**
 * Second argument of `onError`.
 *
 * @example
 * ```ts
 * import type { LexofficeWebhookErrorInfo } from 'passport-lexoffice'
 * const onError = (err: unknown, { stage, event }: LexofficeWebhookErrorInfo) => log.error({ err, stage, eventType: event?.eventType })
 * ```
 */
export interface LexofficeWebhookErrorInfo {
  /** Which step failed. */
  readonly stage: LexofficeWebhookStage
  /** The verified event, for the callback stages; `undefined` for `configuration` and `internal`. */
  readonly event: LexofficeEvent | undefined
}

/**
 * Why a request was refused before any handler ran (argument of `onRejected`).
 *
 * @example
 * ```ts
 * import type { LexofficeWebhookRejection } from 'passport-lexoffice'
 * const onRejected = ({ status, reason }: LexofficeWebhookRejection) => metrics.increment('webhook.rejected', { status, reason })
 * ```
 */
export interface LexofficeWebhookRejection {
  /** The status answered: 400, 401, 405, 413 or 415. */
  readonly status: 400 | 401 | 405 | 413 | 415
  /** Machine-readable reason: an {@link ErrorCodes} webhook code, or `METHOD_NOT_ALLOWED`, `UNSUPPORTED_MEDIA_TYPE`, `BODY_TOO_LARGE`. */
  readonly reason:
    | typeof ErrorCodes.WEBHOOK_SIGNATURE_MISSING
    | typeof ErrorCodes.WEBHOOK_SIGNATURE_INVALID
    | typeof ErrorCodes.WEBHOOK_PAYLOAD_INVALID
    | 'METHOD_NOT_ALLOWED'
    | 'UNSUPPORTED_MEDIA_TYPE'
    | 'BODY_TOO_LARGE'
  /** The error, for signature and payload rejections. */
  readonly error: LexofficeWebhookError | undefined
}

/**
 * Options of {@link lexofficeWebhooks}.
 *
 * @example
 * ```ts
 * import type { LexofficeWebhooksOptions } from 'passport-lexoffice'
 * const options: LexofficeWebhooksOptions<string> = {
 *   resolveConnection: (event) => connections.findKey(event),
 *   onEvent: (event, { connection }) => jobs.enqueue(connection, event),
 *   onTokenRevoked: ({ connection }) => manager.markLost(connection!, 'token.revoked'),
 * }
 * ```
 */
export interface LexofficeWebhooksOptions<TConnection = unknown> {
  /**
   * The key that verifies `X-Lxo-Signature` (PEM, DER or `KeyObject`). Defaults to lexoffice's
   * published key shipped with this package ({@link LEXOFFICE_WEBHOOK_PUBLIC_KEY}); set it for
   * tests, the sandbox, or after lexoffice rotates its key.
   */
  publicKey?: KeyLike
  /**
   * Called once per verified event, **after** the request was answered (lexoffice waits only
   * 5 s). Receives every event, `token.revoked` included (after `onTokenRevoked`). Throwing or
   * rejecting goes to `onError`. Must be idempotent: lexoffice may deliver an event more than once.
   */
  onEvent: (event: LexofficeEvent, context: LexofficeEventContext<TConnection>) => unknown
  /** Called for `token.revoked` (before `onEvent`), with `connectionId` = the event's `resourceId`. */
  onTokenRevoked?: (revocation: LexofficeTokenRevocation<TConnection>) => unknown
  /**
   * Finds your connection for an event, e.g. by `organizationId`, or by `resourceId`
   * (= `connectionId`) for `token.revoked`. Returning `undefined` or `null` means "not ours": the event is
   * acknowledged and passed to `onUnknownOrganization` only. Runs after the answer was sent.
   */
  resolveConnection?: (event: LexofficeEvent) => TConnection | null | undefined | Promise<TConnection | null | undefined>
  /** Called instead of the other handlers when `resolveConnection` returned `undefined` or `null`. */
  onUnknownOrganization?: (event: LexofficeEvent) => unknown
  /**
   * Called with errors of your callbacks and with the raw-body misconfiguration. Default: a
   * one-line `console.error` (name, code and message; no stack, no payload). Its own errors are swallowed.
   */
  onError?: (err: unknown, info: LexofficeWebhookErrorInfo) => unknown
  /** Called for each refused request (bad signature, bad payload, wrong method/type, too large). Its errors are swallowed. */
  onRejected?: (rejection: LexofficeWebhookRejection) => unknown
  /** Largest body accepted, in bytes (256 to 10 MiB). Default 64 KiB; a lexoffice event is about 200 bytes. */
  maxBodyBytes?: number
  /**
   * Drop repeated deliveries of the same event (same organisation, type, resource and date) seen
   * recently **in this process**: `true` (default, 1000 entries), `false`, or the number of
   * entries to remember. Best effort only; with several processes, make handlers idempotent.
   */
  dedupe?: boolean | number
}

/**
 * A request handler for Express 4/5 (or plain `node:http`): `(req, res, next?) => void`.
 *
 * @example
 * ```ts
 * import type { LexofficeWebhookHandler } from 'passport-lexoffice'
 * const handler: LexofficeWebhookHandler = lexofficeWebhooks({ onEvent })
 * http.createServer(handler).listen(0)
 * ```
 */
export type LexofficeWebhookHandler = (
  req: IncomingMessage & { body?: unknown; rawBody?: unknown },
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => void

const OPTION_KEYS = [
  'publicKey',
  'onEvent',
  'onTokenRevoked',
  'resolveConnection',
  'onUnknownOrganization',
  'onError',
  'onRejected',
  'maxBodyBytes',
  'dedupe',
] as const
const DEFAULT_MAX_BODY_BYTES = 64 * 1024
const DEFAULT_DEDUPE_ENTRIES = 1000
/** Error code of the raw-body misconfiguration reported to `onError` (stage `configuration`). */
const RAW_BODY_UNAVAILABLE = 'ERR_LEXOFFICE_RAW_BODY_UNAVAILABLE'

type BodyResult = { ok: true; body: Buffer } | { ok: false; tooLarge: boolean }

/**
 * The receiving end of lexoffice event subscriptions, as one request handler. Mount it with
 * `app.use(path, …)` (it answers every method itself):
 *
 * 1. non-POST: 405 (`Allow: POST, HEAD`); HEAD: 200 with no body, because lexoffice sends a HEAD to
 *    the callback URL when you create a subscription (it checks the TLS certificate);
 * 2. `Content-Type` other than `application/json` (UTF-8), or any `Content-Encoding`: 415;
 * 3. missing `X-Lxo-Signature`: 401; malformed (not base64, absurd length): 401;
 * 4. body over `maxBodyBytes`: 413, and reading stops;
 * 5. signature not valid over the **raw** body bytes: 401 (lexoffice retries 401 for up to about 40 hours,
 *    so after a key rotation you can still receive the events once `publicKey` is updated);
 * 6. body not a valid event: 400 (lexoffice does not retry other 4xx);
 * 7. otherwise 204 at once, then, after the answer: `resolveConnection`, `onUnknownOrganization`
 *    or (`onTokenRevoked` and) `onEvent`. Their errors go to `onError`, never to the process.
 *
 * No handler runs for a refused request (steps 1 to 6); `onRejected` hears about them.
 *
 * **Raw body.** The signature covers the exact bytes, so the handler must see them:
 * - mount it before any JSON body parser (it reads the stream itself), or
 * - keep the app-wide `express.json({ verify: lexofficeRawBody() })` (see {@link lexofficeRawBody}), or
 * - put `express.raw({ type: 'application/json' })` in front of it.
 * If a parser consumed the body and no raw copy exists, the request is answered 500 (lexoffice
 * retries 5xx, so no event is lost once you fix it) and `onError` gets an error with code
 * `ERR_LEXOFFICE_RAW_BODY_UNAVAILABLE` (without `onError`, one `console.error` per handler).
 *
 * **Idempotency.** lexoffice retries failed deliveries and may deliver twice. Repeats seen
 * recently in this process are dropped (`dedupe`); your handlers should still be idempotent,
 * which is natural since events only carry ids: fetch the resource and reconcile.
 *
 * @param options - See {@link LexofficeWebhooksOptions}.
 * @returns The request handler.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for bad options, e.g. a
 *   `publicKey` that is not an RSA key or an unknown option name.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { lexofficeWebhooks } from 'passport-lexoffice'
 *
 * const app = express()
 * app.use(
 *   '/hooks/lexoffice', // before express.json(), or use lexofficeRawBody()
 *   lexofficeWebhooks({
 *     resolveConnection: (event) =>
 *       event.eventType === 'token.revoked' ? db.userByConnectionId(event.resourceId) : db.userByOrganization(event.organizationId),
 *     onTokenRevoked: ({ connection }) => manager.markLost(connection!.id, 'token.revoked'),
 *     onEvent: async (event, { connection }) => {
 *       if (event.known && event.eventType === 'invoice.status.changed') await jobs.add('sync-invoice', { user: connection!.id, id: event.resourceId })
 *     },
 *     onUnknownOrganization: (event) => log.warn('lexoffice event for an unknown organisation', event.organizationId),
 *     onError: (err, { stage }) => log.error({ err, stage }, 'lexoffice webhook handler failed'),
 *   }),
 * )
 * app.use(express.json())
 * ```
 */
export function lexofficeWebhooks<TConnection = unknown>(options: LexofficeWebhooksOptions<TConnection>): LexofficeWebhookHandler {
  if (options === null || typeof options !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', '"options" must be an object')
  assertKnownKeys(options, OPTION_KEYS, 'lexofficeWebhooks')
  assertFunction(options.onEvent, 'onEvent')
  for (const name of ['onTokenRevoked', 'resolveConnection', 'onUnknownOrganization', 'onError', 'onRejected'] as const) {
    if (options[name] !== undefined) assertFunction(options[name], name)
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  assertInteger(maxBodyBytes, 'maxBodyBytes', 256, 10 * 1024 * 1024)
  const dedupeOption = options.dedupe ?? true
  if (typeof dedupeOption === 'number') assertInteger(dedupeOption, 'dedupe', 1, 1_000_000)
  else if (typeof dedupeOption !== 'boolean') throw invalidArg('ERR_INVALID_ARG_TYPE', '"dedupe" must be a boolean or an integer')
  const recent =
    dedupeOption === false ? undefined : new RecentEvents(dedupeOption === true ? DEFAULT_DEDUPE_ENTRIES : dedupeOption)
  // Resolve the key now so a bad key fails at start-up, not at the first delivery.
  const key = toRsaPublicKey(options.publicKey)
  const { onEvent, onTokenRevoked, resolveConnection, onUnknownOrganization, onError, onRejected } = options
  let loggedMisconfiguration = false

  const report = async (err: unknown, info: LexofficeWebhookErrorInfo): Promise<void> => {
    if (onError) {
      try {
        await onError(err, info)
      } catch {
        // onError must not take the process down; there is nowhere left to report to.
      }
      return
    }
    if (info.stage === 'configuration') {
      if (loggedMisconfiguration) return
      loggedMisconfiguration = true
    }
    console.error(`passport-lexoffice webhooks: ${info.stage} failed: ${describe(err)}`)
  }

  const reject = (res: ServerResponse, rejection: LexofficeWebhookRejection, message: string, headers: Record<string, string> = {}): void => {
    send(res, rejection.status, message, headers)
    if (onRejected) {
      try {
        Promise.resolve(onRejected(rejection)).catch(() => undefined)
      } catch {
        // ignored, as documented
      }
    }
  }

  const dispatch = async (event: LexofficeEvent): Promise<void> => {
    let connection: TConnection | undefined
    if (resolveConnection) {
      try {
        connection = (await resolveConnection(event)) ?? undefined
      } catch (err) {
        return report(err, { stage: 'resolveConnection', event })
      }
      if (connection === undefined) {
        if (onUnknownOrganization) await run('onUnknownOrganization', event, () => onUnknownOrganization(event))
        return
      }
    }
    if (onTokenRevoked && event.known && event.eventType === 'token.revoked') {
      const revocation: LexofficeTokenRevocation<TConnection> = {
        connectionId: event.resourceId,
        organizationId: event.organizationId,
        connection,
        event: event as LexofficeKnownEvent<'token.revoked'>,
      }
      await run('onTokenRevoked', event, () => onTokenRevoked(revocation))
    }
    await run('onEvent', event, () => onEvent(event, { connection }))
  }

  const run = async (stage: LexofficeWebhookStage, event: LexofficeEvent, fn: () => unknown): Promise<void> => {
    try {
      await fn()
    } catch (err) {
      await report(err, { stage, event })
    }
  }

  const handle = async (req: IncomingMessage & { body?: unknown; rawBody?: unknown }, res: ServerResponse): Promise<void> => {
    const method = req.method ?? ''
    if (method === 'HEAD') return send(res, 200, '')
    if (method !== 'POST') {
      return reject(res, { status: 405, reason: 'METHOD_NOT_ALLOWED', error: undefined }, 'Method Not Allowed', { Allow: 'POST, HEAD' })
    }
    if (!isJsonUtf8(req.headers['content-type']) || !isIdentityEncoding(req.headers['content-encoding'])) {
      return reject(res, { status: 415, reason: 'UNSUPPORTED_MEDIA_TYPE', error: undefined }, 'Unsupported Media Type: send application/json')
    }
    const signature = decodeSignatureHeader(req.headers[LEXOFFICE_SIGNATURE_HEADER])
    if (signature === undefined) {
      const error = new LexofficeWebhookError(ErrorCodes.WEBHOOK_SIGNATURE_MISSING, 'The webhook request has no X-Lxo-Signature header.', { status: 401 })
      return reject(res, { status: 401, reason: ErrorCodes.WEBHOOK_SIGNATURE_MISSING, error }, 'Missing X-Lxo-Signature')
    }
    if (signature === null) {
      const error = new LexofficeWebhookError(ErrorCodes.WEBHOOK_SIGNATURE_INVALID, 'The X-Lxo-Signature header is not a base64 signature.', { status: 401 })
      return reject(res, { status: 401, reason: ErrorCodes.WEBHOOK_SIGNATURE_INVALID, error }, 'Invalid X-Lxo-Signature')
    }

    const result = await obtainBody(req, maxBodyBytes)
    if (result === 'consumed') {
      const err = invalidArg(
        'ERR_INVALID_ARG_VALUE',
        'lexofficeWebhooks: the request body was already consumed by a body parser and no raw copy exists, so the ' +
          'X-Lxo-Signature cannot be checked. Mount the webhook route before express.json(), or use ' +
          'express.json({ verify: lexofficeRawBody() }).',
      )
      ;(err as Error & { code: string }).code = RAW_BODY_UNAVAILABLE
      send(res, 500, 'Internal Server Error')
      return report(err, { stage: 'configuration', event: undefined })
    }
    if (!result.ok) {
      if (result.tooLarge) {
        return reject(res, { status: 413, reason: 'BODY_TOO_LARGE', error: undefined }, 'Payload Too Large', { Connection: 'close' })
      }
      // The client went away or the stream failed: nobody is left to answer.
      if (!res.headersSent) send(res, 400, 'Bad Request', { Connection: 'close' })
      return
    }
    if (!verifyBytes(result.body, signature, key)) {
      const error = new LexofficeWebhookError(ErrorCodes.WEBHOOK_SIGNATURE_INVALID, 'The X-Lxo-Signature header does not verify over the request body.', { status: 401 })
      return reject(res, { status: 401, reason: ErrorCodes.WEBHOOK_SIGNATURE_INVALID, error }, 'Invalid X-Lxo-Signature')
    }
    let event: LexofficeEvent
    try {
      event = parseLexofficeEvent(result.body)
    } catch (err) {
      const error = err as LexofficeWebhookError
      return reject(res, { status: 400, reason: ErrorCodes.WEBHOOK_PAYLOAD_INVALID, error }, 'Invalid lexoffice event payload')
    }

    // Acknowledge first: lexoffice gives up after 5 s and retries. Handlers run afterwards.
    send(res, 204, '')
    if (recent?.checkAndAdd(`${event.organizationId}|${event.eventType}|${event.resourceId}|${event.eventDate}`)) return
    setImmediate(() => {
      dispatch(event).catch(() => undefined)
    })
  }

  return function lexofficeWebhookHandler(req, res) {
    handle(req, res).catch(async (err: unknown) => {
      // Only reachable through a bug in this package; answer and report instead of crashing.
      if (!res.headersSent) send(res, 500, 'Internal Server Error')
      await report(err, { stage: 'internal', event: undefined }).catch(() => undefined)
    })
  }
}

function send(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return
  res.statusCode = status
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  if (message === '' || status === 204) {
    res.end()
    return
  }
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(message))
  res.end(message)
}

function isJsonUtf8(contentType: string | undefined): boolean {
  if (typeof contentType !== 'string') return false
  const [type, ...params] = contentType.split(';')
  if (type?.trim().toLowerCase() !== 'application/json') return false
  for (const param of params) {
    const [name, value] = param.split('=')
    if (name?.trim().toLowerCase() !== 'charset') continue
    const charset = value?.trim().replace(/^"|"$/g, '').toLowerCase()
    if (charset !== 'utf-8' && charset !== 'utf8') return false
  }
  return true
}

function isIdentityEncoding(encoding: string | undefined): boolean {
  return encoding === undefined || encoding.trim() === '' || encoding.trim().toLowerCase() === 'identity'
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return `${err.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${err.message}`
  }
  return typeof err
}

/**
 * The raw body: a copy kept by `lexofficeRawBody()`, a Buffer from `express.raw()` or a
 * `req.rawBody` Buffer (NestJS, Cloud Functions), else read from the stream, at most `limit` bytes.
 * `'consumed'` when a parser already read the stream and kept no raw copy.
 */
function obtainBody(req: IncomingMessage & { body?: unknown; rawBody?: unknown }, limit: number): Promise<BodyResult | 'consumed'> | BodyResult | 'consumed' {
  const captured = getCapturedRawBody(req) ?? (Buffer.isBuffer(req.body) ? req.body : Buffer.isBuffer(req.rawBody) ? req.rawBody : undefined)
  if (captured) return captured.length > limit ? { ok: false, tooLarge: true } : { ok: true, body: captured }
  // body-parser marks the requests it read with `_body`; anything else that read the stream left it ended or flowing.
  if ((req as { _body?: unknown })._body === true || req.readableEnded || req.readableFlowing === true) return 'consumed'
  return readStream(req, limit)
}

function readStream(req: IncomingMessage, limit: number): Promise<BodyResult> {
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

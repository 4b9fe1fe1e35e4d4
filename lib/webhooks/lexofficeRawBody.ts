import type { IncomingMessage } from 'node:http'

// Raw bodies captured by the verify hook, per request. A WeakMap keeps them off the request
// object (nothing enumerable is added) and frees them with the request.
const rawBodies = new WeakMap<object, Buffer>()

/**
 * The `verify` hook type of `express.json()` / `body-parser` (Express 4 and 5).
 *
 * @example
 * ```ts
 * import type { LexofficeRawBodyHook } from 'passport-lexoffice'
 * const hook: LexofficeRawBodyHook = lexofficeRawBody()
 * ```
 */
export type LexofficeRawBodyHook = (req: IncomingMessage, res: unknown, buf: Buffer, encoding?: string) => void

/**
 * A `verify` hook for `express.json()` that keeps a copy of the raw request bytes, so that
 * {@link lexofficeWebhooks} can check the signature even when a JSON body parser runs first.
 *
 * You need it only when `express.json()` (or `bodyParser.json()`) is mounted **before** the
 * webhook route: the parser consumes the request stream, and the signature is over the raw
 * bytes, which re-serialising `req.body` cannot reproduce. Mounting the webhook route before
 * the JSON parser needs no hook at all. Without either, the webhook answers 500 and reports
 * the misconfiguration (see {@link lexofficeWebhooks}).
 *
 * The copy is the buffer body-parser already holds (no extra allocation), kept in a `WeakMap`
 * keyed by the request: nothing is added to `req`, and it is freed with the request.
 *
 * @returns A function to pass as `verify` to `express.json()`.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { lexofficeRawBody, lexofficeWebhooks } from 'passport-lexoffice'
 *
 * const app = express()
 * app.use(express.json({ verify: lexofficeRawBody() })) // app-wide JSON parser, raw copy kept
 * app.use('/hooks/lexoffice', lexofficeWebhooks({ onEvent: (event) => queue.add(event) }))
 * ```
 */
export function lexofficeRawBody(): LexofficeRawBodyHook {
  return (req, _res, buf) => {
    if (Buffer.isBuffer(buf)) rawBodies.set(req, buf)
  }
}

/**
 * The raw body captured by {@link lexofficeRawBody} for this request, if any.
 * @internal
 */
export function getCapturedRawBody(req: object): Buffer | undefined {
  return rawBodies.get(req)
}

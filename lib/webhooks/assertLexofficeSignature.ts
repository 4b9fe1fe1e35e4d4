import type { KeyLike } from 'node:crypto'
import { ErrorCodes, LexofficeError } from '../errors'
import { decodeSignatureHeader, toBytes, toRsaPublicKey, verifyBytes } from './signatureInternals'

/**
 * Like {@link verifyLexofficeSignature}, but throws a {@link LexofficeError} (status 401)
 * saying why: `WEBHOOK_SIGNATURE_MISSING` (no or blank header) or `WEBHOOK_SIGNATURE_INVALID`
 * (malformed header or no match). Useful in your own route when you want the error code.
 *
 * @param rawBody - The request body exactly as received.
 * @param signatureHeader - The `X-Lxo-Signature` header value.
 * @param publicKey - As for {@link verifyLexofficeSignature}.
 * @throws LexofficeError with code `WEBHOOK_SIGNATURE_MISSING` or `WEBHOOK_SIGNATURE_INVALID`.
 *
 * @example
 * ```ts
 * import { assertLexofficeSignature, parseLexofficeEvent } from 'passport-lexoffice'
 *
 * app.post('/hooks/lexoffice', express.raw({ type: 'application/json' }), (req, res, next) => {
 *   try {
 *     assertLexofficeSignature(req.body, req.get('x-lxo-signature'))
 *     const event = parseLexofficeEvent(req.body)
 *     res.sendStatus(204)
 *     void handle(event)
 *   } catch (err) {
 *     next(err) // err.status is 401 or 400
 *   }
 * })
 * ```
 */
export function assertLexofficeSignature(
  rawBody: Buffer | Uint8Array | string,
  signatureHeader: string | undefined,
  publicKey?: KeyLike,
): void {
  const key = toRsaPublicKey(publicKey)
  const bytes = toBytes(rawBody)
  const signature = decodeSignatureHeader(signatureHeader)
  if (signature === undefined) {
    throw new LexofficeError(ErrorCodes.WEBHOOK_SIGNATURE_MISSING, 'The webhook request has no X-Lxo-Signature header.', {
      status: 401,
    })
  }
  if (signature === null || !verifyBytes(bytes, signature, key)) {
    throw new LexofficeError(ErrorCodes.WEBHOOK_SIGNATURE_INVALID, 'The X-Lxo-Signature header does not verify over the request body.', {
      status: 401,
    })
  }
}

import type { KeyLike } from 'node:crypto'
import { decodeSignatureHeader, toBytes, toRsaPublicKey, verifyBytes } from './signatureInternals'

/**
 * Checks lexoffice's `X-Lxo-Signature` over the **raw** request body: base64 RSA-SHA512
 * (PKCS#1 v1.5), as `openssl dgst -sha512 -verify public_key.pub -signature sig.bin body.json`.
 *
 * Pass the exact bytes received. A body that was parsed and serialised again (other whitespace,
 * other key order, other escaping) does not verify, by design. A string is taken as UTF-8.
 *
 * Never throws for untrusted input: a missing, blank, non-base64, absurdly short or long header,
 * or a signature that does not match, all return `false`. Surrounding whitespace in the header
 * is ignored.
 *
 * @param rawBody - The request body exactly as received.
 * @param signatureHeader - The `X-Lxo-Signature` header value (`req.headers['x-lxo-signature']`).
 * @param publicKey - The key to verify with. Defaults to lexoffice's published key shipped with
 *   this package ({@link LEXOFFICE_WEBHOOK_PUBLIC_KEY}); pass another one for tests or after a key rotation.
 * @returns `true` only when the signature is valid for these bytes and this key.
 * @throws TypeError (`ERR_INVALID_ARG_VALUE`) when `publicKey` is not an RSA key, and
 *   (`ERR_INVALID_ARG_TYPE`) when `rawBody` is not bytes or a string: programming errors, not bad input.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { verifyLexofficeSignature } from 'passport-lexoffice'
 *
 * app.post('/hooks/lexoffice', express.raw({ type: 'application/json' }), (req, res) => {
 *   if (!verifyLexofficeSignature(req.body, req.get('x-lxo-signature'))) {
 *     res.sendStatus(401)
 *     return
 *   }
 *   res.sendStatus(204)
 *   queue.add(JSON.parse(req.body.toString('utf8')))
 * })
 * ```
 */
export function verifyLexofficeSignature(
  rawBody: Buffer | Uint8Array | string,
  signatureHeader: string | undefined,
  publicKey?: KeyLike,
): boolean {
  const key = toRsaPublicKey(publicKey)
  const bytes = toBytes(rawBody)
  const signature = decodeSignatureHeader(signatureHeader)
  if (!signature) return false
  return verifyBytes(bytes, signature, key)
}

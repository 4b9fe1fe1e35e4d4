/**
 * Internals shared by the signature functions and the webhook handler.
 * @internal
 * @packageDocumentation
 */
import { constants, createPublicKey, verify, KeyObject } from 'node:crypto'
import type { KeyLike } from 'node:crypto'
import { invalidArg } from '../options/assert'
import { LEXOFFICE_WEBHOOK_PUBLIC_KEY } from './lexofficePublicKey'

/** Name of the header lexoffice puts the signature in (Node lower-cases header names). @internal */
export const LEXOFFICE_SIGNATURE_HEADER = 'x-lxo-signature'

// Standard base64 (lexoffice uses Java's Base64 encoder), padded. The length bounds are loose
// around the 684 characters of a 4096-bit RSA signature: 24 is below any RSA key Node accepts,
// 4096 characters covers keys up to 24 576 bits. Anything else is rejected before any RSA work.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
const MIN_SIGNATURE_CHARS = 24
const MAX_SIGNATURE_CHARS = 4096

let defaultKey: KeyObject | undefined

/**
 * Turns a key option into an RSA public `KeyObject` once (PEM string, DER/PEM Buffer or
 * `KeyObject`; a private key is reduced to its public half). Throws a `TypeError` naming the
 * option for anything that is not an RSA key, so misconfiguration fails at start-up.
 * @internal
 */
export function toRsaPublicKey(key: KeyLike | undefined, name = 'publicKey'): KeyObject {
  if (key === undefined) {
    defaultKey ??= createPublicKey(LEXOFFICE_WEBHOOK_PUBLIC_KEY)
    return defaultKey
  }
  let keyObject: KeyObject
  try {
    keyObject = key instanceof KeyObject ? key : createPublicKey(key)
    if (keyObject.type === 'private') keyObject = createPublicKey(keyObject)
  } catch (cause) {
    const err = invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be an RSA public key (PEM, DER or KeyObject)`)
    Object.defineProperty(err, 'cause', { value: cause, enumerable: false })
    throw err
  }
  if (keyObject.type !== 'public' || keyObject.asymmetricKeyType !== 'rsa') {
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be an RSA public key (PEM, DER or KeyObject)`)
  }
  return keyObject
}

/**
 * Decodes an `X-Lxo-Signature` header value. Returns `undefined` when the header is absent
 * (or blank) and `null` when it is present but not a plausible base64 signature.
 * @internal
 */
export function decodeSignatureHeader(header: string | readonly string[] | undefined): Buffer | null | undefined {
  if (header === undefined) return undefined
  // Node joins repeated unknown headers with ", "; an array comes only from raw header maps.
  // Two signatures are never valid: reject rather than guess which one counts.
  if (typeof header !== 'string') return header.length === 0 ? undefined : null
  const value = header.trim()
  if (value === '') return undefined
  if (value.length < MIN_SIGNATURE_CHARS || value.length > MAX_SIGNATURE_CHARS) return null
  if (value.length % 4 !== 0 || !BASE64.test(value)) return null
  return Buffer.from(value, 'base64')
}

/** The body as a Buffer (a string is UTF-8). @internal */
export function toBytes(rawBody: Buffer | Uint8Array | string): Buffer {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8')
  if (rawBody instanceof Uint8Array)
    return Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength)
  throw invalidArg('ERR_INVALID_ARG_TYPE', '"rawBody" must be a Buffer, Uint8Array or string')
}

/** RSA-SHA512 PKCS#1 v1.5 check of decoded signature bytes; `false` on any crypto error. @internal */
export function verifyBytes(bytes: Buffer, signature: Buffer, key: KeyObject): boolean {
  try {
    return verify('sha512', bytes, { key, padding: constants.RSA_PKCS1_PADDING }, signature)
  } catch {
    return false
  }
}

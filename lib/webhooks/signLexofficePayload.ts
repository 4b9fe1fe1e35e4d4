import { constants, createPrivateKey, sign, KeyObject } from 'node:crypto'
import type { KeyLike } from 'node:crypto'
import { invalidArg } from '../options/assert'
import { toBytes } from './signatureInternals'

/**
 * Signs a webhook body the way lexoffice does: base64 RSA-SHA512 (PKCS#1 v1.5) over the exact
 * bytes given. For the built-in sandbox and for your own tests, with **your own test key pair**;
 * only lexoffice holds the private key behind the real webhooks.
 *
 * Send the very same bytes you signed (a string is signed as UTF-8). lexoffice signs the JSON
 * "without whitespaces and linebreaks", so `JSON.stringify(event)` gives realistic bodies.
 *
 * @param body - The exact request body that will be sent.
 * @param privateKey - An RSA private key (PEM, DER or `KeyObject`).
 * @returns The value for the `X-Lxo-Signature` header.
 * @throws TypeError (`ERR_INVALID_ARG_VALUE`) when `privateKey` is not an RSA private key.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from 'node:crypto'
 * import request from 'supertest'
 * import { lexofficeWebhooks } from 'passport-lexoffice'
 * import { signLexofficePayload } from 'passport-lexoffice/sandbox'
 *
 * const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
 * app.use('/hooks/lexoffice', lexofficeWebhooks({ publicKey, onEvent }))
 * const body = JSON.stringify({
 *   organizationId: 'aa93e8a8-2aa3-470b-b914-caad8a255dd8',
 *   eventType: 'contact.changed',
 *   resourceId: '4d43ad14-2c4d-4b2a-a8a3-1b4c5d6e7f80',
 *   eventDate: '2023-04-11T12:30:00.000+02:00',
 * })
 * await request(app)
 *   .post('/hooks/lexoffice')
 *   .set('Content-Type', 'application/json')
 *   .set('X-Lxo-Signature', signLexofficePayload(body, privateKey))
 *   .send(body)
 *   .expect(204)
 * ```
 */
export function signLexofficePayload(body: Buffer | Uint8Array | string, privateKey: KeyLike): string {
  let key: KeyObject
  try {
    key = privateKey instanceof KeyObject ? privateKey : createPrivateKey(privateKey)
  } catch (cause) {
    const err = invalidArg('ERR_INVALID_ARG_VALUE', '"privateKey" must be an RSA private key (PEM, DER or KeyObject)')
    Object.defineProperty(err, 'cause', { value: cause, enumerable: false })
    throw err
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa') {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"privateKey" must be an RSA private key (PEM, DER or KeyObject)')
  }
  return sign('sha512', toBytes(body), { key, padding: constants.RSA_PKCS1_PADDING }).toString('base64')
}

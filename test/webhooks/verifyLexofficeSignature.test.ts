import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { assertLexofficeSignature } from '../../lib/webhooks/assertLexofficeSignature'
import { LEXOFFICE_WEBHOOK_PUBLIC_KEY } from '../../lib/webhooks/lexofficePublicKey'
import { signLexofficePayload } from '../../lib/webhooks/signLexofficePayload'
import { verifyLexofficeSignature } from '../../lib/webhooks/verifyLexofficeSignature'
import {
  OTHER_PRIVATE_KEY,
  OTHER_PUBLIC_KEY,
  TEST_PRIVATE_KEY,
  TEST_PUBLIC_KEY,
  VECTOR_INVOICE_CREATED,
  VECTOR_TOKEN_REVOKED,
} from './fixtures/testKeys'
import { errorWith } from '../helpers/errorWith'

const other = { privateKey: OTHER_PRIVATE_KEY, publicKey: OTHER_PUBLIC_KEY }

describe('verifyLexofficeSignature (fixed OpenSSL vectors, test key)', () => {
  it.each([
    ['invoice.created', VECTOR_INVOICE_CREATED],
    ['token.revoked', VECTOR_TOKEN_REVOKED],
  ])('accepts the %s vector as string and as bytes', (_name, vector) => {
    expect(verifyLexofficeSignature(vector.body, vector.signature, TEST_PUBLIC_KEY)).toBe(true)
    expect(verifyLexofficeSignature(Buffer.from(vector.body), vector.signature, TEST_PUBLIC_KEY)).toBe(true)
    expect(verifyLexofficeSignature(new Uint8Array(Buffer.from(vector.body)), vector.signature, createPublicKey(TEST_PUBLIC_KEY))).toBe(
      true,
    )
  })

  it('tolerates whitespace around the header value', () => {
    expect(verifyLexofficeSignature(VECTOR_INVOICE_CREATED.body, ` \t${VECTOR_INVOICE_CREATED.signature}  `, TEST_PUBLIC_KEY)).toBe(true)
  })

  it('accepts the private key in place of the public one (reduced to its public half)', () => {
    expect(verifyLexofficeSignature(VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature, TEST_PRIVATE_KEY)).toBe(true)
  })

  it('rejects a body changed by one byte', () => {
    const body = Buffer.from(VECTOR_INVOICE_CREATED.body)
    body[body.length - 3] ^= 0x01
    expect(verifyLexofficeSignature(body, VECTOR_INVOICE_CREATED.signature, TEST_PUBLIC_KEY)).toBe(false)
  })

  it('rejects the same JSON re-serialised with other whitespace', () => {
    const pretty = JSON.stringify(JSON.parse(VECTOR_INVOICE_CREATED.body), null, 2)
    expect(JSON.parse(pretty)).toEqual(JSON.parse(VECTOR_INVOICE_CREATED.body))
    expect(verifyLexofficeSignature(pretty, VECTOR_INVOICE_CREATED.signature, TEST_PUBLIC_KEY)).toBe(false)
  })

  it("rejects another vector's signature and another key", () => {
    expect(verifyLexofficeSignature(VECTOR_INVOICE_CREATED.body, VECTOR_TOKEN_REVOKED.signature, TEST_PUBLIC_KEY)).toBe(false)
    expect(verifyLexofficeSignature(VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature, other.publicKey)).toBe(false)
  })

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['not base64', '!!!!' + VECTOR_INVOICE_CREATED.signature.slice(4)],
    ['base64url alphabet', VECTOR_INVOICE_CREATED.signature.replace(/\+/g, '-').replace(/\//g, '_')],
    ['missing padding', VECTOR_INVOICE_CREATED.signature.replace(/=+$/, '')],
    ['too short', 'AAAA'],
    ['absurdly long', 'A'.repeat(100_000)],
    ['two signatures joined', `${VECTOR_INVOICE_CREATED.signature}, ${VECTOR_INVOICE_CREATED.signature}`],
    ['truncated', VECTOR_INVOICE_CREATED.signature.slice(0, 340)],
  ])('returns false for a %s header', (_name, header) => {
    expect(verifyLexofficeSignature(VECTOR_INVOICE_CREATED.body, header, TEST_PUBLIC_KEY)).toBe(false)
  })

  it('uses the bundled lexoffice key by default (a test-key signature does not verify)', () => {
    expect(verifyLexofficeSignature(VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature)).toBe(false)
    expect(verifyLexofficeSignature(VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature, LEXOFFICE_WEBHOOK_PUBLIC_KEY)).toBe(
      false,
    )
  })

  it('ships an RSA 4096 public key as the lexoffice default', () => {
    const key = createPublicKey(LEXOFFICE_WEBHOOK_PUBLIC_KEY)
    expect(key.asymmetricKeyType).toBe('rsa')
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(4096)
  })

  it('throws a TypeError for a key that is not RSA, and for a body that is not bytes', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    expect(() => verifyLexofficeSignature('{}', VECTOR_INVOICE_CREATED.signature, ec.publicKey)).toThrow(TypeError)
    expect(() => verifyLexofficeSignature('{}', VECTOR_INVOICE_CREATED.signature, 'not a key')).toThrow(/RSA public key/)
    expect(() => verifyLexofficeSignature(42 as unknown as string, VECTOR_INVOICE_CREATED.signature, TEST_PUBLIC_KEY)).toThrow(TypeError)
  })
})

describe('signLexofficePayload', () => {
  it('reproduces the OpenSSL vectors exactly (PKCS#1 v1.5 is deterministic)', () => {
    expect(signLexofficePayload(VECTOR_INVOICE_CREATED.body, TEST_PRIVATE_KEY)).toBe(VECTOR_INVOICE_CREATED.signature)
    expect(signLexofficePayload(Buffer.from(VECTOR_TOKEN_REVOKED.body), TEST_PRIVATE_KEY)).toBe(VECTOR_TOKEN_REVOKED.signature)
  })

  it('signs the exact bytes: whitespace matters', () => {
    const body = '{"a": 1}'
    const signature = signLexofficePayload(body, other.privateKey)
    expect(verifyLexofficeSignature(body, signature, other.publicKey)).toBe(true)
    expect(verifyLexofficeSignature('{"a":1}', signature, other.publicKey)).toBe(false)
  })

  it('refuses a public key or a non-RSA key', () => {
    expect(() => signLexofficePayload('{}', TEST_PUBLIC_KEY)).toThrow(/RSA private key/)
    expect(() => signLexofficePayload('{}', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow(TypeError)
  })
})

describe('assertLexofficeSignature', () => {
  it('passes a valid signature and names the failure otherwise', () => {
    expect(() => assertLexofficeSignature(VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature, TEST_PUBLIC_KEY)).not.toThrow()
    expect(() => assertLexofficeSignature(VECTOR_INVOICE_CREATED.body, undefined, TEST_PUBLIC_KEY)).toThrow(
      errorWith({ code: 'WEBHOOK_SIGNATURE_MISSING', status: 401 }),
    )
    expect(() => assertLexofficeSignature(VECTOR_INVOICE_CREATED.body, 'not base64 !', TEST_PUBLIC_KEY)).toThrow(
      errorWith({ code: 'WEBHOOK_SIGNATURE_INVALID', status: 401 }),
    )
    expect(() => assertLexofficeSignature(VECTOR_TOKEN_REVOKED.body, VECTOR_INVOICE_CREATED.signature, TEST_PUBLIC_KEY)).toThrow(
      errorWith({ code: 'WEBHOOK_SIGNATURE_INVALID', status: 401 }),
    )
  })
})

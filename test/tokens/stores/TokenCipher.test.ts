import { createDecipheriv, randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { TokenCipher, type DecryptErrorEvent } from '../../../lib/tokens/crypto/TokenCipher'

const k1 = randomBytes(32)
const k2 = randomBytes(32)

function withEvents(keys: Record<string, Buffer | string>, currentKeyId: string): { cipher: TokenCipher; events: DecryptErrorEvent[] } {
  const events: DecryptErrorEvent[] = []
  return { cipher: new TokenCipher({ keys, currentKeyId, onDecryptError: (e) => void events.push(e) }), events }
}

describe('TokenCipher', () => {
  test('envelope v1.<kid>.<iv>.<ciphertext+tag>, decryptable by the documented format (AES-256-GCM, 96-bit IV, AAD v1.<kid>.<recordKey>)', () => {
    const cipher = new TokenCipher({ keys: { k1 }, currentKeyId: 'k1' })
    const sealed = cipher.encrypt('{"refreshToken":"RT-secret"}', 'user-42')
    expect(sealed).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
    expect(sealed).not.toContain('RT-secret')
    const [, , iv, body] = sealed.split('.') as [string, string, string, string]
    const bytes = Buffer.from(body, 'base64url')
    const d = createDecipheriv('aes-256-gcm', k1, Buffer.from(iv, 'base64url'), { authTagLength: 16 })
    d.setAAD(Buffer.from('v1.k1.user-42'))
    d.setAuthTag(bytes.subarray(bytes.length - 16))
    expect(Buffer.concat([d.update(bytes.subarray(0, bytes.length - 16)), d.final()]).toString()).toBe('{"refreshToken":"RT-secret"}')
    expect(cipher.decrypt(sealed, 'user-42')).toBe('{"refreshToken":"RT-secret"}')
  })

  test('a fresh IV per write: the same plaintext never gives the same envelope', () => {
    const cipher = new TokenCipher({ keys: { k1 }, currentKeyId: 'k1' })
    const ivs = new Set(Array.from({ length: 50 }, () => cipher.encrypt('same', 'k').split('.')[2]))
    expect(ivs.size).toBe(50)
  })

  test('rotation: current key encrypts, every configured key decrypts', () => {
    const old = new TokenCipher({ keys: { k1 }, currentKeyId: 'k1' })
    const rotated = new TokenCipher({ keys: { k1, k2 }, currentKeyId: 'k2' })
    expect(rotated.decrypt(old.encrypt('old', 'u'), 'u')).toBe('old')
    const sealed = rotated.encrypt('new', 'u')
    expect(sealed.startsWith('v1.k2.')).toBe(true)
    expect(rotated.currentKeyId).toBe('k2')
  })

  test('unreadable envelopes resolve undefined with a reason, never throw, never pass the ciphertext to the hook', () => {
    const { cipher, events } = withEvents({ k1 }, 'k1')
    const sealed = cipher.encrypt('secret-payload', 'user-1')
    const [v, kid, iv, body] = sealed.split('.') as [string, string, string, string]
    const bytes = Buffer.from(body, 'base64url')
    const flipped = Buffer.from(bytes)
    flipped[0] ^= 1
    const cases: [string, string, DecryptErrorEvent['reason']][] = [
      [sealed, 'user-2', 'authentication_failed'], // moved to another record (AAD)
      [`${v}.${kid}.${iv}.${flipped.toString('base64url')}`, 'user-1', 'authentication_failed'], // tampered
      [`${v}.${kid}.${iv}.${bytes.subarray(0, bytes.length - 4).toString('base64url')}`, 'user-1', 'authentication_failed'], // truncated tag
      [`${v}.${kid}.${iv}.${bytes.subarray(0, 8).toString('base64url')}`, 'user-1', 'malformed'], // shorter than a tag
      [`v1.nokey.${iv}.${body}`, 'user-1', 'unknown_key'],
      [`v2.${kid}.${iv}.${body}`, 'user-1', 'malformed'],
      [`v1.${kid}.${iv}`, 'user-1', 'malformed'],
      [`v1.${kid}.${Buffer.alloc(8).toString('base64url')}.${body}`, 'user-1', 'malformed'], // IV not 96 bits
      ['v1.k1.!!!.???', 'user-1', 'malformed'],
      ['', 'user-1', 'malformed'],
      ['{"plain":"json"}', 'user-1', 'malformed'],
    ]
    for (const [envelope, key] of cases) expect(cipher.decrypt(envelope, key)).toBeUndefined()
    expect(events.map((e) => e.reason)).toEqual(cases.map((c) => c[2]))
    expect(events[0]).toEqual({ key: 'user-2', reason: 'authentication_failed', keyId: 'k1' })
    expect(JSON.stringify(events)).not.toContain(body.slice(0, 20))
    expect(cipher.decrypt(123 as unknown as string, 'user-1')).toBeUndefined()
  })

  test('a throwing onDecryptError hook does not turn an unreadable record into a crash', () => {
    const cipher = new TokenCipher({
      keys: { k1 },
      currentKeyId: 'k1',
      onDecryptError: () => {
        throw new Error('hook bug')
      },
    })
    expect(cipher.decrypt('garbage', 'k')).toBeUndefined()
  })

  test('keys: Buffer, base64 or base64url string of exactly 32 bytes; anything else is rejected at startup', () => {
    const b64 = k1.toString('base64')
    const b64url = k1.toString('base64url')
    const a = new TokenCipher({ keys: { k: b64 }, currentKeyId: 'k' })
    const b = new TokenCipher({ keys: { k: b64url }, currentKeyId: 'k' })
    const c = new TokenCipher({ keys: { k: k1 }, currentKeyId: 'k' })
    expect(b.decrypt(a.encrypt('x', 'r'), 'r')).toBe('x')
    expect(c.decrypt(b.encrypt('y', 'r'), 'r')).toBe('y')
    const bad: unknown[] = [
      randomBytes(16),
      randomBytes(33),
      randomBytes(31).toString('base64'),
      'not base64 at all!',
      'short',
      42,
      undefined,
    ]
    for (const key of bad) expect(() => new TokenCipher({ keys: { k: key as string }, currentKeyId: 'k' })).toThrow(TypeError)
    expect(() => new TokenCipher({ keys: { k1 }, currentKeyId: 'k2' })).toThrow(/currentKeyId/)
    expect(() => new TokenCipher({ keys: { 'a.b': k1 }, currentKeyId: 'a.b' })).toThrow(/key id/)
    expect(() => new TokenCipher({ keys: { k1 }, currentKeyId: 'k1', onDecryptError: 'x' as never })).toThrow(TypeError)
    expect(() => new TokenCipher(null as never)).toThrow(TypeError)
  })

  test('a mutated key Buffer after construction does not change the key in use', () => {
    const key = Buffer.from(k1)
    const cipher = new TokenCipher({ keys: { k: key }, currentKeyId: 'k' })
    const sealed = cipher.encrypt('z', 'r')
    key.fill(0)
    expect(cipher.decrypt(sealed, 'r')).toBe('z')
  })

  test('inspect and JSON show key ids only, never key material', () => {
    const cipher = new TokenCipher({ keys: { k1, k2 }, currentKeyId: 'k2' })
    const text = `${inspect(cipher, { showHidden: true, depth: 10 })} ${JSON.stringify(cipher)} ${JSON.stringify({ cipher })}`
    expect(text).toContain('k2')
    for (const k of [k1, k2]) {
      expect(text).not.toContain(k.toString('hex'))
      expect(text).not.toContain(k.toString('base64'))
      expect(text).not.toContain(k.toString('base64url'))
    }
  })
})

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { assertFunction, assertKnownKeys, assertObject, assertString, invalidArg } from '../../options/assert'
import { optionKeys } from '../../options/optionKeys'

/**
 * Why a stored record could not be decrypted. Never includes the ciphertext.
 * @example
 * ```ts
 * const reason: DecryptErrorReason = 'unknown_key'
 * ```
 */
export type DecryptErrorReason = 'malformed' | 'unknown_key' | 'authentication_failed'

/**
 * What {@link TokenCipherOptions.onDecryptError} receives: the record key and the reason, nothing secret.
 * @example
 * ```ts
 * const onDecryptError = (e: DecryptErrorEvent) => metrics.increment('token_decrypt_error', { reason: e.reason })
 * ```
 */
export interface DecryptErrorEvent {
  /** The record (connection) key whose stored value could not be read. */
  key: string
  /** `malformed` (not a `v1.` envelope), `unknown_key` (kid not configured) or `authentication_failed` (bad tag, tampering, wrong key). */
  reason: DecryptErrorReason
  /** The key id named by the envelope, when it could be parsed. */
  keyId?: string
}

/**
 * Options of {@link TokenCipher}.
 *
 * @example
 * ```ts
 * const options: TokenCipherOptions = {
 *   keys: { '2026-01': process.env.TOKEN_KEY_2026_01!, '2025-07': process.env.TOKEN_KEY_2025_07! },
 *   currentKeyId: '2026-01',
 *   onDecryptError: ({ key, reason }) => console.warn('unreadable token record', key, reason),
 * }
 * ```
 */
export interface TokenCipherOptions {
  /**
   * Data keys by key id. Each is exactly 32 random bytes, as a `Buffer` or a base64/base64url string
   * (e.g. `openssl rand -base64 32`). Key ids: 1-64 characters of `A-Z a-z 0-9 _ -`.
   */
  keys: Readonly<Record<string, Buffer | string>>
  /** The key id new writes are encrypted with. Older ids stay readable while they are listed in `keys`. */
  currentKeyId: string
  /**
   * Called when a stored record cannot be decrypted; the record then reads as absent (the user
   * reconnects). Gets the record key and a reason, never the ciphertext. Exceptions it throws are ignored.
   */
  onDecryptError?: (event: DecryptErrorEvent) => void
}

const CIPHER_OPTION_KEYS = optionKeys<TokenCipherOptions>()(['keys', 'currentKeyId', 'onDecryptError'])

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/
const B64URL = /^[A-Za-z0-9_-]+$/
const IV_BYTES = 12
const TAG_BYTES = 16
const PREFIX = 'v1'
/** Record keys whose last envelope is remembered opened (about 1.5 KB each at most). */
const OPENED_CACHE_ENTRIES = 10_000

/**
 * AES-256-GCM encryption at rest for token records, with key ids for rotation.
 *
 * Each write uses a fresh random 96-bit IV and a 16-byte tag; the additional authenticated data is
 * the record key and the key id, so a ciphertext copied to another connection's record does not
 * decrypt. The stored form is `v1.<kid>.<iv>.<ciphertext+tag>` (base64url). New writes use
 * `currentKeyId`; records written with any other configured key stay readable, so rotation is:
 * add the new key everywhere, then make it current, then (after every record was rewritten by a
 * refresh, at most one access-token lifetime later for active connections) remove the old one.
 *
 * Anything that does not decrypt (unknown kid, failed tag, malformed envelope) reads as
 * `undefined` and fires `onDecryptError`; it never throws and never logs.
 *
 * Every store accepts it as `encryption` (an instance or its options).
 *
 * @example
 * ```ts
 * import { TokenCipher, MemoryTokenStore } from 'passport-lexoffice'
 * const cipher = new TokenCipher({ keys: { k1: process.env.LEXOFFICE_TOKEN_KEY! }, currentKeyId: 'k1' })
 * const store = new MemoryTokenStore({ encryption: cipher })
 * ```
 */
export class TokenCipher {
  readonly #keys: Map<string, Buffer>
  readonly #currentKey: Buffer
  readonly #currentKeyId: string
  readonly #onDecryptError: ((event: DecryptErrorEvent) => void) | undefined
  /**
   * Per record key, the last envelope written or opened and its plaintext. A store reads the same
   * envelope on every request until the next refresh, and creating a decipher costs far more than
   * the request's other work (bench/p1-parts.ts). An envelope is authenticated and deterministic
   * for its key and record key, so an identical one opens to the same plaintext.
   */
  readonly #opened = new Map<string, { envelope: string; plaintext: string }>()

  /**
   * @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) when a key is not 32 bytes,
   * a key id is invalid, or `currentKeyId` is not among `keys`.
   */
  constructor(options: TokenCipherOptions) {
    assertObject(options, 'encryption')
    assertKnownKeys(options, CIPHER_OPTION_KEYS, 'encryption')
    const { keys, currentKeyId, onDecryptError } = options
    assertObject(keys, 'encryption.keys')
    assertString(currentKeyId, 'encryption.currentKeyId', { max: 64 })
    if (onDecryptError !== undefined) assertFunction(onDecryptError, 'encryption.onDecryptError')
    this.#keys = new Map()
    for (const [kid, raw] of Object.entries(keys)) {
      if (!KEY_ID.test(kid))
        throw invalidArg('ERR_INVALID_ARG_VALUE', `"encryption.keys" has an invalid key id (use 1-64 of A-Z a-z 0-9 _ -)`)
      this.#keys.set(kid, toKey(raw, kid))
    }
    const currentKey = this.#keys.get(currentKeyId)
    if (currentKey === undefined) throw invalidArg('ERR_INVALID_ARG_VALUE', '"encryption.currentKeyId" must name one of "encryption.keys"')
    this.#currentKeyId = currentKeyId
    this.#currentKey = currentKey
    this.#onDecryptError = onDecryptError
  }

  /**
   * An instance from either an instance or options (what stores accept as `encryption`).
   *
   * @example
   * ```ts
   * const cipher = TokenCipher.from({ keys: { k1: key }, currentKeyId: 'k1' })
   * ```
   */
  static from(input: TokenCipher | TokenCipherOptions): TokenCipher {
    return input instanceof TokenCipher ? input : new TokenCipher(input)
  }

  /** The key id new writes use. */
  get currentKeyId(): string {
    return this.#currentKeyId
  }

  /**
   * Encrypts `plaintext` for the record `recordKey` with the current key.
   *
   * @example
   * ```ts
   * const sealed = cipher.encrypt(JSON.stringify(record), 'user-42') // 'v1.k1.<iv>.<ct>'
   * ```
   */
  encrypt(plaintext: string, recordKey: string): string {
    const kid = this.#currentKeyId
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#currentKey, iv, { authTagLength: TAG_BYTES })
    cipher.setAAD(aad(recordKey, kid))
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
    const envelope = `${PREFIX}.${kid}.${iv.toString('base64url')}.${body.toString('base64url')}`
    this.#remember(recordKey, envelope, plaintext)
    return envelope
  }

  /**
   * Decrypts an envelope written by {@link TokenCipher.encrypt} for the same `recordKey`.
   * Resolves `undefined` (and fires `onDecryptError`) when it cannot.
   *
   * @example
   * ```ts
   * const json = cipher.decrypt(sealed, 'user-42') // undefined if tampered or the kid is unknown
   * ```
   */
  decrypt(envelope: string, recordKey: string): string | undefined {
    return this.open(envelope, recordKey, true)
  }

  /** {@link TokenCipher.decrypt}, with `report: false` not firing `onDecryptError` (for internal re-checks). @internal */
  open(envelope: string, recordKey: string, report: boolean): string | undefined {
    const fail = (reason: DecryptErrorReason, keyId?: string): undefined => (report ? this.#fail(recordKey, reason, keyId) : undefined)
    const known = this.#opened.get(recordKey)
    if (known !== undefined && known.envelope === envelope) return known.plaintext
    const parts = typeof envelope === 'string' ? envelope.split('.') : []
    if (parts.length !== 4 || parts[0] !== PREFIX || !KEY_ID.test(parts[1]) || !B64URL.test(parts[2]) || !B64URL.test(parts[3])) {
      fail('malformed')
      return
    }
    const [, kid, ivText, bodyText] = parts as [string, string, string, string]
    const key = this.#keys.get(kid)
    if (key === undefined) {
      fail('unknown_key', kid)
      return
    }
    const iv = Buffer.from(ivText, 'base64url')
    const body = Buffer.from(bodyText, 'base64url')
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
      fail('malformed', kid)
      return
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
      decipher.setAAD(aad(recordKey, kid))
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
      const plaintext = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8')
      this.#remember(recordKey, envelope, plaintext)
      return plaintext
    } catch {
      fail('authentication_failed', kid)
      return
    }
  }

  #remember(recordKey: string, envelope: string, plaintext: string): void {
    this.#opened.delete(recordKey)
    if (this.#opened.size >= OPENED_CACHE_ENTRIES) {
      for (const oldest of this.#opened.keys()) {
        this.#opened.delete(oldest)
        break
      }
    }
    this.#opened.set(recordKey, { envelope, plaintext })
  }

  /** Reports a record that is unreadable for a reason outside the envelope (e.g. not encrypted at all). @internal */
  reportUnreadable(recordKey: string, reason: DecryptErrorReason): void {
    this.#fail(recordKey, reason)
  }

  #fail(key: string, reason: DecryptErrorReason, keyId?: string): undefined {
    if (this.#onDecryptError !== undefined) {
      try {
        this.#onDecryptError(keyId === undefined ? { key, reason } : { key, reason, keyId })
      } catch {
        // A throwing hook must not turn an unreadable record into a crash.
      }
    }
    return undefined
  }

  /** Keeps key material out of `util.inspect` and logs. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `TokenCipher { currentKeyId: '${this.#currentKeyId}', keyIds: [${[...this.#keys.keys()].map((k) => `'${k}'`).join(', ')}] }`
  }

  /** Keeps key material out of `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return { currentKeyId: this.#currentKeyId, keyIds: [...this.#keys.keys()] }
  }
}

/** The key id cannot contain '.', so `v1.<kid>.<recordKey>` is unambiguous. */
function aad(recordKey: string, kid: string): Buffer {
  return Buffer.from(`${PREFIX}.${kid}.${recordKey}`, 'utf8')
}

function toKey(raw: unknown, kid: string): Buffer {
  let key: Buffer
  if (Buffer.isBuffer(raw)) key = Buffer.from(raw)
  else if (typeof raw === 'string' && BASE64.test(raw.trim()))
    key = Buffer.from(raw.trim(), raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64')
  else throw invalidArg('ERR_INVALID_ARG_TYPE', `"encryption.keys.${kid}" must be a Buffer or a base64 string of 32 bytes`)
  if (key.length !== 32) throw invalidArg('ERR_INVALID_ARG_VALUE', `"encryption.keys.${kid}" must be exactly 32 bytes (got ${key.length})`)
  return key
}

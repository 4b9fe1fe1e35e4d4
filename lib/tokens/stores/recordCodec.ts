/**
 * Shared by every token store: argument checks, serialisation (JSON, optionally sealed by a
 * {@link TokenCipher}) and the non-secret metadata stores keep beside the record (version and
 * access-token expiry, needed for compare-and-set and `listDue` without decrypting).
 *
 * @internal
 */
import { assertObject, invalidArg } from '../../options/assert'
import { TokenCipher, type TokenCipherOptions } from '../crypto/TokenCipher'
import type { TokenRecord } from '../TokenSet'

/**
 * The `encryption` option every store accepts: a {@link TokenCipher} or its options.
 *
 * @example
 * ```ts
 * const encryption: EncryptionOption = { keys: { k1: process.env.TOKEN_KEY! }, currentKeyId: 'k1' }
 * ```
 */
export type EncryptionOption = TokenCipher | TokenCipherOptions

/**
 * @internal
 */
export function resolveCipher(encryption: EncryptionOption | false | undefined): TokenCipher | undefined {
  return encryption === undefined || encryption === false ? undefined : TokenCipher.from(encryption)
}

/**
 * @internal
 */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw invalidArg('ERR_INVALID_ARG_TYPE', '"key" must be a string')
  if (key.length === 0 || key.length > 1024) throw invalidArg('ERR_INVALID_ARG_VALUE', '"key" must be 1-1024 characters')
}

/**
 * Checks the arguments of `set` (programming errors, so they throw instead of resolving `false`).
 * @internal
 */
export function assertSetArgs(key: unknown, record: unknown, expectedVersion: unknown): asserts record is TokenRecord {
  assertKey(key)
  if (typeof expectedVersion !== 'number' || !Number.isSafeInteger(expectedVersion) || expectedVersion < 0)
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"expectedVersion" must be an integer >= 0')
  assertObject(record, 'record')
  const r = record as Partial<TokenRecord>
  if (r.version !== expectedVersion + 1) throw invalidArg('ERR_INVALID_ARG_VALUE', '"record.version" must be expectedVersion + 1')
  if (r.state !== 'active' && r.state !== 'lost') throw invalidArg('ERR_INVALID_ARG_VALUE', '"record.state" must be "active" or "lost"')
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  if (r.state === 'active' && (r.tokens === null || typeof r.tokens !== 'object'))
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"record.tokens" is required when state is "active"')
  // JSON turns Infinity and NaN into null: such an expiry would read back as "due" on every call.
  if (r.tokens != null && (!Number.isFinite(r.tokens.expiresAt) || !Number.isFinite(r.tokens.obtainedAt)))
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"record.tokens.expiresAt" and "record.tokens.obtainedAt" must be finite numbers')
}

/**
 * The access-token expiry used for `listDue`: only active records with a finite expiry are due.
 * @internal
 */
export function dueAt(record: TokenRecord): number | undefined {
  const at = record.state === 'active' ? record.tokens?.expiresAt : undefined
  return typeof at === 'number' && Number.isFinite(at) ? at : undefined
}

/**
 * The version compare-and-set compares with: an unreadable record counts as absent (0), exactly
 * as `get` reports it, so a new connection can replace it (e.g. after its encryption key was
 * removed). A readable record's stored version is used as is.
 * @internal
 */
export function casVersion(key: string, storedVersion: number, data: string, cipher: TokenCipher | undefined): number {
  return decodeRecord(key, data, cipher, false) === undefined ? 0 : storedVersion
}

/**
 * Serialises (and seals) a record for storage.
 * @internal
 */
export function encodeRecord(key: string, record: TokenRecord, cipher: TokenCipher | undefined): string {
  const json = JSON.stringify(record)
  return cipher === undefined ? json : cipher.encrypt(json, key)
}

/**
 * Parses (and opens) a stored value. Anything unreadable is `undefined`: never a throw, and
 * never the stored text in an error. `report: false` keeps `onDecryptError` quiet (re-checks).
 * @internal
 */
export function decodeRecord(key: string, stored: string, cipher: TokenCipher | undefined, report = true): TokenRecord | undefined {
  let json: string | undefined = stored
  if (cipher !== undefined) {
    // A plaintext record (written before encryption was turned on) is not trusted as a token source.
    if (stored.startsWith('{')) {
      if (report) cipher.reportUnreadable(key, 'malformed')
      return undefined
    }
    json = cipher.open(stored, key, report)
    if (json === undefined) return undefined
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object') return undefined
  const record = parsed as TokenRecord
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  if (!Number.isSafeInteger(record.version) || (record.state !== 'active' && record.state !== 'lost')) return undefined
  // A record written before expiries were checked may hold null: due now, so the next refresh repairs it.
  if (record.tokens != null && !Number.isFinite(record.tokens.expiresAt)) record.tokens.expiresAt = 0
  return record
}

/**
 * Freezes a decoded record and everything in it (plain JSON data), so that it can be handed to
 * every reader without a copy: nobody can change what the store holds through it.
 * @internal
 */
export function freezeRecord(record: TokenRecord): Readonly<TokenRecord> {
  return deepFreeze(record) as TokenRecord
}

function deepFreeze(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  return Object.freeze(value)
}

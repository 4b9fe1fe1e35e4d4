import type { TokenStore } from '../TokenStore'
import type { TokenRecord } from '../TokenSet'
import { PEEK_RECORD } from '../peekRecord'
import {
  assertKey,
  assertSetArgs,
  casVersion,
  decodeRecord,
  freezeRecord,
  dueAt,
  encodeRecord,
  resolveCipher,
  type EncryptionOption,
} from './recordCodec'
import type { TokenCipher } from '../crypto/TokenCipher'
import { assertKnownKeys, assertObject, invalidArg } from '../../options/assert'
import { optionKeys } from '../../options/optionKeys'

/**
 * Options of {@link MemoryTokenStore}.
 *
 * @example
 * ```ts
 * const options: MemoryTokenStoreOptions = { encryption: { keys: { k1: key }, currentKeyId: 'k1' } }
 * ```
 */
export interface MemoryTokenStoreOptions {
  /**
   * Encrypt records at rest (a {@link TokenCipher} or its options). Off by default (`false`): the
   * records live only in this process's memory, unlike the shared stores, which require a choice.
   */
  encryption?: EncryptionOption | false
  /**
   * Share the records of another MemoryTokenStore (same process). Simulates several instances of
   * one app, e.g. with different encryption settings during a key rotation. Default: own records.
   */
  shareWith?: MemoryTokenStore
}

const OPTION_KEYS = optionKeys<MemoryTokenStoreOptions>()(['encryption', 'shareWith'])

interface Entry {
  version: number
  /**
   * The record as stored (JSON or sealed). Without a cipher it is dropped once the record was
   * decoded (the frozen record says the same; `dataOf` rebuilds it),
   * so a read connection costs one copy of its record instead of two.
   */
  data: string | undefined
  dueAt: number | undefined
  /**
   * The record as last decoded without a cipher, deeply frozen (stores without encryption only:
   * an encrypted store keeps no plaintext beside the sealed value). `get` hands it out as is, so
   * the JSON is parsed and checked once per write instead of once per read.
   */
  decoded?: TokenRecord | undefined
}

/**
 * A {@link TokenStore} in process memory, for development, tests and single-process apps whose
 * users may reconnect after a restart.
 *
 * Like express-session's MemoryStore it serialises on `set`, so a caller's object never becomes
 * the stored one and it behaves like Redis. `get` parses once per write: without encryption it
 * returns the same deeply frozen record until the next write (nobody can change the store
 * through it); with encryption, a fresh copy opened on every read.
 * Writes are compare-and-set on `version`. It has no `createLock()`: it is single-process by
 * definition, and the TokenManager's in-process single-flight is enough. Records are lost
 * when the process exits.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore } from 'passport-lexoffice'
 * const store = new MemoryTokenStore()
 * await store.set('user-42', { version: 1, state: 'active', tokens, refreshCount: 0, connectedAt: Date.now() }, 0)
 * const record = await store.get('user-42') // frozen: build a new record to change it
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  /** Answers from this process's memory and never hangs: the manager reads it without a timeout. */
  readonly inProcess = true
  readonly #entries: Map<string, Entry>
  readonly #cipher: TokenCipher | undefined

  /** @throws TypeError when `encryption` is invalid (e.g. a key that is not 32 bytes) or `shareWith` is not a MemoryTokenStore. */
  constructor(options: MemoryTokenStoreOptions = {}) {
    assertObject(options, 'options')
    assertKnownKeys(options, OPTION_KEYS, 'MemoryTokenStore')
    this.#cipher = resolveCipher(options.encryption)
    if (options.shareWith !== undefined && !(options.shareWith instanceof MemoryTokenStore))
      throw invalidArg('ERR_INVALID_ARG_TYPE', '"shareWith" must be a MemoryTokenStore')
    this.#entries = options.shareWith === undefined ? new Map<string, Entry>() : options.shareWith.#entries
  }

  /**
   * The record under `key` (deeply frozen, or a fresh copy with encryption), or `undefined`
   * (missing or unreadable).
   *
   * @example
   * ```ts
   * const record = await store.get('user-42')
   * ```
   */
  async get(key: string): Promise<TokenRecord | undefined> {
    assertKey(key)
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (this.#cipher !== undefined) return decodeRecord(key, dataOf(entry), this.#cipher)
    return this.#frozen(key, entry)
  }

  /** The synchronous read of the manager's fresh-token path (lib/tokens/peekRecord.ts); none with encryption. @internal */
  [PEEK_RECORD](key: string): TokenRecord | undefined {
    if (this.#cipher !== undefined) return undefined
    const entry = this.#entries.get(key)
    return entry === undefined ? undefined : this.#frozen(key, entry)
  }

  /** The entry's record, decoded and frozen once per write. */
  #frozen(key: string, entry: Entry): TokenRecord | undefined {
    if (entry.decoded === undefined) {
      const decoded = decodeRecord(key, dataOf(entry), undefined)
      entry.decoded = decoded === undefined ? undefined : freezeRecord(decoded)
      if (entry.decoded !== undefined) entry.data = undefined
    }
    return entry.decoded
  }

  /**
   * Writes `record` if the stored version equals `expectedVersion` (0: no record, or a record that
   * reads as `undefined` because it cannot be decrypted). Resolves `false` on a lost race.
   *
   * @throws TypeError when `record.version !== expectedVersion + 1` or the record is malformed.
   * @example
   * ```ts
   * const ok = await store.set('user-42', { ...record, version: record.version + 1 }, record.version)
   * ```
   */
  async set(key: string, record: TokenRecord, expectedVersion: number): Promise<boolean> {
    assertSetArgs(key, record, expectedVersion)
    // Everything below is synchronous, so the check and the write are atomic in this process.
    const entry = this.#entries.get(key)
    const current = entry === undefined ? 0 : casVersion(key, entry.version, dataOf(entry), this.#cipher)
    if (current !== expectedVersion) return false
    this.#entries.set(key, { version: record.version, data: encodeRecord(key, record, this.#cipher), dueAt: dueAt(record) })
    return true
  }

  /**
   * Removes the record.
   *
   * @example
   * ```ts
   * await store.destroy('user-42')
   * ```
   */
  async destroy(key: string): Promise<void> {
    assertKey(key)
    this.#entries.delete(key)
  }

  /**
   * Keys of active records whose access token expires before `dueBefore`, soonest first.
   *
   * @example
   * ```ts
   * const due = await store.listDue(Date.now() + 5 * 60_000)
   * ```
   */
  async listDue(dueBefore: number): Promise<string[]> {
    const due: [string, number][] = []
    for (const [key, entry] of this.#entries) if (entry.dueAt !== undefined && entry.dueAt < dueBefore) due.push([key, entry.dueAt])
    return due.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([key]) => key)
  }

  /**
   * All keys (active and lost).
   *
   * @example
   * ```ts
   * for (const key of await store.list()) console.log(key)
   * ```
   */
  async list(prefix = ''): Promise<string[]> {
    const keys = [...this.#entries.keys()]
    return prefix === '' ? keys : keys.filter((key) => key.startsWith(prefix))
  }
}

/** The stored form of `entry`: kept, or rebuilt from the decoded plaintext record (what encodeRecord wrote without a cipher). */
function dataOf(entry: Entry): string {
  return entry.data ?? JSON.stringify(entry.decoded)
}

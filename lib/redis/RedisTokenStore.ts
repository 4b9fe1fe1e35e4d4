import type { TokenStore } from '../tokens/TokenStore'
import type { TokenRecord } from '../tokens/TokenSet'
import type { TokenCipher } from '../tokens/crypto/TokenCipher'
import { assertInteger, assertKnownKeys, assertObject, assertString, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { RedisLock } from './RedisLock'
import { CACHE_INVALIDATION, type CacheInvalidation, invalidationChannel } from '../tokens/TokenCache'
import { redisCacheInvalidation } from './redisCacheInvalidation'
import { assertKey, assertSetArgs, casVersion, decodeRecord, dueAt, encodeRecord } from '../tokens/stores/recordCodec'
import {
  clusterMasters,
  clusterPrefix,
  isRedisCluster,
  RedisExecutor,
  RedisScript,
  toCommandFn,
  type RedisClientLike,
  type RedisCommandFn,
  toStoreError,
} from './redisAdapter'
import { type SharedStoreEncryption, resolveSharedStoreCipher } from '../tokens/stores/sharedStoreEncryption'

/**
 * Options of {@link RedisTokenStore}.
 *
 * @example
 * ```ts
 * const options: RedisTokenStoreOptions = { client, prefix: 'myapp:lexoffice:', tombstoneTtlMs: 30 * 86_400_000 }
 * ```
 */
export interface RedisTokenStoreOptions {
  /**
   * Your connected node-redis (v4+) or ioredis client; the store never creates or closes one.
   * Make it fail fast while Redis is down, so requests get a 503 instead of waiting:
   * node-redis `disableOfflineQueue: true` (and a `socket.reconnectStrategy` that keeps retrying);
   * ioredis `enableOfflineQueue: false` and `maxRetriesPerRequest: 0` or `1`. Without this, commands
   * wait in the client's queue and only `commandTimeoutMs` ends the wait. Do not set the client's
   * `keyPrefix`; use `prefix` here. A Cluster client (node-redis `createCluster`, ioredis
   * `Cluster`) works too: the store's keys then share one hash slot (see `prefix`).
   */
  client: RedisClientLike
  /**
   * Prefix of every key this store writes. Default `'lexoffice:'`. With a Cluster client it is
   * made a hash tag (`{lexoffice:}token:<key>`, `{lexoffice:}due`, `{lexoffice:}lock:<key>`) unless
   * it holds one already, so that every key of the store lives in one slot; single-node clients
   * keep the plain layout. Moving existing data from a single node to a cluster therefore means
   * renaming its keys, or choosing a prefix with a hash tag (`lexoffice:{tokens}:`) from the start.
   */
  prefix?: string
  /**
   * Time to live of tombstones (records with `state: 'lost'`), ms. Default: kept until destroyed
   * or overwritten. Active records never expire.
   */
  tombstoneTtlMs?: number
  /**
   * Deadline of each Redis command, ms; past it the call rejects with `STORE_UNAVAILABLE`.
   * A safety net for clients that queue commands while offline. Default 5000.
   */
  commandTimeoutMs?: number
  /**
   * Encryption at rest (AES-256-GCM): a {@link TokenCipher} or its options, e.g.
   * `encryptionKeysFromEnv()` (`LEXOFFICE_ENCRYPTION_KEYS`). Required: leaving it out throws a
   * TypeError. `false` stores tokens as plaintext JSON, readable by anyone who can read Redis.
   */
  encryption: SharedStoreEncryption
}

/**
 * Layout under the prefix `P`:
 * - `P` + `token:` + key: a hash with `v` (version, plaintext so compare-and-set works without
 *   decrypting), `d` (the record: JSON or a `v1.` envelope) and `e` (access-token expiry, if active);
 * - `P` + `due`: a sorted set, key -> access-token expiry, for `listDue`;
 * - `P` + `lock:` + key: the refresh locks of {@link RedisLock}.
 * Record and due set change together inside one Lua script.
 */
const OPTION_KEYS = optionKeys<RedisTokenStoreOptions>()(['client', 'prefix', 'tombstoneTtlMs', 'commandTimeoutMs', 'encryption'])

const SET_SCRIPT = new RedisScript(`
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'e', ARGV[4])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
else
  redis.call('ZREM', KEYS[2], ARGV[5])
end
local ttl = tonumber(ARGV[6])
if ttl and ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`)

const DESTROY_SCRIPT = new RedisScript(`
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`)

/**
 * A {@link TokenStore} in Redis, shared by every instance of your app, with a cross-process
 * refresh lock ({@link RedisTokenStore.createLock}). Import it from `passport-lexoffice/redis`,
 * so apps without Redis never load this code.
 *
 * Records are encrypted at rest unless `encryption: false` says otherwise (docs/security.md §7).
 *
 * Compare-and-set runs inside one Lua script (version check, record, due-set entry), so a stale
 * writer can never roll back a rotated refresh token. Errors of the client (connection refused,
 * timeout...) become `LexofficeError` with code `STORE_UNAVAILABLE` (status 503) and a
 * secret-free `cause`; a failed write's outcome is then unknown (re-read before deciding).
 * The store never logs.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { RedisTokenStore } from 'passport-lexoffice/redis'
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 * client.on('error', (err) => console.warn('redis', err.message))
 * await client.connect()
 * const store = new RedisTokenStore({ client, encryption: { keys: { k1: process.env.TOKEN_KEY! }, currentKeyId: 'k1' } })
 * ```
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { encryptionKeysFromEnv } from 'passport-lexoffice'
 * // LEXOFFICE_ENCRYPTION_KEYS="k1:<base64 key>"; without it the store refuses to start
 * const store = new RedisTokenStore({ client: new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false }), encryption: encryptionKeysFromEnv()! })
 * ```
 */
export class RedisTokenStore implements TokenStore {
  readonly #redis: RedisExecutor
  readonly #client: RedisClientLike
  readonly #prefix: string
  readonly #cluster: boolean
  readonly #tombstoneTtlMs: number
  readonly #timeoutMs: number
  readonly #cipher: TokenCipher | undefined

  /** @throws TypeError for a missing or unsupported client, a bad option, a missing `encryption` or an invalid encryption key. */
  constructor(options: RedisTokenStoreOptions) {
    assertObject(options, 'options')
    assertKnownKeys(options, OPTION_KEYS, 'RedisTokenStore')
    const prefix = options.prefix ?? 'lexoffice:'
    assertString(prefix, 'prefix', { max: 256 })
    if (options.tombstoneTtlMs !== undefined) assertInteger(options.tombstoneTtlMs, 'tombstoneTtlMs', 1)
    const timeoutMs = options.commandTimeoutMs ?? 5000
    assertInteger(timeoutMs, 'commandTimeoutMs', 1, 600_000)
    this.#redis = new RedisExecutor(toCommandFn(options.client, 'client'), timeoutMs)
    this.#client = options.client
    this.#cluster = isRedisCluster(options.client)
    this.#prefix = this.#cluster ? clusterPrefix(prefix) : prefix
    this.#tombstoneTtlMs = options.tombstoneTtlMs ?? 0
    this.#timeoutMs = timeoutMs
    this.#cipher = resolveSharedStoreCipher(options.encryption, 'RedisTokenStore')
  }

  /**
   * The record under `key`, or `undefined` (missing or unreadable).
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when Redis cannot be reached.
   * @example
   * ```ts
   * const record = await store.get('user-42')
   * ```
   */
  async get(key: string): Promise<TokenRecord | undefined> {
    assertKey(key)
    const [version, d] = await this.#hmget(key)
    if (version === undefined || d === undefined) return undefined
    const record = decodeRecord(key, d, this.#cipher)
    // The plaintext `v` is what compare-and-set checks; report it, so a writer can always win.
    if (record !== undefined) record.version = version
    return record
  }

  /**
   * Writes `record` if the stored version equals `expectedVersion` (0: no record, or one that reads
   * as `undefined` because it cannot be decrypted), atomically with its due-set entry. Resolves
   * `false` on a lost race.
   *
   * @throws TypeError when `record.version !== expectedVersion + 1`.
   * @throws LexofficeError `STORE_UNAVAILABLE` when Redis cannot be reached (outcome unknown).
   * @example
   * ```ts
   * const ok = await store.set('user-42', { ...record, version: record.version + 1, tokens }, record.version)
   * ```
   */
  async set(key: string, record: TokenRecord, expectedVersion: number): Promise<boolean> {
    assertSetArgs(key, record, expectedVersion)
    const due = dueAt(record)
    const ttl = record.state === 'lost' ? this.#tombstoneTtlMs : 0
    const data = encodeRecord(key, record, this.#cipher)
    const write = async (compareWith: number): Promise<boolean> =>
      Number(
        await this.#redis.script(
          SET_SCRIPT,
          [this.#recordKey(key), this.#dueKey()],
          [String(compareWith), String(record.version), data, due === undefined ? '' : String(due), key, String(ttl)],
        ),
      ) === 1
    if (await write(expectedVersion)) return true
    if (expectedVersion !== 0) return false
    // A record that reads as undefined (it cannot be decrypted) counts as absent here too, so a new
    // connection can replace it; the script still compares with its real version, so a concurrent
    // write in between makes this fail.
    const [v, d] = await this.#hmget(key)
    if (v === undefined || d === undefined || casVersion(key, v, d, this.#cipher) !== 0) return false
    return write(v)
  }

  /** The stored version and data, when both are valid. */
  async #hmget(key: string): Promise<[number | undefined, string | undefined]> {
    const reply = await this.#redis.command(['HMGET', this.#recordKey(key), 'v', 'd'])
    const [v, d] = Array.isArray(reply) ? (reply as unknown[]) : []
    const version = Number(v)
    if ((typeof d !== 'string' && !Buffer.isBuffer(d)) || v === null || v === undefined || !Number.isSafeInteger(version))
      return [undefined, undefined]
    return [version, String(d)]
  }

  /**
   * Removes the record and its due-set entry.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when Redis cannot be reached.
   * @example
   * ```ts
   * await store.destroy('user-42')
   * ```
   */
  async destroy(key: string): Promise<void> {
    assertKey(key)
    await this.#redis.script(DESTROY_SCRIPT, [this.#recordKey(key), this.#dueKey()], [key])
  }

  /**
   * Keys of active records whose access token expires before `dueBefore`, soonest first.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when Redis cannot be reached.
   * @example
   * ```ts
   * const due = await store.listDue(Date.now() + 5 * 60_000)
   * ```
   */
  async listDue(dueBefore: number): Promise<string[]> {
    if (typeof dueBefore !== 'number' || Number.isNaN(dueBefore)) throw invalidArg('ERR_INVALID_ARG_TYPE', '"dueBefore" must be a number')
    const max = dueBefore === Infinity ? '+inf' : `(${dueBefore}`
    const reply = await this.#redis.command(['ZRANGEBYSCORE', this.#dueKey(), '-inf', max])
    return Array.isArray(reply) ? reply.map(String) : []
  }

  /**
   * All keys (active and lost), found with `SCAN` (no extra bookkeeping; fine for status output);
   * on a cluster, on every master.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when Redis cannot be reached.
   * @example
   * ```ts
   * const keys = await store.list()
   * ```
   */
  async list(prefix = ''): Promise<string[]> {
    const head = this.#recordKey('')
    const pattern = `${(head + prefix).replace(/[*?[\]\\]/g, '\\$&')}*`
    const keys = new Set<string>()
    let nodes = [this.#redis]
    if (this.#cluster) {
      let masters: RedisCommandFn[]
      try {
        masters = await clusterMasters(this.#client)
      } catch (err) {
        throw toStoreError(err)
      }
      nodes = masters.map((send) => new RedisExecutor(send, this.#timeoutMs))
    }
    for (const node of nodes) {
      let cursor = '0'
      do {
        const reply = await node.command(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '500'])
        const page = (Array.isArray(reply) ? reply : ['0', []]) as unknown[]
        cursor = String(page[0])
        const batch = Array.isArray(page[1]) ? (page[1] as unknown[]) : []
        for (const k of batch) keys.add(String(k).slice(head.length))
      } while (cursor !== '0')
    }
    return [...keys]
  }

  /**
   * The cross-process refresh lock over the same client and prefix (`SET NX PX`, compare-and-delete release).
   *
   * @example
   * ```ts
   * const lock = store.createLock()
   * const handle = await lock.tryAcquire('user-42', 30_000)
   * ```
   */
  createLock(): RedisLock {
    return new RedisLock({ client: this.#client, prefix: `${this.#prefix}lock:`, commandTimeoutMs: this.#timeoutMs })
  }

  /** The token cache's invalidation channel (pub/sub under the prefix); see lib/tokens/TokenCache.ts. @internal */
  [CACHE_INVALIDATION](): CacheInvalidation | undefined {
    return redisCacheInvalidation(this.#client, this.#redis, invalidationChannel(this.#prefix))
  }

  #recordKey(key: string): string {
    return `${this.#prefix}token:${key}`
  }

  #dueKey(): string {
    return `${this.#prefix}due`
  }
}

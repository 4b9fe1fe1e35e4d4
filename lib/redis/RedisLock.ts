import { randomBytes } from 'node:crypto'
import type { LockHandle, RefreshLock } from '../tokens/TokenStore'
import { assertInteger, assertKnownKeys, assertObject, assertString } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { assertKey } from '../tokens/stores/recordCodec'
import { RedisExecutor, RedisScript, toCommandFn, type RedisClientLike } from './redisAdapter'

/**
 * Options of {@link RedisLock}.
 *
 * @example
 * ```ts
 * const options: RedisLockOptions = { client, prefix: 'myapp:lexoffice:lock:' }
 * ```
 */
export interface RedisLockOptions {
  /** Your node-redis (v4+) or ioredis client (see `RedisTokenStoreOptions.client` for fail-fast settings). */
  client: RedisClientLike
  /** Prefix of the lock keys. Default `'lexoffice:lock:'`. */
  prefix?: string
  /** Deadline of each Redis command, ms. Default 5000. */
  commandTimeoutMs?: number
}

const OPTION_KEYS = optionKeys<RedisLockOptions>()(['client', 'prefix', 'commandTimeoutMs'])

const RELEASE_SCRIPT = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end
`)

const EXTEND_SCRIPT = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end
`)

/**
 * A single-node Redis lock for refreshes across processes: `SET key <random token> NX PX ttl`,
 * released by a compare-and-delete script and extended by a compare-and-`PEXPIRE` script, so a
 * holder whose lock expired can never release or extend the next holder's lock.
 *
 * It is an *approximate* lock (Kleppmann): after its TTL another process may take it, so keep
 * the token request timeout well below the TTL, extend while working, and rely on the store's
 * compare-and-set as the final fence. Usually created by `RedisTokenStore.createLock()`.
 *
 * @example
 * ```ts
 * import { RedisLock } from 'passport-lexoffice/redis'
 * const lock = new RedisLock({ client })
 * const handle = await lock.tryAcquire('user-42', 30_000)
 * if (handle) {
 *   try { await refresh() } finally { await handle.release() }
 * }
 * ```
 */
export class RedisLock implements RefreshLock {
  readonly #redis: RedisExecutor
  readonly #prefix: string

  /** @throws TypeError for a missing or unsupported client or a bad option. */
  constructor(options: RedisLockOptions) {
    assertObject(options, 'options')
    assertKnownKeys(options, OPTION_KEYS, 'RedisLock')
    const prefix = options.prefix ?? 'lexoffice:lock:'
    assertString(prefix, 'prefix', { max: 256 })
    const timeoutMs = options.commandTimeoutMs ?? 5000
    assertInteger(timeoutMs, 'commandTimeoutMs', 1, 600_000)
    this.#redis = new RedisExecutor(toCommandFn(options.client, 'client'), timeoutMs)
    this.#prefix = prefix
  }

  /**
   * Tries once to take the lock for `ttlMs`; resolves a handle, or `undefined` while another holds it.
   * The handle's `release()` never rejects (an unreleased lock expires after its TTL); `extend()`
   * resolves `false` when the lock was lost and rejects with `STORE_UNAVAILABLE` when Redis is down.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when Redis cannot be reached (do not refresh then).
   * @example
   * ```ts
   * const handle = await lock.tryAcquire('user-42', 30_000)
   * if (handle && !(await handle.extend(30_000))) throw new Error('lock lost')
   * ```
   */
  async tryAcquire(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    assertKey(key)
    assertInteger(ttlMs, 'ttlMs', 1)
    const lockKey = this.#prefix + key
    const owner = randomBytes(16).toString('hex')
    const reply = await this.#redis.command(['SET', lockKey, owner, 'NX', 'PX', String(ttlMs)])
    if (reply !== 'OK') return undefined
    return {
      release: async () => {
        try {
          await this.#redis.script(RELEASE_SCRIPT, [lockKey], [owner])
        } catch {
          // Redis is unreachable: the lock expires after its TTL; a release must not mask the caller's result.
        }
      },
      extend: async (ms: number) => {
        assertInteger(ms, 'ttlMs', 1)
        return Number(await this.#redis.script(EXTEND_SCRIPT, [lockKey], [owner, String(ms)])) === 1
      },
    }
  }
}

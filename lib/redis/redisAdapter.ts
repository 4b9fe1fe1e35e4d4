/**
 * The few Redis operations the token stores and locks need, over either node-redis (v4+,
 * `client.sendCommand([...])`) or ioredis (`client.call(cmd, ...args)`). We never create a client
 * and never import a Redis package: the user's client is passed in.
 *
 * @internal
 */
import { createHash } from 'node:crypto'
import type { LexofficeError } from '../errors'
import { storeUnavailable } from '../failures/storeUnavailable'
import { invalidArg } from '../options/assert'
import { DeadlineTicker } from '../timing/DeadlineTicker'

/**
 * A node-redis (v4, v5, v6) client: `createClient()` from `redis` / `@redis/client`.
 * @example
 * ```ts
 * const client: NodeRedisClientLike = createClient({ url, disableOfflineQueue: true })
 * ```
 */
export interface NodeRedisClientLike {
  sendCommand(args: string[]): Promise<unknown>
}

/**
 * An ioredis client: `new Redis()` from `ioredis`.
 * @example
 * ```ts
 * const client: IoRedisClientLike = new Redis(url, { enableOfflineQueue: false })
 * ```
 */
export interface IoRedisClientLike {
  call(command: string, ...args: string[]): Promise<unknown>
}

/**
 * A node-redis Cluster client: `createCluster()` from `redis` (commands are routed by the key
 * given to `sendCommand(firstKey, isReadonly, args)`).
 * @example
 * ```ts
 * const client: NodeRedisClusterLike = createCluster({ rootNodes: [{ url: process.env.REDIS_URL }] })
 * ```
 */
export interface NodeRedisClusterLike {
  readonly masters: readonly unknown[]
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>
  nodeClient(node: never): Promise<NodeRedisClientLike> | NodeRedisClientLike
}

/**
 * A Redis client the Redis store and lock accept: node-redis or ioredis, a single node (or
 * Sentinel) or a Cluster (node-redis `createCluster`, ioredis `Cluster`).
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const client: RedisClientLike = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 * ```
 */
export type RedisClientLike = NodeRedisClientLike | IoRedisClientLike | NodeRedisClusterLike

/**
 * Sends one command; resolves its reply.
 * @internal
 */
export type RedisCommandFn = (args: string[]) => Promise<unknown>

/**
 * Picks the generic-command method of the client (ioredis first: it also has a `sendCommand`,
 * which takes a Command object).
 * @internal
 */
export function toCommandFn(client: unknown, name: string): RedisCommandFn {
  if (client === null || typeof client !== 'object')
    throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be a node-redis or ioredis client`)
  const c = client as Partial<IoRedisClientLike & NodeRedisClientLike> & {
    options?: { keyPrefix?: unknown; redisOptions?: { keyPrefix?: unknown } }
    _options?: { keyPrefix?: unknown }
  }
  const keyPrefix = c.options?.keyPrefix ?? c.options?.redisOptions?.keyPrefix ?? c._options?.keyPrefix
  if (keyPrefix !== undefined && keyPrefix !== '' && keyPrefix !== null)
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must not use the client's keyPrefix option; use the store's "prefix" option`)
  if (isNodeRedisCluster(client)) {
    // node-redis routes a cluster command by the key it is given, not by reading the arguments.
    return (args) => client.sendCommand(firstKeyOf(args), false, args)
  }
  // ioredis (single node and Cluster) finds the keys of every command, EVALSHA included.
  if (typeof c.call === 'function') {
    const call = c.call
    return ([command = '', ...rest]) => call.call(client, command, ...rest)
  }
  if (typeof c.sendCommand === 'function') {
    const send = c.sendCommand
    return (args) => send.call(client, args)
  }
  throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be a node-redis (sendCommand) or ioredis (call) client`)
}

function isNodeRedisCluster(client: unknown): client is NodeRedisClusterLike {
  return Array.isArray((client as { masters?: unknown }).masters) && typeof (client as { nodeClient?: unknown }).nodeClient === 'function'
}

/** ioredis's `Cluster`. */
interface IoRedisClusterLike {
  isCluster: true
  nodes(role: 'master'): IoRedisClientLike[]
}

function isIoRedisCluster(client: unknown): client is IoRedisClusterLike {
  return (client as { isCluster?: unknown }).isCluster === true && typeof (client as { nodes?: unknown }).nodes === 'function'
}

/**
 * `true` for a Redis Cluster client of either library.
 * @internal
 */
export function isRedisCluster(client: unknown): boolean {
  return client !== null && typeof client === 'object' && (isNodeRedisCluster(client) || isIoRedisCluster(client))
}

/**
 * A send function per master of a cluster client (for SCAN, which sees one node's keys only).
 * @internal
 */
export async function clusterMasters(client: unknown): Promise<RedisCommandFn[]> {
  if (isIoRedisCluster(client)) return client.nodes('master').map((node) => (args) => node.call(args[0] ?? '', ...args.slice(1)))
  if (isNodeRedisCluster(client)) {
    const nodes = await Promise.all(client.masters.map(async (master) => client.nodeClient(master as never)))
    return nodes.map((node) => (args) => node.sendCommand(args))
  }
  return []
}

/**
 * The key prefix of a store on a cluster: every key of the store must hash to one slot (its Lua
 * scripts touch the record, the due index and the lock together), so the prefix becomes a hash
 * tag, `{lexoffice:}`, unless it already holds one (`myapp:{lx}:` stays as it is). Single-node
 * stores keep their prefix unchanged: their key layout does not move.
 * @throws TypeError for a prefix with braces that do not form a hash tag.
 * @internal
 */
export function clusterPrefix(prefix: string): string {
  const open = prefix.indexOf('{')
  const close = open === -1 ? -1 : prefix.indexOf('}', open + 1)
  if (close > open + 1) return prefix
  if (prefix.includes('{') || prefix.includes('}'))
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      '"prefix" has braces that are not a Redis hash tag ("{tag}"); on a cluster the prefix must hold one or none',
    )
  return `{${prefix}}`
}

/** The key a command is routed by: EVAL/EVALSHA name theirs after the key count. */
function firstKeyOf(args: string[]): string | undefined {
  const command = (args[0] ?? '').toUpperCase()
  if (command === 'EVAL' || command === 'EVALSHA') return Number(args[2]) > 0 ? args[3] : undefined
  return args[1]
}

/**
 * A Lua script run with EVALSHA, falling back to EVAL once when the server does not know it.
 * @internal
 */
export class RedisScript {
  readonly sha: string
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex')
  }
}

/**
 * Sends commands with a deadline and turns every failure into a secret-free `LexofficeError`
 * (`STORE_UNAVAILABLE`, 503). The deadline is a safety net for clients that queue commands while
 * offline; configure the client to fail fast as well.
 * @internal
 */
export class RedisExecutor {
  readonly #send: RedisCommandFn
  readonly #timeoutMs: number
  readonly #deadlines: DeadlineTicker

  constructor(send: RedisCommandFn, timeoutMs: number) {
    this.#send = send
    this.#timeoutMs = timeoutMs
    this.#deadlines = new DeadlineTicker(timeoutMs)
  }

  async command(args: string[]): Promise<unknown> {
    return this.#withDeadline(args)
  }

  async script(script: RedisScript, keys: string[], argv: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...argv]
    try {
      return await this.#withDeadline(['EVALSHA', script.sha, ...tail], true)
    } catch (err) {
      if (!isNoScript(err)) throw toStoreError(err)
    }
    return this.#withDeadline(['EVAL', script.source, ...tail])
  }

  /** `raw`: let NOSCRIPT through unmapped so `script()` can retry with EVAL. */
  async #withDeadline(args: string[], raw = false): Promise<unknown> {
    try {
      return await this.#deadlines.run(
        () => this.#send(args),
        () => new Error(`Redis did not answer within ${this.#timeoutMs} ms`),
      )
    } catch (err) {
      if (raw && isNoScript(err)) throw err
      throw toStoreError(err)
    }
  }
}

function isNoScript(err: unknown): boolean {
  return err instanceof Error && /^NOSCRIPT/.test(err.message)
}

/**
 * @internal
 */
export function toStoreError(err: unknown): LexofficeError {
  return storeUnavailable('The token store (Redis)', err)
}

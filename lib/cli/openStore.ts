/**
 * Opens the token store of `refresh` and `status`: Redis (node-redis) or PostgreSQL (a `pg`
 * pool), both optional peer dependencies loaded on demand, created here and closed at the end
 * so the process exits on its own.
 *
 * @internal
 */
import type { PostgresTableNames } from '../postgres/postgresTables'
import type { TokenCipher } from '../tokens/crypto/TokenCipher'
import type { TokenStore } from '../tokens/TokenStore'
import type { StoreArgs } from './args'
import { redactURL } from './args'
import { loadOptionalPeer } from '../options/loadOptionalPeer'

/**
 * An opened store: what to call it in messages (`Redis at redis://host:6379`), and how to close it.
 * @internal
 */
export interface OpenedStore {
  store: TokenStore
  where: string
  close(): Promise<void>
}

/**
 * The store named by `args`; rejects when the backend cannot be reached (`describe` says where).
 * `encryption` undefined: records are read and written as plain JSON, as the app's store does
 * with `encryption: false` (the command line said `--plaintext`; without keys it refuses to start).
 * @internal
 */
export async function openStore(args: StoreArgs, encryption: TokenCipher | undefined, connections: number): Promise<OpenedStore> {
  return 'postgresURL' in args ? openPostgres(args.postgresURL, args.tables, encryption, connections) : openRedis(args, encryption)
}

/**
 * Where a store is, for messages (no password).
 * @internal
 */
export function whereIs(args: StoreArgs | { postgresURL: string }): string {
  return 'postgresURL' in args ? `PostgreSQL at ${redactURL(args.postgresURL)}` : `Redis at ${redactURL(args.redisURL)}`
}

async function openRedis(args: { redisURL: string; prefix: string }, encryption: TokenCipher | undefined): Promise<OpenedStore> {
  // Optional peer dependency, loaded only by the command that needs it.
  const { createClient } = loadOptionalPeer('redis', 'passport-lexoffice --redis (node-redis v4 or later)') as typeof import('redis')
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only by the command that needs it
  const { RedisTokenStore } = require('../redis/RedisTokenStore') as typeof import('../redis/RedisTokenStore')
  // Fails fast instead of queueing while Redis is down.
  const client = createClient({ url: args.redisURL, disableOfflineQueue: true, socket: { connectTimeout: 5000, reconnectStrategy: false } })
  client.on('error', () => undefined) // reported through the rejected commands
  try {
    await client.connect()
  } catch (err) {
    client.destroy()
    throw err
  }
  return {
    store: new RedisTokenStore({ client, prefix: args.prefix, encryption: encryption ?? false }),
    where: whereIs(args),
    close: () => client.close().catch(() => client.destroy()),
  }
}

/**
 * A `pg` pool of at most `connections` (the refresh concurrency plus the lock's queries), with a
 * connection timeout; one `SELECT 1` proves PostgreSQL answers before any work starts.
 * @internal
 */
export async function connectPostgres(url: string, connections: number): Promise<import('pg').Pool> {
  const { Pool } = loadOptionalPeer('pg', 'passport-lexoffice --postgres') as typeof import('pg')
  const pool = new Pool({ connectionString: url, max: connections, connectionTimeoutMillis: 5000 })
  pool.on('error', () => undefined) // an idle connection that dropped; the next query reports it
  try {
    await pool.query('SELECT 1')
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw err
  }
  return pool
}

async function openPostgres(
  url: string,
  tables: PostgresTableNames,
  encryption: TokenCipher | undefined,
  connections: number,
): Promise<OpenedStore> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads pg only on this path
  const { PostgresTokenStore } = require('../postgres/PostgresTokenStore') as typeof import('../postgres/PostgresTokenStore')
  const pool = await connectPostgres(url, connections)
  return {
    // Without LEXOFFICE_ENCRYPTION_KEYS the command reads what plain-JSON stores wrote; encrypted
    // records then read as absent (and are never overwritten with plaintext by a refresh).
    store: new PostgresTokenStore({ pool, tables, encryption: encryption ?? false }),
    where: whereIs({ postgresURL: url }),
    close: () => pool.end(),
  }
}

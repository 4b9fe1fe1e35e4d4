/**
 * A child process that plays one app instance: a TokenManager on a RedisTokenStore (shared Redis,
 * same prefix as its siblings), or on a PostgresTokenStore when `postgres` is given (same
 * tables), talking to the parent's sandbox. Driven over IPC:
 *
 * - parent → `{ type: 'init', ...ChildConfig }`; child → `{ type: 'ready' }`
 * - parent → `{ type: 'go', calls }`; child runs `calls` concurrent getAccessToken(key) and answers
 *   `{ type: 'result', ok: sha256[] , errors: code[] }` (hashes, so no token crosses the pipe)
 * - parent → `{ type: 'exit' }`
 *
 * Run with `fork(file, [], { execArgv: ['-r', 'ts-node/register/transpile-only'] })`.
 */
import { createHash } from 'node:crypto'
import { Pool } from 'pg'
import { createClient } from 'redis'
import { PostgresTokenStore } from '../../../lib/postgres/PostgresTokenStore'
import type { PostgresTableNames } from '../../../lib/postgres/postgresTables'
import { RedisTokenStore } from '../../../lib/redis/RedisTokenStore'
import type { TokenStore } from '../../../lib/tokens/TokenStore'
import { TokenManager } from '../../../lib/tokens/TokenManager'
import { encryptionKeysFromEnv } from '../../../lib/tokens/crypto/encryptionKeysFromEnv'

export interface ChildConfig {
  redisUrl: string
  prefix: string
  key: string
  clientID: string
  clientSecret: string
  tokenURL: string
  revokeURL: string
  apiURL: string
  oauthTimeoutMs: number
  lockTtlMs: number
  /** Use PostgreSQL (these tables) instead of Redis. */
  postgres?: { url: string; tables: PostgresTableNames }
}

export type ParentMessage = ({ type: 'init' } & ChildConfig) | { type: 'go'; calls: number } | { type: 'exit' }
export type ChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'result'; ok: string[]; errors: string[] }
  | { type: 'event'; name: string; payload: unknown }
  | { type: 'fatal'; message: string }

const send = (msg: ChildMessage): void => {
  process.send?.(msg)
}
const hash = (s: string): string => createHash('sha256').update(s).digest('hex')

let manager: TokenManager | undefined
let key = ''
let redis: ReturnType<typeof createClient> | undefined
let pool: Pool | undefined

process.on('message', (msg: ParentMessage) => {
  void handle(msg).catch((err: unknown) => send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) }))
})

async function handle(msg: ParentMessage): Promise<void> {
  if (msg.type === 'init') {
    let store: TokenStore
    if (msg.postgres) {
      // Two connections: 50 concurrent calls queue in the pool instead of forking 10 server processes per child.
      pool = new Pool({ connectionString: msg.postgres.url, connectionTimeoutMillis: 2000, max: 2 })
      pool.on('error', () => undefined)
      // Encrypted with the parent's key (LEXOFFICE_ENCRYPTION_KEYS in this process's environment).
      store = new PostgresTokenStore({ pool, tables: msg.postgres.tables, encryption: encryptionKeysFromEnv()! })
    } else {
      redis = createClient({
        url: msg.redisUrl,
        disableOfflineQueue: true,
        socket: { reconnectStrategy: (n: number) => (n > 5 ? false : 50) },
      })
      redis.on('error', () => undefined)
      await redis.connect()
      store = new RedisTokenStore({ client: redis, prefix: msg.prefix, encryption: encryptionKeysFromEnv()! })
    }
    key = msg.key
    manager = new TokenManager({
      store,
      oauth: {
        clientID: msg.clientID,
        clientSecret: msg.clientSecret,
        tokenURL: msg.tokenURL,
        revokeURL: msg.revokeURL,
        apiURL: msg.apiURL,
        timeoutMs: msg.oauthTimeoutMs,
      },
      lockTtlMs: msg.lockTtlMs,
      retry: { minDelayMs: 10, maxDelayMs: 50 },
    })
    for (const name of ['refreshed', 'refreshFailed', 'authLost'] as const)
      manager.on(name, (payload: unknown) => send({ type: 'event', name, payload }))
    send({ type: 'ready', pid: process.pid })
  } else if (msg.type === 'go') {
    const m = manager!
    const results = await Promise.allSettled(Array.from({ length: msg.calls }, () => m.getAccessToken(key)))
    send({
      type: 'result',
      ok: results.flatMap((r) => (r.status === 'fulfilled' ? [hash(r.value)] : [])),
      errors: results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as { code?: string }).code ?? r.reason)] : [])),
    })
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- messages arrive untyped over IPC; others are ignored
  } else if (msg.type === 'exit') {
    if (redis?.isOpen) redis.destroy()
    await pool?.end()
    process.disconnect()
  }
}

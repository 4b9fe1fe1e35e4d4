/**
 * A child process that plays one app instance: a TokenManager on a RedisTokenStore (shared Redis,
 * same prefix as its siblings), or on a PostgresTokenStore when `postgres` is given (same
 * tables), talking to the parent's sandbox. Driven over IPC:
 *
 * - parent → `{ type: 'init', ...ChildConfig }`; child → `{ type: 'ready' }`
 * - parent → `{ type: 'go', calls }`; child runs `calls` concurrent getAccessToken(key) and answers
 *   `{ type: 'result', ok: sha256[] , errors: code[] }` (hashes, so no token crosses the pipe)
 * - parent → `{ type: 'ask', id, op }`; child answers `{ type: 'answer', id, ... }` (see {@link Op}): one
 *   request at a time by id, so a test can ask the same child again and again
 * - parent → `{ type: 'exit' }`
 *
 * With `tokenCache: true` the manager is the one `buildLexoffice` (createLexoffice) makes on the
 * same store: the per-process token cache in front of it, wired exactly as apps get it (its own
 * defaults for locks and retries; `lockTtlMs`, `oauthTimeoutMs` are then not used). API calls
 * (`op: 'api'`) go through that configuration's client; the child reports, per request, the hash
 * of the bearer token it sent and the status the sandbox answered.
 *
 * Run with `fork(file, [], { execArgv: ['-r', 'ts-node/register/transpile-only'] })`.
 */
import { createHash } from 'node:crypto'
import { Pool } from 'pg'
import { createClient } from 'redis'
import { buildLexoffice, type Lexoffice } from '../../../lib/config/Lexoffice'
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
  /** Put the token cache in front of the store, as createLexoffice does (see the file's comment). */
  tokenCache?: boolean
}

/**
 * What the parent can ask: `token` getAccessToken (hash or error code); `refresh` the same with
 * forceRefresh; `api` one profile call through the configuration's client (needs `tokenCache`);
 * `disconnect`, `markLost` (reason token.revoked) on the manager; `cache` the cache's state.
 */
export type Op = 'token' | 'refresh' | 'api' | 'disconnect' | 'markLost' | 'cache'
/** One API request the child sent: sha256 of its bearer token and the status answered. */
export interface ApiRequest {
  token: string
  status: number
}
export interface Answer {
  type: 'answer'
  id: number
  /** sha256 of the access token (`token`, `refresh`). */
  token?: string
  /** The error's `code` (or message) when the operation failed. */
  error?: string
  /** `api`: the requests it made, in order. */
  requests?: ApiRequest[]
  /** `cache`: the token cache's view (`undefined` without one). */
  cache?: { live: boolean; entries: number }
}

export type ParentMessage =
  ({ type: 'init' } & ChildConfig) | { type: 'go'; calls: number } | { type: 'ask'; id: number; op: Op } | { type: 'exit' }
export type ChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'result'; ok: string[]; errors: string[] }
  | { type: 'event'; name: string; payload: unknown }
  | { type: 'fatal'; message: string }
  | Answer

const send = (msg: ChildMessage): void => {
  process.send?.(msg)
}
const hash = (s: string): string => createHash('sha256').update(s).digest('hex')

let manager: TokenManager | undefined
let key = ''
let redis: ReturnType<typeof createClient> | undefined
let pool: Pool | undefined
let lexoffice: Lexoffice | undefined
/** API requests of the `api` operation in progress (one at a time). */
let apiRequests: ApiRequest[] = []
const codeOf = (err: unknown): string => String((err as { code?: string }).code ?? (err instanceof Error ? err.message : err))

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
    if (msg.tokenCache === true) {
      lexoffice = buildLexoffice(
        {
          clientID: msg.clientID,
          clientSecret: msg.clientSecret,
          environment: { authURL: new URL(msg.tokenURL).origin, apiURL: msg.apiURL },
          baseURL: 'http://127.0.0.1:3000',
          scope: 'profile.read',
          store,
          env: {},
        },
        {
          fetch: async (input, init) => {
            const res = await fetch(input, init)
            const auth = new Headers(init?.headers).get('authorization')
            if (String(input).includes('/v1/') && auth !== null)
              apiRequests.push({ token: hash(auth.replace(/^Bearer /, '')), status: res.status })
            return res
          },
        },
      )
    }
    manager =
      lexoffice?.manager ??
      new TokenManager({
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
  } else if (msg.type === 'ask') {
    send({ type: 'answer', id: msg.id, ...(await perform(msg.op)) })
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
    await lexoffice?.close()
    if (redis?.isOpen) redis.destroy()
    await pool?.end()
    process.disconnect()
  }
}

async function perform(op: Op): Promise<Omit<Answer, 'type' | 'id'>> {
  const m = manager!
  try {
    switch (op) {
      case 'token':
        return { token: hash(await m.getAccessToken(key)) }
      case 'refresh':
        return { token: hash(await m.getAccessToken(key, { forceRefresh: true })) }
      case 'api': {
        apiRequests = []
        try {
          await lexoffice!.client(key).profile.get()
          return { requests: apiRequests }
        } catch (err) {
          return { requests: apiRequests, error: codeOf(err) }
        }
      }
      case 'disconnect':
        await m.disconnect(key)
        return {}
      case 'markLost':
        await m.markLost(key, 'token.revoked')
        return {}
      case 'cache': {
        const view = lexoffice?.toJSON()['tokenCache'] as { live: boolean; entries: number } | undefined
        return view === undefined ? {} : { cache: { live: view.live, entries: view.entries } }
      }
    }
  } catch (err) {
    return { error: codeOf(err) }
  }
}

import type { LexofficeEnvironment } from '../endpoints'
import type { LexofficeConnection, LexofficeVerify } from '../strategy/LexofficeConnection'
import type { TokenCipherOptions } from '../tokens/crypto/TokenCipher'
import type { TokenStore } from '../tokens/TokenStore'
import type { RateLimitScope } from '../client/LexofficeClientOptions'

/**
 * A lexoffice that is neither production nor lexoffice's partner sandbox, e.g. the package's own
 * sandbox (`npx passport-lexoffice sandbox`) or a proxy in front of lexoffice.
 *
 * @example
 * ```ts
 * const environment: LexofficeCustomEnvironment = { authURL: 'http://127.0.0.1:4010', apiURL: 'http://127.0.0.1:4010' }
 * ```
 */
export interface LexofficeCustomEnvironment {
  /** Origin of the OAuth server; `/oauth2/authorize`, `/oauth2/token` and `/oauth2/revoke` lie below it. */
  authURL: string
  /** API base, without `/v1`. */
  apiURL: string
}

/**
 * Where the stored tokens' encryption keys come from: key ids mapped to 32 random bytes (a
 * `Buffer`, or base64/base64url), and the id new writes use. Older ids keep decrypting, which is
 * how keys rotate.
 *
 * @example
 * ```ts
 * const encryption: LexofficeEncryptionOption = { keys: { '2026-12': process.env.TOKEN_KEY! }, currentKeyId: '2026-12' }
 * ```
 */
export type LexofficeEncryptionOption = Pick<TokenCipherOptions, 'keys' | 'currentKeyId'>

/**
 * A Redis client (node-redis v4+ or ioredis), connected by you. With it, tokens, the refresh lock,
 * the API rate budget and webhook deduplication are shared by every process of your app.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const redis: LexofficeRedisClient = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true }).connect()
 * ```
 */
export type LexofficeRedisClient = object

/**
 * The one configuration of passport-lexoffice, given to {@link createLexoffice}. Every option
 * with an environment variable falls back to it; an option given here wins. Everything is
 * validated once, when `createLexoffice` runs: a bad value throws a `TypeError` naming the option
 * (and its variable).
 *
 * @example
 * ```ts
 * const options: LexofficeOptions = {
 *   scope: ['profile.read', 'contacts.read'],
 *   connectionName: 'Example App',
 * }
 * ```
 */
export interface LexofficeOptions {
  /** Your partner client id, issued by Lexware. Default: `LEXOFFICE_CLIENT_ID`. */
  clientID?: string
  /** Your partner client secret. Sent only as HTTP Basic to the token endpoint. Default: `LEXOFFICE_CLIENT_SECRET`. */
  clientSecret?: string
  /**
   * Which lexoffice: `'production'` (the default), `'sandbox'` (lexoffice's partner sandbox), or
   * explicit URLs. Default: `LEXOFFICE_ENV`, or `LEXOFFICE_AUTH_URL` plus `LEXOFFICE_API_URL`.
   */
  environment?: LexofficeEnvironment | LexofficeCustomEnvironment
  /**
   * The public URL of your app, e.g. `https://app.example.com`; the OAuth callback lies below it
   * (`<baseURL>/auth/lexoffice/callback` for {@link Lexoffice.routes}). https, or http on
   * localhost. Default: `BASE_URL`.
   */
  baseURL?: string
  /**
   * The exact callback URL registered with Lexware, when it is not `<baseURL>` + the routes' path
   * (e.g. when you mount the strategy on routes of your own). Default: `LEXOFFICE_CALLBACK_URL`.
   */
  callbackURL?: string
  /**
   * Scopes to request, as an array or a space-separated string; must include `profile.read` (the
   * connection is identified through `GET /v1/profile`). Default: `LEXOFFICE_SCOPE`; without
   * either, startup fails: lexoffice would grant every scope of your client.
   */
  scope?: string | readonly string[]
  /** Label of the connection on the user's lexoffice extensions page. Default: `LEXOFFICE_CONNECTION_NAME`. */
  connectionName?: string
  /**
   * Where the tokens live. Default: in this process's memory, or in Redis when `redis` is given.
   * A store of your own must implement `get`, `set` and `destroy` (see `TokenStore`).
   */
  store?: TokenStore
  /** A connected Redis client: tokens (encrypted), the refresh lock, the API rate budget and webhook dedupe go there. */
  redis?: LexofficeRedisClient
  /**
   * Key prefix of everything kept in Redis. Default `lexoffice:`; give every app that shares a
   * Redis its own.
   */
  redisPrefix?: string
  /**
   * Encryption at rest of the tokens in Redis: keys, or `false` to store them as plaintext
   * (not recommended: tokens open your customers' books). Default: `LEXOFFICE_ENCRYPTION_KEYS`
   * (`"<keyId>:<base64 key>[,<keyId>:<base64 key>...]"`, the first one encrypts). Required with `redis`.
   */
  encryption?: LexofficeEncryptionOption | false
  /**
   * The token cache in each process, in front of a shared store (Redis, PostgreSQL): a fresh
   * access token is served from memory until it is due for refresh, so an API call costs no store
   * round trip. Every write (refresh, disconnect, lost) is announced to the other processes
   * (Redis pub/sub, PostgreSQL LISTEN/NOTIFY on a connection of its own), which drop their copy; a
   * token lexoffice refuses (401) is re-read from the store; while the subscription is down the
   * cache serves nothing. `false` turns it off; `{ maxEntries }` bounds it (default 10 000
   * connections). Default: on for `redis` and for a `RedisTokenStore` or `PostgresTokenStore`
   * passed as `store` (other stores are read directly). Every process that writes the same store
   * must run with the cache (or at least announce writes through it): call `lexoffice.close()` at shutdown.
   */
  tokenCache?: boolean | { maxEntries?: number }
  /**
   * Turns the stored connection into the user of your app (sign in) or checks it (connect). It
   * runs after the tokens were stored; return `false` to refuse, and the connection is revoked.
   * Default: the connection itself is the user (a small serialisable {@link LexofficeUser}).
   */
  verify?: LexofficeVerify
  /**
   * Who shares the API's pacing budget (lexoffice allows 2 requests per second, without saying
   * per what): `'client'` (default), one budget for every connection of this app, safe however
   * lexoffice counts; `'connection'`, one per connection, only if you know lexoffice counts so.
   */
  rateLimitScope?: RateLimitScope
  /** How long a started login may take before its callback is refused, ms. Default 600 000 (10 min). */
  pendingLoginTtlMs?: number
  /** Pending logins (browser tabs) kept per session. Default 5. */
  maxPendingLogins?: number
  /** Session property for pending logins and the connection of this session. Default `'lexoffice'`. */
  sessionKey?: string
  /** Timeout of each call to lexoffice (token, revoke, profile), ms. Default 10 000. */
  timeoutMs?: number
  /** Receives one-time configuration warnings. Default `console`. */
  logger?: { warn(message: string): void }
  /** The environment variables to read. Default `process.env`; pass `{}` to read none. */
  env?: Readonly<Record<string, string | undefined>>
}

export type { LexofficeConnection }

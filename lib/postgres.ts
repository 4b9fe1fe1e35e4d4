/**
 * `passport-lexoffice/postgres`: the PostgreSQL token store, the refresh lock and the webhook
 * dedupe store, and the migration that creates their tables. A separate entry point, so apps
 * without PostgreSQL never load this code. Works with your own `pg.Pool`; this package does not
 * depend on `pg` (an optional peer dependency) and never opens a connection itself.
 *
 * @example
 * ```ts
 * import { Pool } from 'pg'
 * import { PostgresTokenStore, PostgresWebhookDedupeStore, migratePostgres } from 'passport-lexoffice/postgres'
 *
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5000 })
 * await migratePostgres(pool)
 * const store = new PostgresTokenStore({ pool, encryption: { keys: { k1: process.env.TOKEN_KEY! }, currentKeyId: 'k1' } })
 * const lock = store.createLock()
 * const dedupe = new PostgresWebhookDedupeStore({ pool })
 * ```
 *
 * @packageDocumentation
 */
export { PostgresTokenStore, type PostgresTokenStoreOptions } from './postgres/PostgresTokenStore'
export { PostgresLock, type PostgresLockOptions } from './postgres/PostgresLock'
export { PostgresWebhookDedupeStore, type PostgresWebhookDedupeStoreOptions } from './postgres/PostgresWebhookDedupeStore'
export { migratePostgres, postgresMigrationSQL, type PostgresMigrationOptions } from './postgres/migratePostgres'
export type { PostgresPoolLike } from './postgres/postgresPool'
export type { PostgresTableNames } from './postgres/postgresTables'
export type { SharedStoreEncryption } from './tokens/stores/sharedStoreEncryption'
export { TokenCipher, type TokenCipherOptions, type DecryptErrorEvent, type DecryptErrorReason } from './tokens/crypto/TokenCipher'
// The contracts these classes implement, named by their declarations (also exported by the main entry).
export type { LockHandle, RefreshLock, TokenStore } from './tokens/TokenStore'
export type { ConnectionDetails, TokenInfo, TokenRecord, TokenSet } from './tokens/TokenSet'
export type { EncryptionOption } from './tokens/stores/recordCodec'
export type { WebhookDedupeClaim, WebhookDedupeStore } from './webhooks/dedupe/WebhookDedupeStore'

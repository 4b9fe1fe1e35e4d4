/**
 * PostgreSQL mode of the example app (DATABASE_URL): sessions (connect-pg-simple), tokens and
 * the refresh lock (PostgresTokenStore), webhook dedupe (PostgresWebhookDedupeStore) and the
 * received-events list, all in one database, in the schema DATABASE_SCHEMA. Several instances
 * with the same DATABASE_URL, DATABASE_SCHEMA, SESSION_SECRET and encryption keys share logins.
 */
import connectPgSimple from 'connect-pg-simple'
import session from 'express-session'
import { Pool } from 'pg'
import type { TokenStore, WebhookDedupeStore } from 'passport-lexoffice'
import { PostgresTokenStore, PostgresWebhookDedupeStore, type SharedStoreEncryption, migratePostgres } from 'passport-lexoffice/postgres'
import { type EventLog, KEEP_EVENTS, type ReceivedEvent } from './eventLog'

export interface PostgresBackend {
  tokenStore: TokenStore
  sessionStore: session.Store
  webhookDedupe: WebhookDedupeStore
  events: EventLog
  close(): Promise<void>
}

/**
 * Opens the pool, creates what is missing (the library's migration and the example's own two
 * tables; idempotent, safe when several instances start at once), and builds the stores.
 * `schema` is a plain identifier (checked by readConfig).
 */
export async function startPostgresBackend(
  databaseURL: string,
  schema: string,
  encryption: SharedStoreEncryption,
): Promise<PostgresBackend> {
  const pool = new Pool({ connectionString: databaseURL, connectionTimeoutMillis: 5000, max: 10 })
  pool.on('error', (err: Error) => console.error('postgres:', err.message))
  try {
    const tables = {
      tokens: `${schema}.lexoffice_tokens`,
      locks: `${schema}.lexoffice_locks`,
      webhookClaims: `${schema}.lexoffice_webhook_claims`,
    }
    await migratePostgres(pool, { tables })
    // The example's own tables: connect-pg-simple's session table, and the last received events.
    await pool.query(`
      SELECT pg_advisory_xact_lock(7305192718349512418);
      CREATE TABLE IF NOT EXISTS "${schema}".example_sessions (sid varchar PRIMARY KEY, sess json NOT NULL, expire timestamp(6) NOT NULL);
      CREATE INDEX IF NOT EXISTS example_sessions_expire_idx ON "${schema}".example_sessions (expire);
      CREATE TABLE IF NOT EXISTS "${schema}".example_events (id bigserial PRIMARY KEY, event json NOT NULL);
    `)
    const PgSessionStore = connectPgSimple(session)
    const sessionStore = new PgSessionStore({ pool, schemaName: schema, tableName: 'example_sessions', createTableIfMissing: false })
    const events = `"${schema}".example_events`
    return {
      tokenStore: new PostgresTokenStore({ pool, tables, encryption }),
      sessionStore,
      webhookDedupe: new PostgresWebhookDedupeStore({ pool, tables }),
      events: {
        async add(event) {
          await pool.query(`INSERT INTO ${events} (event) VALUES ($1)`, [JSON.stringify(event)])
          await pool.query(`DELETE FROM ${events} WHERE id <= (SELECT max(id) - ${KEEP_EVENTS} FROM ${events})`)
        },
        async list() {
          const { rows } = await pool.query<{ event: ReceivedEvent }>(`SELECT event FROM ${events} ORDER BY id DESC LIMIT ${KEEP_EVENTS}`)
          return rows.map((row) => row.event)
        },
      },
      async close() {
        sessionStore.close() // stops its prune timer
        await pool.end()
      },
    }
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw err
  }
}

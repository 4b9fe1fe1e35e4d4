import { randomBytes } from 'node:crypto'
import { assertInteger } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { assertClaimArguments, type WebhookDedupeClaim, type WebhookDedupeStore } from '../webhooks/dedupe/WebhookDedupeStore'
import { assertPostgresOptions, assertPostgresText, PostgresExecutor, type PostgresPoolLike, toPostgresPool } from './postgresPool'
import { type PostgresTable, type PostgresTableNames, resolvePostgresTables } from './postgresTables'

/**
 * Options of {@link PostgresWebhookDedupeStore}.
 *
 * @example
 * ```ts
 * const options: PostgresWebhookDedupeStoreOptions = { pool, tables: { webhookClaims: 'billing.lexoffice_webhook_claims' } }
 * ```
 */
export interface PostgresWebhookDedupeStoreOptions {
  /** Your `pg.Pool` (give it a `connectionTimeoutMillis`, or each event waits `commandTimeoutMs` while PostgreSQL is away). */
  pool: PostgresPoolLike
  /**
   * Table names; the store uses `webhookClaims` (default `lexoffice_webhook_claims`). Give each
   * app its own table when several apps (different lexoffice clients) share one database.
   */
  tables?: PostgresTableNames
  /** Deadline of each query, ms (default 5000). */
  commandTimeoutMs?: number
  /**
   * Expired claims are deleted at most this often (ms), by the next claim after the interval,
   * in the background. Default 3,600,000 (one hour); 0 never (then call {@link PostgresWebhookDedupeStore.prune}).
   */
  pruneIntervalMs?: number
}

const OPTION_KEYS = optionKeys<PostgresWebhookDedupeStoreOptions>()(['pool', 'tables', 'commandTimeoutMs', 'pruneIntervalMs'])

/**
 * A {@link WebhookDedupeStore} in PostgreSQL, shared by every process of your app, so a delivery
 * that lexoffice repeats to another process behind the load balancer runs your handlers only once.
 *
 * A claim is one statement on the table's unique key: `INSERT ... ON CONFLICT (event_id) DO
 * UPDATE ... WHERE expires_at <= clock_timestamp()` (a new id, or one whose claim expired, is
 * taken; a live claim is left alone). `release()` deletes the row only while it still holds this
 * claim's random token, so a late release never removes a newer claim. A row holds ids and the
 * event date only, never a token or secret. Expired rows are pruned now and then (see
 * `pruneIntervalMs`).
 *
 * When PostgreSQL cannot be reached, `claim` and `release` reject with `LexofficeError`
 * (`STORE_UNAVAILABLE`, 503) without secrets; `lexofficeWebhooks` then runs your handlers anyway
 * and reports the error to `onError` (stage `dedupe`).
 *
 * @example
 * ```ts
 * import { lexofficeWebhooks } from 'passport-lexoffice'
 * import { PostgresWebhookDedupeStore } from 'passport-lexoffice/postgres'
 *
 * app.post('/webhooks/lexoffice', lexofficeWebhooks({ onEvent, dedupe: new PostgresWebhookDedupeStore({ pool }) }))
 * ```
 */
export class PostgresWebhookDedupeStore implements WebhookDedupeStore {
  readonly #db: PostgresExecutor
  readonly #table: PostgresTable
  readonly #pruneIntervalMs: number
  #lastPrune = Date.now()

  /** @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for a missing pool or a bad option. */
  constructor(options: PostgresWebhookDedupeStoreOptions) {
    assertPostgresOptions(options, OPTION_KEYS, 'PostgresWebhookDedupeStore')
    const timeoutMs = options.commandTimeoutMs ?? 5000
    assertInteger(timeoutMs, 'commandTimeoutMs', 1, 600_000)
    const pruneIntervalMs = options.pruneIntervalMs ?? 3_600_000
    assertInteger(pruneIntervalMs, 'pruneIntervalMs', 0)
    this.#table = resolvePostgresTables(options.tables).webhookClaims
    this.#db = new PostgresExecutor(toPostgresPool(options.pool), timeoutMs, 'webhook dedupe store')
    this.#pruneIntervalMs = pruneIntervalMs
  }

  /**
   * Claims `eventId` for `ttlMs`; see {@link WebhookDedupeStore.claim}.
   * @throws LexofficeError `STORE_UNAVAILABLE` when PostgreSQL cannot be reached; TypeError for bad arguments.
   * @example
   * ```ts
   * const claim = await dedupe.claim(eventId, 48 * 3600_000)
   * if (claim === undefined) console.log('handled already, by this or another process')
   * ```
   */
  async claim(eventId: string, ttlMs: number): Promise<WebhookDedupeClaim | undefined> {
    assertClaimArguments(eventId, ttlMs)
    assertPostgresText(eventId, 'eventId')
    const t = this.#table.sql
    const token = randomBytes(16).toString('hex')
    const claimed = await this.#db.query(
      `INSERT INTO ${t} AS claim (event_id, token, expires_at) VALUES ($1, $2, clock_timestamp() + $3::bigint * interval '1 millisecond')
       ON CONFLICT (event_id) DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at
       WHERE claim.expires_at <= clock_timestamp()`,
      [eventId, token, ttlMs],
    )
    this.#maybePrune()
    if (claimed.rowCount !== 1) return undefined
    return {
      release: async () => {
        await this.#db.query(`DELETE FROM ${t} WHERE event_id = $1 AND token = $2`, [eventId, token])
      },
    }
  }

  /**
   * Deletes every expired claim now; resolves how many. Claims call it by themselves once per
   * `pruneIntervalMs`; call it yourself (e.g. from a cron job) when that is 0.
   *
   * @throws LexofficeError `STORE_UNAVAILABLE` when PostgreSQL cannot be reached.
   * @example
   * ```ts
   * const removed = await dedupe.prune()
   * ```
   */
  async prune(): Promise<number> {
    this.#lastPrune = Date.now()
    return (await this.#db.query(`DELETE FROM ${this.#table.sql} WHERE expires_at <= clock_timestamp()`, [])).rowCount
  }

  #maybePrune(): void {
    if (this.#pruneIntervalMs === 0 || Date.now() - this.#lastPrune < this.#pruneIntervalMs) return
    // Background housekeeping: a failure is retried after the next interval, never reported to the claim.
    this.prune().catch(() => undefined)
  }
}

/**
 * The token cache's invalidation channel over PostgreSQL LISTEN/NOTIFY: `pg_notify(channel, key)`
 * on every write, and `LISTEN` on one dedicated connection, made the way the app's `pg.Pool` makes
 * its own (`new pool.Client(pool.options)`: same host, credentials, TLS). It is not checked out of
 * the pool: a client held for the cache's lifetime would make `pool.end()` wait forever and take
 * one of the app's `max` connections. Its socket is unref'd (it never keeps the process alive);
 * `lexoffice.close()` ends it. When it fails, the cache stops serving until a new one listens.
 *
 * @internal
 */
import { createHash } from 'node:crypto'
import type { CacheInvalidation } from '../tokens/TokenCache'
import { equalJitterBackoff } from '../timing/backoff'
import type { PostgresExecutor } from './postgresPool'

interface ListenClient {
  connect(): Promise<unknown>
  query(text: string): Promise<unknown>
  on(event: string, listener: (...args: unknown[]) => void): unknown
  end(): Promise<unknown>
  connection?: { stream?: { unref?(): unknown } }
}

type ClientClass = new (options: unknown) => ListenClient

/** A channel name PostgreSQL accepts (an identifier of at most 63 bytes) for a table. @internal */
export function postgresChannel(table: string): string {
  return `lexoffice_cache_${createHash('sha256').update(table).digest('hex').slice(0, 16)}`
}

/** `undefined` unless `pool` is a `pg.Pool` (it knows how to make a client: `Client` and `options`). @internal */
export function postgresCacheInvalidation(pool: unknown, db: PostgresExecutor, channel: string): CacheInvalidation | undefined {
  const { Client, options } = pool as { Client?: unknown; options?: unknown }
  if (typeof Client !== 'function' || options === null || typeof options !== 'object') return undefined
  let client: ListenClient | undefined
  let closed = false
  let attempt = 0
  let timer: NodeJS.Timeout | undefined
  return {
    start(onKey, onLive) {
      const lost = (c: ListenClient): void => {
        if (client !== c) return
        client = undefined
        onLive(false)
        c.end().catch(() => undefined)
        retry()
      }
      const retry = (): void => {
        if (closed) return
        timer = setTimeout(listen, equalJitterBackoff(attempt++, 100, 5_000))
        timer.unref()
      }
      const listen = (): void => {
        if (closed) return
        const c = new (Client as ClientClass)(options)
        client = c
        c.on('notification', (msg: unknown) => {
          const m = msg as { channel?: unknown; payload?: unknown }
          if (m.channel === channel && typeof m.payload === 'string') onKey(m.payload)
        })
        c.on('error', () => lost(c))
        c.on('end', () => lost(c))
        c.connect()
          .then(() => {
            c.connection?.stream?.unref?.()
            return c.query(`LISTEN ${channel}`)
          })
          .then(
            () => {
              if (client !== c) return
              attempt = 0
              onLive(true)
            },
            () => lost(c),
          )
      }
      listen()
    },
    async publish(key) {
      await db.query('SELECT pg_notify($1, $2)', [channel, key])
    },
    async close() {
      closed = true
      if (timer) clearTimeout(timer)
      const c = client
      client = undefined
      await c?.end().catch(() => undefined)
    },
  }
}

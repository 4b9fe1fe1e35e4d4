/**
 * A minimal express-session store over a real Redis that behaves like connect-redis (v7/v8
 * `index.ts`): JSON serializer, TTL derived from `cookie.expires` (default one day without it),
 * `set` with a TTL <= 0 destroys, callbacks and promises both supported. Used to prove the
 * ExpressSessionTokenStore works with connect-redis-like stores without adding a dependency.
 */
import session from 'express-session'

/** The node-redis commands used (structural, so any node-redis client type fits). */
interface Client {
  get(key: string): Promise<unknown>
  set(key: string, value: string, options: { EX: number }): Promise<unknown>
  del(key: string): Promise<unknown>
}
type Cb<T = unknown> = (err?: unknown, value?: T) => void

export class ConnectRedisLikeStore extends session.Store {
  constructor(
    readonly client: Client,
    readonly prefix: string,
    readonly defaultTtlSec = 86_400,
  ) {
    super()
  }

  override get(sid: string, cb: Cb<session.SessionData | null>): void {
    this.client.get(this.prefix + sid).then(
      (data) => cb(undefined, data ? (JSON.parse(data as string) as session.SessionData) : null),
      (err: unknown) => cb(err),
    )
  }

  override set(sid: string, sess: session.SessionData, cb?: Cb): void {
    const ttl = this.ttlOf(sess)
    const done = (err?: unknown): void => cb?.(err)
    if (ttl <= 0) {
      this.destroy(sid, done)
      return
    }
    this.client.set(this.prefix + sid, JSON.stringify(sess), { EX: ttl }).then(() => done(), done)
  }

  override destroy(sid: string, cb?: Cb): void {
    this.client.del(this.prefix + sid).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    )
  }

  private ttlOf(sess: session.SessionData): number {
    const expires = (sess.cookie as { expires?: string | Date | null } | undefined)?.expires
    if (expires) return Math.ceil((new Date(expires).getTime() - Date.now()) / 1000)
    return this.defaultTtlSec
  }
}

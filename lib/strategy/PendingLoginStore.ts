import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * One login that was started (redirect to lexoffice) and has not come back yet. It lives in the
 * server-side session only; nothing of it travels in a URL or cookie value except `state`.
 *
 * @example
 * ```ts
 * const login: PendingLogin = { state, codeVerifier, redirectUri: callbackURL, issuer: 'https://app.lexware.de', createdAt: Date.now() }
 * ```
 */
export interface PendingLogin {
  /** The `state` sent to lexoffice (256 random bits, base64url). */
  state: string
  /** The PKCE code verifier for this login. Secret: never logged, never sent anywhere but the token endpoint. */
  codeVerifier: string
  /** The exact `redirect_uri` sent to the authorization endpoint; reused at the token endpoint. */
  redirectUri: string
  /** The authorization server (origin of the authorization URL) this login was started at. */
  issuer: string
  /** When the login was started, ms since the epoch. */
  createdAt: number
  /** The checked relative path to return to after login, if one was given. */
  returnTo?: string
  /** Connect mode: the app user who started the login; the callback must come from the same one. */
  owner?: string
}

/**
 * What `req.session[sessionKey]` holds.
 *
 * @example
 * ```ts
 * const record = req.session.lexoffice as PendingLoginRecord | undefined
 * console.log(record?.pending.length ?? 0, 'logins in progress')
 * ```
 */
export interface PendingLoginRecord {
  /** Pending logins, oldest first. */
  pending: PendingLogin[]
  /** The token store key of the connection this session uses (set after a login or connect). */
  connection?: string
}

/**
 * A session as express-session provides it; only the members used here.
 *
 * @example
 * ```ts
 * store.add(req.session as SessionLike, login)
 * ```
 */
export interface SessionLike {
  [key: string]: unknown
}

/**
 * Result of {@link PendingLoginStore.take}.
 *
 * @example
 * ```ts
 * const result: TakeResult = store.take(req.session, state)
 * if (result.kind === 'expired') console.log('too slow')
 * ```
 */
export type TakeResult =
  { kind: 'found'; login: PendingLogin } | { kind: 'expired'; login: PendingLogin } | { kind: 'unknown'; hadRecord: boolean }

/**
 * Options of {@link PendingLoginStore}.
 *
 * @example
 * ```ts
 * new PendingLoginStore({ sessionKey: 'lexoffice', ttlMs: 10 * 60_000, maxPending: 5 })
 * ```
 */
export interface PendingLoginStoreOptions {
  /** Session property that holds the record. */
  sessionKey: string
  /** How long a pending login stays usable, in ms. */
  ttlMs: number
  /** How many pending logins one session keeps; the oldest is dropped first. */
  maxPending: number
  /** Clock, for tests. */
  now?: () => number
}

/** Entries this old are dropped when a new login starts, even if the cap is not reached. */
const HARD_MAX_AGE_MS = 24 * 60 * 60 * 1000

/**
 * Keeps several pending logins per session (one per browser tab), each with its own `state`,
 * PKCE verifier, `redirect_uri`, creation time and `returnTo`, under `req.session[sessionKey]`.
 *
 * Unlike passport-oauth2's single-slot `PKCESessionStore` (a second tab overwrites the first,
 * passport-auth0 #73), a second login does not break the first. Each entry is usable once: it is
 * removed from the session *before* it is checked (expiry, issuer), so a failed or replayed
 * callback can never use it again. Lookup compares SHA-256 digests in constant time.
 *
 * The verifier is kept in the session, so the session store must be server-side
 * (express-session with any store); never use it with a client-side cookie session.
 *
 * @example
 * ```ts
 * const store = new PendingLoginStore({ sessionKey: 'lexoffice', ttlMs: 600_000, maxPending: 5 })
 * store.add(req.session, { state, codeVerifier, redirectUri, issuer, createdAt: Date.now() })
 * const result = store.take(req.session, req.query.state)
 * if (result.kind === 'found') exchange(result.login)
 * ```
 */
export class PendingLoginStore {
  readonly sessionKey: string
  readonly ttlMs: number
  readonly maxPending: number
  readonly #now: () => number

  constructor(options: PendingLoginStoreOptions) {
    this.sessionKey = options.sessionKey
    this.ttlMs = options.ttlMs
    this.maxPending = options.maxPending
    this.#now = options.now ?? Date.now
  }

  /** Adds a pending login, dropping the oldest ones beyond `maxPending`. */
  add(session: SessionLike, login: PendingLogin): void {
    const now = this.#now()
    const pending = this.list(session).filter((p) => now - p.createdAt < HARD_MAX_AGE_MS)
    pending.push({ ...login })
    while (pending.length > this.maxPending) pending.shift()
    this.#write(session, pending, this.connection(session))
  }

  /**
   * Finds the pending login for `state`, removes it from the session, then checks its age.
   * `hadRecord` tells whether this session ever started a login (a hint for cookie problems).
   */
  take(session: SessionLike, state: string): TakeResult {
    const hadRecord = isRecord(session[this.sessionKey])
    const pending = this.list(session)
    const wanted = digest(state)
    const index = pending.findIndex((p) => timingSafeEqual(digest(p.state), wanted))
    if (index === -1) return { kind: 'unknown', hadRecord }
    const [login] = pending.splice(index, 1) as [PendingLogin]
    this.#write(session, pending, this.connection(session))
    if (this.#now() - login.createdAt >= this.ttlMs || login.createdAt > this.#now() + 60_000) {
      return { kind: 'expired', login }
    }
    return { kind: 'found', login }
  }

  /** The valid-looking pending logins of a session, oldest first (a copy). */
  list(session: SessionLike): PendingLogin[] {
    const record = session[this.sessionKey]
    if (!isRecord(record)) return []
    return record.pending.filter(isPendingLogin).map((p) => ({ ...p }))
  }

  /** The connection key this session uses, if any. */
  connection(session: SessionLike): string | undefined {
    const record = session[this.sessionKey]
    const key = isRecord(record) ? record.connection : undefined
    return typeof key === 'string' && key !== '' ? key : undefined
  }

  /** Sets (or with `undefined` clears) the connection key this session uses. */
  setConnection(session: SessionLike, key: string | undefined): void {
    this.#write(session, this.list(session), key)
  }

  /** A copy of the record, to carry over into a regenerated session (or `undefined`). */
  snapshot(session: SessionLike): PendingLoginRecord | undefined {
    if (!isRecord(session[this.sessionKey])) return undefined
    const record: PendingLoginRecord = { pending: this.list(session) }
    const connection = this.connection(session)
    if (connection !== undefined) record.connection = connection
    return record
  }

  /** Puts a carried-over record into a (new) session, merging with what is there. */
  restore(session: SessionLike, record: PendingLoginRecord): void {
    const present = this.list(session)
    const merged = [...record.pending.filter((p) => !present.some((q) => q.state === p.state)), ...present]
    merged.sort((a, b) => a.createdAt - b.createdAt)
    while (merged.length > this.maxPending) merged.shift()
    this.#write(session, merged, record.connection ?? this.connection(session))
  }

  #write(session: SessionLike, pending: PendingLogin[], connection: string | undefined): void {
    const record: PendingLoginRecord = { pending }
    if (connection !== undefined) record.connection = connection
    session[this.sessionKey] = record
  }

  /** Never shows the pending logins. @internal */
  toJSON(): Record<string, unknown> {
    return { sessionKey: this.sessionKey, ttlMs: this.ttlMs, maxPending: this.maxPending }
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

function isRecord(value: unknown): value is PendingLoginRecord {
  return typeof value === 'object' && value !== null && Array.isArray((value as { pending?: unknown }).pending)
}

function isPendingLogin(value: unknown): value is PendingLogin {
  if (typeof value !== 'object' || value === null) return false
  const p = value as Record<string, unknown>
  return (
    typeof p.state === 'string' &&
    typeof p.codeVerifier === 'string' &&
    typeof p.redirectUri === 'string' &&
    typeof p.issuer === 'string' &&
    typeof p.createdAt === 'number' &&
    (p.returnTo === undefined || typeof p.returnTo === 'string') &&
    (p.owner === undefined || typeof p.owner === 'string')
  )
}

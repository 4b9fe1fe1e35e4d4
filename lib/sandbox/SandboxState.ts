import { randomBytes, randomUUID } from 'node:crypto'
import { SandboxApi } from './api/SandboxApi'
import type { ResolvedSandboxClient, ResolvedSandboxOptions, ResolvedSandboxOrganization, ResolvedSandboxUser } from './options'
import type {
  AuthorizationCodeRecord,
  ConnectionRecord,
  IssuedTokens,
  PendingAuthorization,
  SandboxConnectionInfo,
  SandboxEmit,
  SandboxFault,
  SandboxRequestLogEntry,
} from './records'

export type {
  AuthorizationCodeRecord,
  ConnectionRecord,
  IssuedTokens,
  PendingAuthorization,
  SandboxConnectionCreatedEvent,
  SandboxConnectionInfo,
  SandboxConnectionRevokedEvent,
  SandboxEmit,
  SandboxEvents,
  SandboxFault,
  SandboxRequestLogEntry,
  SandboxTokenRefreshedEvent,
} from './records'

/**
 * Everything the sandbox knows, in memory: clients, the organisation and user, pending
 * authorizations, authorization codes, connections with their tokens, the request log and the
 * fault queue. Route handlers receive it as their `ctx`.
 *
 * Tokens, codes and secrets live only here, in private maps; the views this class hands out
 * ({@link SandboxConnectionInfo}, {@link SandboxRequestLogEntry}) carry none.
 *
 * @packageDocumentation
 */

const PENDING_TTL_MS = 10 * 60_000
const MAX_LOG_ENTRIES = 10_000
/** How many issued or received secrets `knownSecrets()` remembers (the oldest are forgotten first). */
const MAX_KNOWN_SECRETS = 100_000

/** 96 random bytes as base64url: exactly 128 characters (lexoffice's refresh token and code size). */
function token128(): string {
  return randomBytes(96).toString('base64url')
}

/**
 * The sandbox's shared state; the `ctx` of every route handler.
 *
 * @example
 * ```ts
 * // In a route module:
 * const handler: SandboxHandler<SandboxState> = (req, ctx) => json(200, { now: ctx.now() })
 * ```
 */
export class SandboxState {
  /** Registered clients by clientID. */
  readonly clients = new Map<string, ResolvedSandboxClient>()
  /** Organisations by organizationId (the demo one is {@link defaultOrganizationId}). */
  readonly organizations = new Map<string, ResolvedSandboxOrganization>()
  /** Users by userId (the demo one is {@link defaultUserId}). */
  readonly users = new Map<string, ResolvedSandboxUser>()
  readonly defaultOrganizationId: string
  /** The organisation approvals without a choice on the consent page connect (autoApprove). */
  approvingOrganizationId: string
  readonly defaultUserId: string
  autoApprove: boolean
  accessTokenTtlSeconds: number
  readonly codeTtlSeconds: number
  readonly maxBodyBytes: number
  /** The sandbox clock, ms since the epoch. */
  readonly now: () => number
  /** The lexoffice API resources: data per organisation, event subscriptions, rate limit. */
  readonly api: SandboxApi

  readonly #pending = new Map<string, PendingAuthorization>()
  readonly #codes = new Map<string, AuthorizationCodeRecord>()
  readonly #connections = new Map<string, ConnectionRecord>()
  readonly #accessTokens = new Map<string, string>()
  readonly #refreshTokens = new Map<string, string>()
  readonly #rotatedRefreshTokens = new Map<string, string>()
  readonly #log: SandboxRequestLogEntry[] = []
  readonly #secrets = new Set<string>()
  readonly #faults: SandboxFault[] = []
  /** Faults for API calls, by exact path. */
  readonly #apiFaults = new Map<string, SandboxFault[]>()
  readonly #orgData = new Map<string, Map<string, unknown>>()
  readonly #logByRequest = new WeakMap<object, SandboxRequestLogEntry>()
  readonly #sleeps = new Set<{ timer: NodeJS.Timeout; resolve: (completed: boolean) => void }>()
  #closed = false
  readonly #emit: SandboxEmit

  constructor(options: ResolvedSandboxOptions, emit: SandboxEmit) {
    for (const client of options.clients) this.clients.set(client.clientID, client)
    for (const organization of options.organizations) this.organizations.set(organization.organizationId, organization)
    this.users.set(options.user.userId, options.user)
    this.defaultOrganizationId = options.organization.organizationId
    this.approvingOrganizationId = this.defaultOrganizationId
    this.defaultUserId = options.user.userId
    this.autoApprove = options.autoApprove
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds
    this.codeTtlSeconds = options.codeTtlSeconds
    this.maxBodyBytes = options.maxBodyBytes
    this.now = options.now
    this.api = new SandboxApi(options.api, options.now)
    this.#emit = emit
  }

  /** A new uuid (connection ids, resource ids). */
  newId(): string {
    return randomUUID()
  }

  /**
   * Per-organisation storage for route modules: returns the value stored under `key` for the
   * organisation, creating it with `init()` on first use.
   *
   * @example
   * ```ts
   * const contacts = ctx.organizationData(org.organizationId, 'contacts', () => new Map<string, Contact>())
   * ```
   */
  organizationData<T>(organizationId: string, key: string, init: () => T): T {
    let data = this.#orgData.get(organizationId)
    if (!data) this.#orgData.set(organizationId, (data = new Map<string, unknown>()))
    if (!data.has(key)) data.set(key, init())
    return data.get(key) as T
  }

  // --- authorizations and codes -------------------------------------------------------------

  /** Stores a pending authorization; returns its unguessable id (the consent form carries it). */
  addPending(auth: Omit<PendingAuthorization, 'expiresAt'>): string {
    const now = this.now()
    for (const [id, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(id)
    const id = randomBytes(32).toString('base64url')
    this.#pending.set(id, { ...auth, expiresAt: now + PENDING_TTL_MS })
    return id
  }

  /** Removes and returns a pending authorization; `undefined` when unknown or expired. */
  takePending(id: string): PendingAuthorization | undefined {
    const p = this.#pending.get(id)
    if (!p) return undefined
    this.#pending.delete(id)
    return p.expiresAt > this.now() ? p : undefined
  }

  /** Issues a 128-character authorization code for an approved authorization. */
  issueCode(auth: Omit<PendingAuthorization, 'expiresAt' | 'state'>): string {
    const now = this.now()
    // Keep used/expired codes for a while so that late reuse is still detected, then forget them.
    for (const [c, r] of this.#codes) if (r.expiresAt + 3600_000 <= now) this.#codes.delete(c)
    const code = token128()
    this.rememberSecret(code)
    this.#codes.set(code, {
      clientID: auth.clientID,
      redirectUri: auth.redirectUri,
      codeChallenge: auth.codeChallenge,
      scopes: auth.scopes,
      connectionName: auth.connectionName,
      expiresAt: now + this.codeTtlSeconds * 1000,
      organizationId: auth.organizationId ?? this.approvingOrganizationId,
      used: false,
      connectionId: undefined,
    })
    return code
  }

  /** The record of a code (used or not), or `undefined`. */
  findCode(code: string): AuthorizationCodeRecord | undefined {
    return this.#codes.get(code)
  }

  // --- connections and tokens ---------------------------------------------------------------

  /** Creates a connection for a redeemed code and issues its first tokens. */
  createConnection(code: AuthorizationCodeRecord): { connection: ConnectionRecord; tokens: IssuedTokens } {
    const connection = this.#addConnection(code.organizationId, code.clientID, code.scopes, code.connectionName)
    code.connectionId = connection.connectionId
    const tokens = this.#issueTokens(connection)
    this.#emit('connection.created', {
      connectionId: connection.connectionId,
      organizationId: connection.organizationId,
      clientID: connection.clientID,
    })
    return { connection, tokens }
  }

  /**
   * Creates an approved connection without the authorization dance, and issues its first tokens
   * (load tests with many connections). No event: nobody watched it being made.
   */
  seedConnection(clientID: string, scopes: readonly string[], connectionName: string): IssuedTokens & { connection: ConnectionRecord } {
    const connection = this.#addConnection(this.approvingOrganizationId, clientID, scopes, connectionName)
    return { ...this.#issueTokens(connection), connection }
  }

  /** A new active connection of the default user, without tokens yet. */
  #addConnection(organizationId: string, clientID: string, scopes: readonly string[], connectionName: string): ConnectionRecord {
    const connection: ConnectionRecord = {
      connectionId: randomUUID(),
      organizationId,
      userId: this.defaultUserId,
      clientID,
      connectionName,
      scopes,
      createdAt: this.now(),
      state: 'active',
      revokedReason: undefined,
      refreshCount: 0,
      accessToken: undefined,
      accessTokenExpiresAt: 0,
      refreshToken: undefined,
    }
    this.#connections.set(connection.connectionId, connection)
    return connection
  }

  /** Rotates both tokens of an active connection (refresh_token grant). */
  rotate(connection: ConnectionRecord): IssuedTokens {
    const tokens = this.#issueTokens(connection)
    connection.refreshCount++
    this.#emit('token.refreshed', {
      connectionId: connection.connectionId,
      organizationId: connection.organizationId,
      clientID: connection.clientID,
      refreshCount: connection.refreshCount,
    })
    return tokens
  }

  #issueTokens(connection: ConnectionRecord): IssuedTokens {
    if (connection.accessToken) this.#accessTokens.delete(connection.accessToken)
    if (connection.refreshToken) {
      this.#refreshTokens.delete(connection.refreshToken)
      this.#rotatedRefreshTokens.set(connection.refreshToken, connection.connectionId)
    }
    const accessToken = randomBytes(48).toString('base64url')
    const refreshToken = token128()
    connection.accessToken = accessToken
    connection.accessTokenExpiresAt = this.now() + this.accessTokenTtlSeconds * 1000
    connection.refreshToken = refreshToken
    this.#accessTokens.set(accessToken, connection.connectionId)
    this.#refreshTokens.set(refreshToken, connection.connectionId)
    this.rememberSecret(accessToken)
    this.rememberSecret(refreshToken)
    return { accessToken, refreshToken, expiresIn: this.accessTokenTtlSeconds, scopes: connection.scopes }
  }

  /**
   * Looks a refresh token up: the connection it is current for, or (`rotated: true`) the
   * connection it was current for before a rotation.
   */
  findRefreshToken(token: string): { connection: ConnectionRecord; rotated: boolean } | undefined {
    const current = this.#refreshTokens.get(token)
    const connection = current === undefined ? undefined : this.#connections.get(current)
    if (connection !== undefined) return { connection, rotated: false }
    const old = this.#rotatedRefreshTokens.get(token)
    const previous = old === undefined ? undefined : this.#connections.get(old)
    if (previous !== undefined) return { connection: previous, rotated: true }
    return undefined
  }

  /** The active connection whose current, unexpired access token this is. */
  findAccessToken(token: string): ConnectionRecord | undefined {
    const id = this.#accessTokens.get(token)
    if (id === undefined) return undefined
    const connection = this.#connections.get(id)
    if (!connection || connection.state !== 'active' || connection.accessToken !== token) return undefined
    if (this.now() >= connection.accessTokenExpiresAt) return undefined
    return connection
  }

  /** Any connection (active or not) whose current access token this is, ignoring expiry. */
  findAccessTokenOwner(token: string): ConnectionRecord | undefined {
    const id = this.#accessTokens.get(token)
    return id === undefined ? undefined : this.#connections.get(id)
  }

  /** Invalidates just the current access token of a connection (RFC 7009 on an access token). */
  dropAccessToken(connection: ConnectionRecord): void {
    if (connection.accessToken) this.#accessTokens.delete(connection.accessToken)
    connection.accessToken = undefined
    connection.accessTokenExpiresAt = 0
  }

  /** Ends a connection: both current tokens die. Returns `false` when it was unknown or already revoked. */
  revokeConnection(connectionId: string, reason: string): boolean {
    const connection = this.#connections.get(connectionId)
    if (!connection || connection.state !== 'active') return false
    this.dropAccessToken(connection)
    if (connection.refreshToken) {
      this.#refreshTokens.delete(connection.refreshToken)
      this.#rotatedRefreshTokens.set(connection.refreshToken, connection.connectionId)
    }
    connection.refreshToken = undefined
    connection.state = 'revoked'
    connection.revokedReason = reason
    this.api.connectionRevoked(connection.connectionId)
    this.#emit('connection.revoked', {
      connectionId: connection.connectionId,
      organizationId: connection.organizationId,
      clientID: connection.clientID,
      reason,
    })
    return true
  }

  /** Makes current access tokens (of one connection, or all) expire now. */
  expireAccessTokens(connectionId?: string): void {
    const now = this.now()
    for (const c of this.#connections.values()) {
      if (connectionId !== undefined && c.connectionId !== connectionId) continue
      if (c.accessToken && c.accessTokenExpiresAt > now) c.accessTokenExpiresAt = now
    }
  }

  /** A connection by id. */
  connection(connectionId: string): ConnectionRecord | undefined {
    return this.#connections.get(connectionId)
  }

  /** Non-secret views of every connection, oldest first. */
  connectionInfos(): SandboxConnectionInfo[] {
    return [...this.#connections.values()].map((c) => {
      const info: SandboxConnectionInfo = {
        connectionId: c.connectionId,
        organizationId: c.organizationId,
        userId: c.userId,
        clientID: c.clientID,
        connectionName: c.connectionName,
        scopes: [...c.scopes],
        createdAt: c.createdAt,
        state: c.state,
        refreshCount: c.refreshCount,
      }
      if (c.revokedReason !== undefined) info.revokedReason = c.revokedReason
      if (c.accessToken !== undefined) info.accessTokenExpiresAt = c.accessTokenExpiresAt
      return info
    })
  }

  // --- secrets, for leak tests ---------------------------------------------------------------

  /** Remembers a secret this sandbox issued or received (for `knownSecrets()`). */
  rememberSecret(secret: string): void {
    if (this.#secrets.size >= MAX_KNOWN_SECRETS) {
      for (const oldest of this.#secrets) {
        this.#secrets.delete(oldest)
        break
      }
    }
    this.#secrets.add(secret)
  }

  /** Client secrets, and every token, code and verifier remembered so far. */
  knownSecrets(): string[] {
    return [...[...this.clients.values()].map((c) => c.clientSecret), ...this.#secrets]
  }

  // --- request log and faults ---------------------------------------------------------------

  /** Appends a log entry for `req` (the server fills in `status` when the answer is sent). */
  logRequest(req: object, entry: SandboxRequestLogEntry): SandboxRequestLogEntry {
    if (this.#log.length >= MAX_LOG_ENTRIES) this.#log.shift()
    this.#log.push(entry)
    this.#logByRequest.set(req, entry)
    return entry
  }

  /** Adds non-secret details (e.g. the injected fault) to the log entry of `req`. */
  annotateLog(req: object, fields: Pick<SandboxRequestLogEntry, 'fault'>): void {
    const entry = this.#logByRequest.get(req)
    if (entry) Object.assign(entry, fields)
  }

  /** Copies of the log entries, oldest first. */
  requestLog(): SandboxRequestLogEntry[] {
    return this.#log.map((e) => ({ ...e }))
  }

  /** Empties the request log. */
  resetLog(): void {
    this.#log.length = 0
  }

  /** Queues faults for the next token calls. */
  queueFaults(faults: readonly SandboxFault[]): void {
    this.#faults.push(...faults)
  }

  /** Takes the fault for this token call, if one is queued. */
  takeFault(): SandboxFault | undefined {
    return this.#faults.shift()
  }

  /** Queues faults for the next calls to one API path. */
  queueApiFaults(path: string, faults: readonly SandboxFault[]): void {
    const queue = this.#apiFaults.get(path) ?? []
    queue.push(...faults)
    this.#apiFaults.set(path, queue)
  }

  /** Takes the fault for this call to `path`, if one is queued. */
  takeApiFault(path: string): SandboxFault | undefined {
    const queue = this.#apiFaults.get(path)
    const fault = queue?.shift()
    if (queue?.length === 0) this.#apiFaults.delete(path)
    return fault
  }

  /**
   * Waits `ms` milliseconds; resolves `false` at once if the sandbox closes meanwhile, so that a
   * delayed answer never holds `close()`.
   */
  sleep(ms: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false)
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#sleeps.delete(entry)
          resolve(true)
        }, ms),
        resolve,
      }
      this.#sleeps.add(entry)
    })
  }

  /** `true` once the sandbox is closing. */
  get closed(): boolean {
    return this.#closed
  }

  /** Marks the state closed and ends every pending {@link sleep} (with `false`). */
  close(): void {
    this.#closed = true
    for (const entry of this.#sleeps) {
      clearTimeout(entry.timer)
      entry.resolve(false)
    }
    this.#sleeps.clear()
  }

  /** How many faults are still queued. */
  pendingFaults(): number {
    return this.#faults.length
  }
}

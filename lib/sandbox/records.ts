/**
 * The data model of the sandbox: internal records (pending authorizations, codes, connections)
 * and the public, secret-free views and event payloads that `Sandbox` hands out.
 *
 * @packageDocumentation
 */

/** An authorization the user has not yet allowed or denied (the consent page is showing). */
export interface PendingAuthorization {
  clientID: string
  redirectUri: string
  state: string | undefined
  codeChallenge: string | undefined
  scopes: readonly string[]
  connectionName: string
  expiresAt: number
  /** The organisation the user picked on the consent page (default: the sandbox's current choice). */
  organizationId?: string
}

/** An issued authorization code. */
export interface AuthorizationCodeRecord {
  clientID: string
  redirectUri: string
  codeChallenge: string | undefined
  scopes: readonly string[]
  connectionName: string
  expiresAt: number
  /** The organisation the connection will belong to. */
  organizationId: string
  /** Set on the first redemption attempt: every later one is a reuse. */
  used: boolean
  /** The connection created when the code was redeemed (revoked if the code is reused). */
  connectionId: string | undefined
}

/** A connection (one approved, redeemed authorization) with its current tokens. */
export interface ConnectionRecord {
  connectionId: string
  organizationId: string
  userId: string
  clientID: string
  connectionName: string
  scopes: readonly string[]
  createdAt: number
  state: 'active' | 'revoked'
  revokedReason: string | undefined
  refreshCount: number
  /** `undefined` after revocation, or after the client revoked just the access token. */
  accessToken: string | undefined
  accessTokenExpiresAt: number
  refreshToken: string | undefined
}

/**
 * Non-secret information about one sandbox connection, as `sandbox.connections()` returns it.
 *
 * @example
 * ```ts
 * const [conn] = sandbox.connections()
 * expect(conn.state).toBe('active')
 * ```
 */
export interface SandboxConnectionInfo {
  connectionId: string
  organizationId: string
  userId: string
  clientID: string
  connectionName: string
  /** Granted scopes. */
  scopes: string[]
  /** ms since the epoch (sandbox clock). */
  createdAt: number
  state: 'active' | 'revoked'
  /** Why the connection was revoked, e.g. `refresh_token_reuse`; absent while active. */
  revokedReason?: string
  /** How many refresh_token grants succeeded on this connection. */
  refreshCount: number
  /** Expiry of the current access token (ms since the epoch); absent when there is none. */
  accessTokenExpiresAt?: number
}

/**
 * One entry of the sandbox request log. It never holds a secret: no tokens, codes, verifiers,
 * query strings or headers.
 *
 * @example
 * ```ts
 * const refreshes = sandbox.requests.filter((r) => r.grantType === 'refresh_token' && r.status === 200)
 * ```
 */
export interface SandboxRequestLogEntry {
  method: string
  /** Path without query string. */
  path: string
  /** HTTP status answered; `0` while the answer is pending or when the connection was dropped. */
  status: number
  /** When the request arrived, ms since the epoch (sandbox clock). */
  time: number
  /** `grant_type` of token endpoint calls. */
  grantType?: string
  /** The injected fault that answered this token or API call, if any. */
  fault?: SandboxFault['kind']
}

/**
 * A scripted answer for one upcoming token endpoint call (see `sandbox.failNextTokenCalls`) or
 * API call (see `sandbox.failNextApiCalls`).
 *
 * - `status`: answer `status` with an RFC 6749 error body (API calls: `{"message":null}`), or
 *   with `body`; nothing is processed.
 * - `html`: answer `status` (default 200) with an HTML page, as a misconfigured proxy would.
 * - `delay`: wait `ms`, then process the call normally (`thenProcess`, default `true`) or answer
 *   504 `{"message":"Endpoint request timed out"}` without processing. `close()` cancels the wait.
 * - `invalid_grant`: answer 400 `invalid_grant` without processing (the grant stays valid); token
 *   calls only.
 * - `json`: answer `status` (default 200) with `body` as JSON, e.g. `{}` or `null`.
 * - `text`: answer `status` (default 200) with `body` as it is, under `contentType` (default
 *   `text/plain; charset=utf-8`), e.g. a body that is not JSON under a JSON content type.
 * - `alter` (token calls only): process the call normally (the code is redeemed, the refresh token rotated), then
 *   change the successful answer as a proxy or a changed server might: drop the members named in
 *   `omit`, then merge `set`. A number JSON cannot carry (`Infinity`) is written as `1e999`, which
 *   JSON parsers read as `Infinity`. Error answers pass unchanged.
 *
 * @example
 * ```ts
 * sandbox.failNextTokenCalls([{ kind: 'status', status: 503 }, { kind: 'delay', ms: 50 }])
 * sandbox.failNextTokenCalls([{ kind: 'alter', omit: ['refresh_token'] }, { kind: 'alter', set: { expires_in: 1e308 } }])
 * ```
 */
export type SandboxFault =
  | { kind: 'status'; status: number; body?: unknown }
  | { kind: 'html'; status?: number }
  | { kind: 'delay'; ms: number; thenProcess?: boolean }
  | { kind: 'invalid_grant' }
  | { kind: 'json'; body: unknown; status?: number }
  | { kind: 'text'; body: string; status?: number; contentType?: string }
  | { kind: 'alter'; omit?: string[]; set?: Record<string, unknown> }

/**
 * Payload of `connection.created`: an authorization code was redeemed and a connection with
 * tokens exists (connections are created at the code exchange, not at consent).
 *
 * @example
 * ```ts
 * sandbox.on('connection.created', ({ connectionId, organizationId }) => connected.add(connectionId))
 * ```
 */
export interface SandboxConnectionCreatedEvent {
  connectionId: string
  organizationId: string
  clientID: string
}

/**
 * Payload of `connection.revoked`: both tokens of the connection are dead. This is the moment
 * lexoffice sends a `token.revoked` webhook (with `resourceId` = `connectionId`).
 *
 * @example
 * ```ts
 * sandbox.on('connection.revoked', ({ connectionId, reason }) => console.log(connectionId, reason))
 * ```
 */
export interface SandboxConnectionRevokedEvent {
  connectionId: string
  organizationId: string
  clientID: string
  /** `revoked` (test control), `revoked_by_client` (RFC 7009 call), `refresh_token_reuse`, `code_reuse`, or your own. */
  reason: string
}

/**
 * Payload of `token.refreshed`: a refresh_token grant succeeded and rotated both tokens.
 *
 * @example
 * ```ts
 * const refreshed = new Promise((resolve) => sandbox.once('token.refreshed', resolve))
 * ```
 */
export interface SandboxTokenRefreshedEvent {
  connectionId: string
  organizationId: string
  clientID: string
  refreshCount: number
}

/**
 * The events a sandbox emits (no payload carries a token).
 *
 * @example
 * ```ts
 * sandbox.on('connection.revoked', ({ connectionId, reason }) => console.log(connectionId, reason))
 * ```
 */
export interface SandboxEvents {
  'connection.created': [SandboxConnectionCreatedEvent]
  'connection.revoked': [SandboxConnectionRevokedEvent]
  'token.refreshed': [SandboxTokenRefreshedEvent]
}

/** Emits one sandbox event. */
export type SandboxEmit = <K extends keyof SandboxEvents>(name: K, ...args: SandboxEvents[K]) => void

/** What the token endpoint answers on success. */
export interface IssuedTokens {
  accessToken: string
  refreshToken: string
  expiresIn: number
  scopes: readonly string[]
}

/** The organisation after validation. */
export interface ResolvedSandboxOrganization {
  organizationId: string
  companyName: string
  taxType: 'net' | 'gross' | 'vatfree'
  smallBusiness: boolean
  businessFeatures: readonly string[]
}

/** The user after validation. */
export interface ResolvedSandboxUser {
  userId: string
  userName: string
  userEmail: string
}

/**
 * The authenticated caller of an API request.
 *
 * @example
 * ```ts
 * const auth = authenticateBearer(req, ctx)
 * if (!('response' in auth)) console.log(auth.connection.connectionId, auth.organization.companyName)
 * ```
 */
export interface SandboxAuth {
  /** The connection the access token belongs to (read-only for route modules). */
  connection: Readonly<Pick<ConnectionRecord, 'connectionId' | 'organizationId' | 'userId' | 'clientID' | 'scopes' | 'createdAt'>>
  /** The organisation (tenant) of that connection: scope all stored data by `organization.organizationId`. */
  organization: ResolvedSandboxOrganization
  /** The user who established the connection. */
  user: ResolvedSandboxUser
}

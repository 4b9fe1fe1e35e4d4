import { EventEmitter } from 'node:events'
import type { Server } from 'node:http'
import type { LexofficeEndpoints } from '../endpoints'
import type { LexofficeTokenResponse } from '../oauth/LexofficeOAuthClient'
import { assertInteger, assertString, invalidArg } from '../options/assert'
import { assertFaults } from './oauth/faults'
import { assertRedirectUri, resolveSandboxClient, type SandboxClientConfig } from './options'
import type { SandboxApi } from './api/SandboxApi'
import type { SandboxConnectionInfo, SandboxEvents, SandboxFault, SandboxRequestLogEntry, SandboxState } from './SandboxState'
import type { SandboxWebhookLogEntry, SandboxWebhooks } from './webhooks/SandboxWebhooks'

/**
 * A running lexoffice sandbox, as returned by `createSandbox()`: its URLs, the demo
 * credentials, and controls for tests (fault injection, revocation, token expiry, the request
 * log). It emits `connection.created`, `connection.revoked` and `token.refreshed`.
 *
 * The object never shows a token: `JSON.stringify(sandbox)` and `util.inspect(sandbox)` give
 * only its URL and client id, and the request log and events carry no secrets.
 *
 * @example
 * ```ts
 * const sandbox = await createSandbox({ autoApprove: true })
 * sandbox.addRedirectUri('http://127.0.0.1:4000/auth/lexoffice/callback')
 * sandbox.on('connection.revoked', ({ connectionId, reason }) => console.log('revoked', connectionId, reason))
 * // ... point your app at sandbox.endpoints and sandbox.client ...
 * await sandbox.close()
 * ```
 */
export class Sandbox extends EventEmitter<SandboxEvents> {
  /** Base URL, e.g. `http://127.0.0.1:53127` (no trailing slash). */
  readonly url: string
  /** Endpoints for this package's options: authorize, token and revoke under `/oauth2`, the API at `url`. */
  readonly endpoints: Readonly<LexofficeEndpoints>
  readonly #state: SandboxState
  readonly #server: Server
  readonly #defaultClientID: string
  readonly #webhooks: SandboxWebhooks | undefined
  #closing: Promise<void> | undefined

  /** @internal Use `createSandbox()`. */
  constructor(state: SandboxState, server: Server, url: string, defaultClientID: string, webhooks?: SandboxWebhooks) {
    super()
    this.#state = state
    this.#webhooks = webhooks
    this.#server = server
    this.#defaultClientID = defaultClientID
    this.url = url
    this.endpoints = Object.freeze({
      authorizationURL: `${url}/oauth2/authorize`,
      tokenURL: `${url}/oauth2/token`,
      revokeURL: `${url}/oauth2/revoke`,
      apiURL: url,
    })
  }

  /**
   * Credentials of the default (first) client, e.g. `sandbox-client` / `sandbox-secret`.
   *
   * @example
   * ```ts
   * const lexoffice = createLexoffice({ ...sandbox.client, environment: { authURL: sandbox.url, apiURL: sandbox.url }, baseURL, scope })
   * ```
   */
  get client(): { clientID: string; clientSecret: string } {
    const c = present(this.#state.clients.get(this.#defaultClientID), 'default client')
    return { clientID: c.clientID, clientSecret: c.clientSecret }
  }

  /**
   * The demo organisation, as `/v1/profile` reports it.
   *
   * @example
   * ```ts
   * expect(user.organizationId).toBe(sandbox.organization.organizationId)
   * ```
   */
  get organization(): { organizationId: string; companyName: string } {
    const o = present(this.#state.organizations.get(this.#state.defaultOrganizationId), 'default organisation')
    return { organizationId: o.organizationId, companyName: o.companyName }
  }

  /**
   * Every organisation the demo user belongs to (the demo one first).
   *
   * @example
   * ```ts
   * const [first, second] = sandbox.organizations()
   * ```
   */
  organizations(): Array<{ organizationId: string; companyName: string }> {
    return [...this.#state.organizations.values()].map((o) => ({ organizationId: o.organizationId, companyName: o.companyName }))
  }

  /**
   * Picks the organisation the next approvals connect, as a user who belongs to several would on
   * lexoffice's consent page (with `autoApprove`; the consent page preselects it).
   *
   * @throws TypeError when the organisation is not one of {@link Sandbox.organizations}.
   * @example
   * ```ts
   * sandbox.useOrganization(sandbox.organizations()[1]!.organizationId)
   * ```
   */
  useOrganization(organizationId: string): void {
    if (!this.#state.organizations.has(organizationId)) throw new TypeError(`the sandbox has no organisation ${organizationId}`)
    this.#state.approvingOrganizationId = organizationId
  }

  /**
   * The demo user who approves authorizations.
   *
   * @example
   * ```ts
   * expect(profile.emails[0].value).toBe(sandbox.user.userEmail)
   * ```
   */
  get user(): { userId: string; userName: string; userEmail: string } {
    const u = present(this.#state.users.get(this.#state.defaultUserId), 'default user')
    return { userId: u.userId, userName: u.userName, userEmail: u.userEmail }
  }

  /**
   * Whether valid authorizations are approved at once (no consent page).
   *
   * @example
   * ```ts
   * if (!sandbox.autoApprove) await clickAllow(page)
   * ```
   */
  get autoApprove(): boolean {
    return this.#state.autoApprove
  }

  /**
   * Switches auto-approval on or off.
   *
   * @example
   * ```ts
   * sandbox.setAutoApprove(true)
   * ```
   */
  setAutoApprove(value: boolean): void {
    if (typeof value !== 'boolean') throw invalidArg('ERR_INVALID_ARG_TYPE', '"value" must be a boolean')
    this.#state.autoApprove = value
  }

  /**
   * Registers one more redirect URI (exact match) for a client (default: the default client).
   *
   * @throws TypeError when the URI is not https (or http on loopback) or the client is unknown.
   * @example
   * ```ts
   * sandbox.addRedirectUri(`http://127.0.0.1:${port}/auth/lexoffice/callback`)
   * ```
   */
  addRedirectUri(uri: string, clientID: string = this.#defaultClientID): void {
    assertRedirectUri(uri, 'uri')
    const client = this.#state.clients.get(clientID)
    if (!client) throw invalidArg('ERR_INVALID_ARG_VALUE', '"clientID" is not a registered sandbox client')
    if (!client.redirectUris.includes(uri)) client.redirectUris.push(uri)
  }

  /**
   * Registers another OAuth client.
   *
   * @throws TypeError on an invalid configuration or a clientID that is already registered.
   * @example
   * ```ts
   * sandbox.registerClient({ clientID: 'other-app', clientSecret: 's3cret', redirectUris: ['https://other.example/cb'] })
   * ```
   */
  registerClient(config: SandboxClientConfig): { clientID: string; clientSecret: string } {
    const client = resolveSandboxClient(config, 'config')
    if (this.#state.clients.has(client.clientID)) throw invalidArg('ERR_INVALID_ARG_VALUE', '"config.clientID" is already registered')
    this.#state.clients.set(client.clientID, client)
    return { clientID: client.clientID, clientSecret: client.clientSecret }
  }

  /**
   * The lexoffice API resources: each organisation's data, resource change events, event
   * subscriptions and rate-limit counters.
   *
   * @example
   * ```ts
   * sandbox.api.onResourceEvent((e) => events.push(e))
   * expect(sandbox.api.rateLimitStats().limited).toBe(0)
   * ```
   */
  get api(): SandboxApi {
    return this.#state.api
  }

  /**
   * The request log, oldest first (copies). No entry holds a token, code, verifier, query
   * string or header.
   *
   * @example
   * ```ts
   * expect(sandbox.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toContain('POST /oauth2/token 200')
   * ```
   */
  get requests(): SandboxRequestLogEntry[] {
    return this.#state.requestLog()
  }

  /**
   * How many requests reached the token endpoint (optionally only those with this `grant_type`).
   *
   * @example
   * ```ts
   * expect(sandbox.tokenCalls('refresh_token')).toBe(1)
   * ```
   */
  tokenCalls(grantType?: string): number {
    return this.#state
      .requestLog()
      .filter((r) => r.path === '/oauth2/token' && r.method === 'POST' && (grantType === undefined || r.grantType === grantType)).length
  }

  /**
   * Empties the request log.
   *
   * @example
   * ```ts
   * sandbox.resetLog()
   * ```
   */
  resetLog(): void {
    this.#state.resetLog()
  }

  /**
   * Every secret this sandbox knows: the client secrets, and each access token, refresh token and
   * authorization code it issued and each code verifier it received (the latest 100,000). For
   * secret-leak tests: search your app's answers and log lines for them. Never log what this returns.
   *
   * @example
   * ```ts
   * for (const secret of sandbox.knownSecrets()) expect(logLines.join('\n')).not.toContain(secret)
   * ```
   */
  knownSecrets(): string[] {
    return this.#state.knownSecrets()
  }

  /**
   * Scripts the answers of the next token endpoint calls, one fault per call, in order
   * (appended to faults still queued). See {@link SandboxFault}.
   *
   * @throws TypeError on an unknown fault kind or bad values.
   * @example
   * ```ts
   * sandbox.failNextTokenCalls([{ kind: 'status', status: 500 }, { kind: 'html' }])
   * ```
   */
  failNextTokenCalls(faults: SandboxFault[]): void {
    assertFaults(faults)
    this.#state.queueFaults(faults.map((f) => ({ ...f })))
  }

  /**
   * Scripts the answers of the next calls to one API path (exact, without query string, e.g.
   * `/v1/profile`), one fault per call, in order, before authentication and rate limiting. The
   * kinds are those of {@link Sandbox.failNextTokenCalls} except `invalid_grant`; `status`
   * without `body` answers `{"message":null}`.
   *
   * @throws TypeError on a path outside `/v1/`, an unknown fault kind or bad values.
   * @example
   * ```ts
   * sandbox.failNextApiCalls('/v1/profile', [{ kind: 'status', status: 503 }, { kind: 'json', body: [] }])
   * ```
   */
  failNextApiCalls(path: string, faults: SandboxFault[]): void {
    assertString(path, 'path', { max: 256 })
    if (!/^\/v1\/[^?#\s]*$/.test(path)) throw invalidArg('ERR_INVALID_ARG_VALUE', '"path" must be an API path such as /v1/profile')
    assertFaults(faults, 'api')
    this.#state.queueApiFaults(
      path,
      faults.map((f) => ({ ...f })),
    )
  }

  /**
   * Revokes a connection as lexoffice would (user disconnects the app, security measure): both
   * tokens die and `connection.revoked` is emitted.
   *
   * @returns `false` when the connection is unknown or already revoked.
   * @example
   * ```ts
   * sandbox.revokeConnection(sandbox.connections()[0].connectionId, 'user_disconnected')
   * ```
   */
  revokeConnection(connectionId: string, reason = 'revoked'): boolean {
    assertString(connectionId, 'connectionId', { max: 100 })
    assertString(reason, 'reason', { max: 100 })
    return this.#state.revokeConnection(connectionId, reason)
  }

  /**
   * Makes the current access tokens (of one connection, or of all) expire now, so the next API
   * call gets 401 and the app must refresh.
   *
   * @example
   * ```ts
   * sandbox.expireAccessTokens()
   * ```
   */
  expireAccessTokens(connectionId?: string): void {
    this.#state.expireAccessTokens(connectionId)
  }

  /**
   * Creates `count` approved connections of the default client (or `clientID`) at once and
   * resolves their first token answers, as the token endpoint would give them after a login:
   * for load tests that need many stored connections (a login each would take minutes).
   * No `connection.created` events are emitted.
   *
   * @example
   * ```ts
   * const seeded = sandbox.seedConnections(10_000)
   * for (const [i, s] of seeded.entries()) await manager.connect(`user-${i}`, s.tokens, { connectionId: s.connectionId })
   * ```
   */
  seedConnections(
    count: number,
    options: { clientID?: string; scope?: string; connectionName?: string } = {},
  ): Array<{ connectionId: string; organizationId: string; tokens: LexofficeTokenResponse }> {
    assertInteger(count, 'count', 1, 1_000_000)
    const clientID = options.clientID ?? this.#defaultClientID
    if (!this.#state.clients.has(clientID)) throw invalidArg('ERR_INVALID_ARG_VALUE', '"clientID" is not a client of this sandbox')
    const scopes = (options.scope ?? 'profile.read contacts.read').split(' ').filter((s) => s !== '')
    const out: Array<{ connectionId: string; organizationId: string; tokens: LexofficeTokenResponse }> = []
    for (let i = 0; i < count; i++) {
      const issued = this.#state.seedConnection(clientID, scopes, options.connectionName ?? 'seeded')
      out.push({
        connectionId: issued.connection.connectionId,
        organizationId: issued.connection.organizationId,
        tokens: {
          access_token: issued.accessToken,
          refresh_token: issued.refreshToken,
          token_type: 'Bearer',
          expires_in: issued.expiresIn,
          scope: issued.scopes.join(' '),
        },
      })
    }
    return out
  }

  /**
   * Non-secret information about every connection, oldest first.
   *
   * @example
   * ```ts
   * expect(sandbox.connections().filter((c) => c.state === 'active')).toHaveLength(1)
   * ```
   */
  connections(): SandboxConnectionInfo[] {
    return this.#state.connectionInfos()
  }

  /**
   * Sets the lifetime (seconds) of access tokens issued from now on.
   *
   * @example
   * ```ts
   * sandbox.setAccessTokenTtl(2)
   * ```
   */
  setAccessTokenTtl(seconds: number): void {
    assertInteger(seconds, 'seconds', 1, 365 * 24 * 3600)
    this.#state.accessTokenTtlSeconds = seconds
  }

  /**
   * The RSA public key (SPKI PEM) that verifies this sandbox's webhook signatures
   * (`X-Lxo-Signature`). The sandbox has its own key pair, generated in-process the first time it
   * is needed (or given as the `webhooks.privateKey` option); lexoffice's published key does not
   * verify sandbox webhooks.
   *
   * @throws Error when the sandbox was built without webhook delivery.
   * @example
   * ```ts
   * app.use('/webhooks/lexoffice', lexofficeWebhooks({ publicKey: sandbox.webhookPublicKey, onEvent }))
   * ```
   */
  get webhookPublicKey(): string {
    if (!this.#webhooks) throw new Error('This sandbox has no webhook delivery')
    return this.#webhooks.publicKeyPem
  }

  /**
   * The webhook delivery log, one entry per attempt, oldest first (copies). No entry holds a
   * signature, header or query string. See {@link SandboxWebhookLogEntry}.
   *
   * @example
   * ```ts
   * await sandbox.webhooksIdle()
   * expect(sandbox.webhookDeliveries.map((d) => `${d.eventType} ${d.status} ${d.outcome}`)).toEqual(['contact.changed 204 delivered'])
   * ```
   */
  get webhookDeliveries(): SandboxWebhookLogEntry[] {
    return this.#webhooks?.log() ?? []
  }

  /**
   * Empties the webhook delivery log.
   *
   * @example
   * ```ts
   * sandbox.resetWebhookLog()
   * ```
   */
  resetWebhookLog(): void {
    this.#webhooks?.resetLog()
  }

  /**
   * Resolves when no webhook delivery is scheduled or in flight, retries included (so keep
   * `webhooks.retryDelaysMs` small in tests). Deliveries are queued synchronously when a resource
   * changes or a connection is revoked, so awaiting this after the API call that caused them is
   * enough; nothing needs to sleep. Resolves at once after `close()`.
   *
   * @example
   * ```ts
   * await client.contacts.update(id, contact)
   * await sandbox.webhooksIdle()
   * expect(received).toHaveLength(1)
   * ```
   */
  webhooksIdle(): Promise<void> {
    return this.#webhooks?.idle() ?? Promise.resolve()
  }

  /**
   * Stops the server: cancels delayed answers and pending webhook retries, aborts webhook
   * requests in flight, closes every socket. Safe to call more than once.
   *
   * @example
   * ```ts
   * afterAll(() => sandbox.close())
   * ```
   */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#webhooks?.close()
      this.#state.close()
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
    return this.#closing
  }

  /** A secret-free view: URL, endpoints and client id. */
  toJSON(): Record<string, unknown> {
    return { url: this.url, endpoints: this.endpoints, clientID: this.#defaultClientID }
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Sandbox { url: '${this.url}', clientID: '${this.#defaultClientID}' }`
  }
}

/** A record the sandbox creates at start and never removes. */
function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`sandbox: the ${what} is missing`)
  return value
}

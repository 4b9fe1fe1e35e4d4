import { randomUUID } from 'node:crypto'
import { assertBoolean, assertFunction, assertInteger, assertKnownKeys, assertString, assertUrl, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import type { ResolvedSandboxOrganization, ResolvedSandboxUser } from './records'

export type { ResolvedSandboxOrganization, ResolvedSandboxUser } from './records'
import { resolveSandboxApiOptions, type ResolvedSandboxApiOptions, type SandboxApiOptions } from './api/SandboxApi'
import { resolveSandboxWebhookOptions, type ResolvedSandboxWebhookOptions, type SandboxWebhookOptions } from './webhooks/options'

/**
 * Options of `createSandbox()` and their one-time validation.
 *
 * @packageDocumentation
 */

/**
 * The scopes a sandbox client may request when its `scopes` option is not given: every scope a
 * sandbox route checks (the partner docs' "Required OAuth scopes"; `lib/sandbox/api/scopes.ts`).
 *
 * @example
 * ```ts
 * sandbox.registerClient({ clientID: 'ro', clientSecret: 's', redirectUris, scopes: DEFAULT_SANDBOX_SCOPES.filter((s) => s.endsWith('.read')) })
 * ```
 */
export const DEFAULT_SANDBOX_SCOPES: readonly string[] = Object.freeze([
  'profile.read',
  'organization.read',
  'contacts.read',
  'contacts.write',
  'contacts.bankaccounts.read',
  'contacts.bankaccounts.write',
  'articles.read',
  'articles.write',
  'invoices.read',
  'invoices.write',
  'quotations.read',
  'quotations.write',
  'credit-notes.read',
  'credit-notes.write',
  'order-confirmations.read',
  'order-confirmations.write',
  'delivery-notes.read',
  'delivery-notes.write',
  'vouchers.read',
  'vouchers.write',
  'vouchers.sendmail',
  'voucherlist.read',
  'payments.read',
  'dunnings.read',
  'dunnings.write',
  'recurring-templates.read',
  'files.read',
  'files.write',
  'files.status',
  'cashbox.read',
  'finance.read',
])

/**
 * An OAuth client registered at the sandbox (lexoffice issues these to partners on request).
 *
 * @example
 * ```ts
 * const client: SandboxClientConfig = {
 *   clientID: 'my-app',
 *   clientSecret: 'my-secret',
 *   redirectUris: ['http://localhost:3000/auth/lexoffice/callback'],
 * }
 * ```
 */
export interface SandboxClientConfig {
  /** At most 36 characters, as at lexoffice. */
  clientID: string
  clientSecret: string
  /** Registered redirect URIs; `redirect_uri` must equal one of them exactly. https, or http on loopback. */
  redirectUris: string[]
  /** Scopes this client may request; an authorization without `scope` gets all of them. Default {@link DEFAULT_SANDBOX_SCOPES}. */
  scopes?: string[]
  /**
   * `false` emulates a client that lexoffice configured for "relaxed" OAuth 2.0: PKCE becomes
   * optional (a `code_verifier` for a code issued without challenge is still refused). Default `true`.
   */
  requirePkce?: boolean
  /** Shown on the consent page when no `connection_name` is sent. Default the client id. */
  name?: string
}

/**
 * The organisation (tenant) that every sandbox connection belongs to; its values show in `/v1/profile`.
 *
 * @example
 * ```ts
 * createSandbox({ organization: { companyName: 'Test GmbH', taxType: 'gross' } })
 * ```
 */
export interface SandboxOrganizationConfig {
  /** Default: a random uuid. */
  organizationId?: string
  /** Default `'Musterfirma GmbH (Sandbox)'`. */
  companyName?: string
  /** Default `'net'`. */
  taxType?: 'net' | 'gross' | 'vatfree'
  /** Default `false`. */
  smallBusiness?: boolean
  /** Default `['INVOICING']`. */
  businessFeatures?: Array<'INVOICING' | 'INVOICING_PRO' | 'BOOKKEEPING'>
}

/**
 * The user who approves authorizations at the sandbox (`created` in `/v1/profile`).
 *
 * @example
 * ```ts
 * createSandbox({ user: { userName: 'Erika Mustermann', userEmail: 'erika@example.com' } })
 * ```
 */
export interface SandboxUserConfig {
  /** Default: a random uuid. */
  userId?: string
  /** Default `'Max Mustermann'`. */
  userName?: string
  /** Default `'max.mustermann@example.com'`. */
  userEmail?: string
}

/**
 * Options of `createSandbox()`. Every option is optional.
 *
 * @example
 * ```ts
 * const sandbox = await createSandbox({ autoApprove: true, accessTokenTtlSeconds: 60 })
 * ```
 */
export interface SandboxOptions {
  /** TCP port; default `0` (a free port is picked; read `sandbox.url`). */
  port?: number
  /** Loopback host to listen on: `127.0.0.1` (default), `::1` or `localhost`. */
  host?: string
  /** Registered clients. Default: one demo client `sandbox-client` / `sandbox-secret` (see `sandbox.client`). */
  clients?: SandboxClientConfig[]
  /** Approve every valid authorization at once, without the consent page. Default `false`. */
  autoApprove?: boolean
  /** Access token lifetime in seconds; default 14 400 (4 h, as lexoffice). */
  accessTokenTtlSeconds?: number
  /** Authorization code lifetime in seconds; default 300 (5 min, as lexoffice). */
  codeTtlSeconds?: number
  /** The demo organisation. */
  organization?: SandboxOrganizationConfig
  /**
   * More organisations the demo user belongs to: the consent page then lets the user pick one
   * (as lexoffice's does), and with `autoApprove` `sandbox.useOrganization(id)` picks it.
   */
  organizations?: SandboxOrganizationConfig[]
  /** The demo user. */
  user?: SandboxUserConfig
  /** Clock in ms since the epoch, for tests (code and token expiry). Default `Date.now`. Test seam, not an option. @internal */
  now?: () => number
  /** Largest accepted request body in bytes; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number
  /** The lexoffice API resources: rate limit, demo data, event-subscription rules. See {@link SandboxApiOptions}. */
  api?: SandboxApiOptions
  /** Webhook delivery to event subscriptions: retry schedule, timeout, signing key. See {@link SandboxWebhookOptions}. */
  webhooks?: SandboxWebhookOptions
}

/** A client after validation. */
export interface ResolvedSandboxClient {
  clientID: string
  clientSecret: string
  redirectUris: string[]
  scopes: readonly string[]
  requirePkce: boolean
  name: string
}

/** {@link SandboxOptions} with every default applied. */
export interface ResolvedSandboxOptions {
  port: number
  host: string
  clients: ResolvedSandboxClient[]
  autoApprove: boolean
  accessTokenTtlSeconds: number
  codeTtlSeconds: number
  organization: ResolvedSandboxOrganization
  /** The demo organisation first, then the extra ones. */
  organizations: ResolvedSandboxOrganization[]
  user: ResolvedSandboxUser
  now: () => number
  maxBodyBytes: number
  api: ResolvedSandboxApiOptions
  webhooks: ResolvedSandboxWebhookOptions
}

/**
 * The default client's credentials and redirect URIs (used when the `clients` option is not given).
 *
 * @example
 * ```ts
 * const { clientID, clientSecret } = DEFAULT_SANDBOX_CLIENT // 'sandbox-client', 'sandbox-secret'
 * ```
 */
export const DEFAULT_SANDBOX_CLIENT = Object.freeze({
  clientID: 'sandbox-client',
  clientSecret: 'sandbox-secret',
  redirectUris: Object.freeze(['http://localhost:3000/auth/lexoffice/callback', 'http://127.0.0.1:3000/auth/lexoffice/callback']),
})

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/
const LOOPBACK_HOSTS = /^(?:localhost|::1|127(?:\.\d{1,3}){3})$/
const ORG_KEYS = optionKeys<SandboxOrganizationConfig>()(['organizationId', 'companyName', 'taxType', 'smallBusiness', 'businessFeatures'])
const USER_KEYS = optionKeys<SandboxUserConfig>()(['userId', 'userName', 'userEmail'])
const CLIENT_KEYS = optionKeys<SandboxClientConfig>()(['clientID', 'clientSecret', 'redirectUris', 'scopes', 'requirePkce', 'name'])
const OPTION_KEYS = optionKeys<SandboxOptions>()([
  'port',
  'host',
  'clients',
  'autoApprove',
  'accessTokenTtlSeconds',
  'codeTtlSeconds',
  'organization',
  'organizations',
  'user',
  'now',
  'maxBodyBytes',
  'api',
  'webhooks',
])

function assertObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be an object`)
  }
}

/**
 * Checks and completes one client registration (used by the options and by `registerClient`).
 * @internal
 */
export function resolveSandboxClient(input: unknown, name = 'client'): ResolvedSandboxClient {
  assertObject(input, name)
  assertKnownKeys(input, CLIENT_KEYS, name)
  const c = input as Partial<SandboxClientConfig>
  assertString(c.clientID, `${name}.clientID`, { max: 36 })
  if (!/^[\x21-\x7e]+$/.test(c.clientID) || c.clientID.includes(':')) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}.clientID" must be printable ASCII without spaces or ":"`)
  }
  assertString(c.clientSecret, `${name}.clientSecret`, { max: 1024 })
  if (!Array.isArray(c.redirectUris)) throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}.redirectUris" must be an array of URLs`)
  c.redirectUris.forEach((uri, i) => assertRedirectUri(uri, `${name}.redirectUris[${i}]`))
  const scopes: unknown = c.scopes ?? DEFAULT_SANDBOX_SCOPES
  if (!Array.isArray(scopes)) throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}.scopes" must be an array of strings`)
  ;(scopes as unknown[]).forEach((s, i) => {
    if (typeof s !== 'string' || !SCOPE_TOKEN.test(s))
      throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}.scopes[${i}]" is not a valid scope`)
  })
  const requirePkce = c.requirePkce ?? true
  assertBoolean(requirePkce, `${name}.requirePkce`)
  const clientName = c.name ?? c.clientID
  assertString(clientName, `${name}.name`, { max: 100 })
  return {
    clientID: c.clientID,
    clientSecret: c.clientSecret,
    redirectUris: [...c.redirectUris],
    scopes: Object.freeze([...(scopes as string[])]),
    requirePkce,
    name: clientName,
  }
}

/** A redirect URI: absolute https (http on loopback), no fragment. @internal */
export function assertRedirectUri(value: unknown, name: string): asserts value is string {
  assertUrl(value, name)
  assertString(value, name, { max: 2048 })
  if (value.includes('#')) throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must not contain a fragment`)
}

/**
 * Applies defaults and validates every option once; throws a `TypeError` naming the option.
 * @internal
 */
export function resolveSandboxOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  assertObject(options, 'options')
  assertKnownKeys(options, OPTION_KEYS, 'createSandbox')
  const port = options.port ?? 0
  assertInteger(port, 'port', 0, 65_535)
  const host = options.host ?? '127.0.0.1'
  assertString(host, 'host', { max: 255 })
  if (!LOOPBACK_HOSTS.test(host)) throw invalidArg('ERR_INVALID_ARG_VALUE', '"host" must be a loopback host (127.0.0.1, ::1 or localhost)')
  const clients = options.clients ?? [
    { ...DEFAULT_SANDBOX_CLIENT, redirectUris: [...DEFAULT_SANDBOX_CLIENT.redirectUris], name: 'Sandbox Demo App' },
  ]
  if (!Array.isArray(clients) || clients.length === 0) throw invalidArg('ERR_INVALID_ARG_VALUE', '"clients" must be a non-empty array')
  const resolvedClients = clients.map((c, i) => resolveSandboxClient(c, `clients[${i}]`))
  const ids = new Set(resolvedClients.map((c) => c.clientID))
  if (ids.size !== resolvedClients.length) throw invalidArg('ERR_INVALID_ARG_VALUE', '"clients" must not repeat a clientID')
  const autoApprove = options.autoApprove ?? false
  assertBoolean(autoApprove, 'autoApprove')
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 14_400
  assertInteger(accessTokenTtlSeconds, 'accessTokenTtlSeconds', 1, 365 * 24 * 3600)
  const codeTtlSeconds = options.codeTtlSeconds ?? 300
  assertInteger(codeTtlSeconds, 'codeTtlSeconds', 1, 24 * 3600)
  const now = options.now ?? Date.now
  assertFunction(now, 'now')
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
  assertInteger(maxBodyBytes, 'maxBodyBytes', 1024, 64 * 1024 * 1024)
  const organization = resolveOrganization(options.organization ?? {})
  const extra = options.organizations ?? []
  if (!Array.isArray(extra)) throw invalidArg('ERR_INVALID_ARG_TYPE', '"organizations" must be an array')
  const organizations = [organization, ...extra.map((o) => resolveOrganization(o))]
  if (new Set(organizations.map((o) => o.organizationId)).size !== organizations.length) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"organizations" must not repeat an organizationId')
  }
  return {
    port,
    host,
    clients: resolvedClients,
    autoApprove,
    accessTokenTtlSeconds,
    codeTtlSeconds,
    organization,
    organizations,
    user: resolveUser(options.user ?? {}),
    now: now as () => number,
    maxBodyBytes,
    api: resolveSandboxApiOptions(options.api ?? {}),
    webhooks: resolveSandboxWebhookOptions(options.webhooks ?? {}),
  }
}

function resolveOrganization(input: unknown): ResolvedSandboxOrganization {
  assertObject(input, 'organization')
  assertKnownKeys(input, ORG_KEYS, 'organization')
  const o = input as SandboxOrganizationConfig
  const organizationId = o.organizationId ?? randomUUID()
  assertUuid(organizationId, 'organization.organizationId')
  const companyName = o.companyName ?? 'Musterfirma GmbH (Sandbox)'
  assertString(companyName, 'organization.companyName', { max: 255 })
  const taxType = o.taxType ?? 'net'
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
  if (taxType !== 'net' && taxType !== 'gross' && taxType !== 'vatfree') {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"organization.taxType" must be "net", "gross" or "vatfree"')
  }
  const smallBusiness = o.smallBusiness ?? false
  assertBoolean(smallBusiness, 'organization.smallBusiness')
  const businessFeatures = o.businessFeatures ?? ['INVOICING']
  if (!Array.isArray(businessFeatures) || !businessFeatures.every((f) => ['INVOICING', 'INVOICING_PRO', 'BOOKKEEPING'].includes(f))) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"organization.businessFeatures" may contain INVOICING, INVOICING_PRO, BOOKKEEPING')
  }
  return { organizationId, companyName, taxType, smallBusiness, businessFeatures: Object.freeze([...businessFeatures]) }
}

function resolveUser(input: unknown): ResolvedSandboxUser {
  assertObject(input, 'user')
  assertKnownKeys(input, USER_KEYS, 'user')
  const u = input as SandboxUserConfig
  const userId = u.userId ?? randomUUID()
  assertUuid(userId, 'user.userId')
  const userName = u.userName ?? 'Max Mustermann'
  assertString(userName, 'user.userName', { max: 255 })
  const userEmail = u.userEmail ?? 'max.mustermann@example.com'
  assertString(userEmail, 'user.userEmail', { max: 255 })
  return { userId, userName, userEmail }
}

function assertUuid(value: unknown, name: string): asserts value is string {
  assertString(value, name)
  if (!UUID.test(value)) throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}" must be a uuid`)
}

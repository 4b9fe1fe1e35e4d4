import { invalidArg } from '../../options/assert'
import { optionKeys } from '../../options/optionKeys'
import type { ResolvedApiOptions, SandboxApiVariants } from './context'
import { RateLimiter, type RateLimitCounters, type RateLimitOptions } from './rateLimit'
import { ApiStore, type EventSubscription, type OrganizationData, type ResourceEventListener } from './store'

/**
 * The sandbox's lexoffice API resources as one object (`sandbox.api`): the in-memory data of each
 * organisation, the event subscriptions, resource change events and the rate limiter.
 *
 * @packageDocumentation
 */

/**
 * Options of the sandbox API (`createSandbox({ api: { ... } })`).
 *
 * @example
 * ```ts
 * // No rate limit, no demo data:
 * const sandbox = await createSandbox({ api: { rateLimit: false, seedDemoData: false } })
 * ```
 */
export interface SandboxApiOptions {
  /**
   * Token bucket as lexoffice enforces it (2 requests per second); beyond it the API answers
   * `429 {"message":"Rate limit exceeded"}`. `false` turns it off. Default
   * `{ perSecond: 2, burst: 2, scope: 'connection' }`; `scope: 'client'` shares one bucket among
   * all connections of an OAuth client, `'organization'` among all connections of a company. The
   * bucket refills by the sandbox clock (option `now`).
   */
  rateLimit?: RateLimitOptions | false
  /**
   * Remove a connection's event subscriptions when the connection is revoked. lexoffice documents
   * this for API keys; for OAuth connections it is inferred (UNVERIFIED). Default `true`.
   */
  subscriptionsFollowConnection?: boolean
  /**
   * Accept `http://` callback URLs on loopback hosts for event subscriptions (lexoffice requires
   * https; this deviation lets tests receive webhooks on a local server). Default `true`.
   */
  allowLoopbackHttpCallbacks?: boolean
  /** Give every organisation the demo data (contacts, vouchers, articles...) on first use. Default `true`. */
  seedDemoData?: boolean
  /** Behaviours where lexoffice's sources disagree or are silent. See {@link SandboxApiVariants}. */
  variants?: SandboxApiVariants
}

/** {@link SandboxApiOptions} with defaults applied. */
export interface ResolvedSandboxApiOptions extends ResolvedApiOptions {
  rateLimit: RateLimitOptions | false
  seedDemoData: boolean
}

const KEYS: readonly string[] = optionKeys<SandboxApiOptions>()([
  'rateLimit',
  'subscriptionsFollowConnection',
  'allowLoopbackHttpCallbacks',
  'seedDemoData',
  'variants',
])
const VARIANT_KEYS: readonly string[] = optionKeys<SandboxApiVariants>()([
  'contactsStaleVersionStatus',
  'vouchersStaleVersionStatus',
  'draftDocumentStatus',
  'recurringTemplatesMaxPageSize',
])
const RATE_LIMIT_SCOPES = ['connection', 'client', 'organization']

function resolveVariants(input: unknown): Required<SandboxApiVariants> {
  const given = input === undefined ? {} : input
  if (given === null || typeof given !== 'object' || Array.isArray(given))
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"api.variants" must be an object')
  const v = given as Record<string, unknown>
  for (const key of Object.keys(v))
    if (!VARIANT_KEYS.includes(key)) throw invalidArg('ERR_INVALID_ARG_VALUE', `"api.variants.${key}" is not a sandbox API variant`)
  const status = (key: string, fallback: 406 | 409): 406 | 409 => {
    const value = v[key] ?? fallback
    if (value !== 406 && value !== 409) throw invalidArg('ERR_INVALID_ARG_VALUE', `"api.variants.${key}" must be 406 or 409`)
    return value
  }
  const maxPage = v['recurringTemplatesMaxPageSize'] ?? 100
  if (typeof maxPage !== 'number' || !Number.isInteger(maxPage) || maxPage < 1 || maxPage > 250) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"api.variants.recurringTemplatesMaxPageSize" must be an integer from 1 to 250')
  }
  return {
    contactsStaleVersionStatus: status('contactsStaleVersionStatus', 406),
    vouchersStaleVersionStatus: status('vouchersStaleVersionStatus', 409),
    draftDocumentStatus: status('draftDocumentStatus', 409),
    recurringTemplatesMaxPageSize: maxPage,
  }
}

/**
 * Validates the `api` option once; throws a `TypeError` naming the bad option.
 *
 * @internal
 */
export function resolveSandboxApiOptions(input: unknown = {}): ResolvedSandboxApiOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"api" must be an object')
  const o = input as Record<string, unknown>
  for (const key of Object.keys(o))
    if (!KEYS.includes(key)) throw invalidArg('ERR_INVALID_ARG_VALUE', `"api.${key}" is not a sandbox API option`)
  const bool = (key: string, fallback: boolean): boolean => {
    const value = o[key] ?? fallback
    if (typeof value !== 'boolean') throw invalidArg('ERR_INVALID_ARG_TYPE', `"api.${key}" must be a boolean`)
    return value
  }
  let rateLimit: RateLimitOptions | false = { perSecond: 2, burst: 2 }
  if (o['rateLimit'] === false) rateLimit = false
  else if (o['rateLimit'] !== undefined) {
    const r = o['rateLimit']
    if (r === null || typeof r !== 'object' || Array.isArray(r))
      throw invalidArg('ERR_INVALID_ARG_TYPE', '"api.rateLimit" must be false or { perSecond, burst?, scope? }')
    const { perSecond, burst, scope, ...rest } = r as Record<string, unknown>
    if (Object.keys(rest).length > 0) throw invalidArg('ERR_INVALID_ARG_VALUE', '"api.rateLimit" takes only perSecond, burst and scope')
    if (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond <= 0) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"api.rateLimit.perSecond" must be a positive number')
    }
    if (burst !== undefined && (typeof burst !== 'number' || !Number.isFinite(burst) || burst < 1)) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"api.rateLimit.burst" must be a number >= 1')
    }
    if (scope !== undefined && (typeof scope !== 'string' || !RATE_LIMIT_SCOPES.includes(scope))) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"api.rateLimit.scope" must be "connection", "client" or "organization"')
    }
    rateLimit = {
      perSecond,
      ...(burst === undefined ? {} : { burst }),
      ...(scope === undefined ? {} : { scope: scope as NonNullable<RateLimitOptions['scope']> }),
    }
  }
  return {
    rateLimit,
    subscriptionsFollowConnection: bool('subscriptionsFollowConnection', true),
    allowLoopbackHttpCallbacks: bool('allowLoopbackHttpCallbacks', true),
    seedDemoData: bool('seedDemoData', true),
    variants: resolveVariants(o['variants']),
  }
}

/**
 * The sandbox API's state and controls, reachable as `sandbox.api`.
 *
 * @example
 * ```ts
 * const sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: { perSecond: 2 } } })
 * sandbox.api.onResourceEvent((e) => console.log(e.eventType, e.resourceId)) // e.g. 'contact.created'
 * // ... after the test's API calls:
 * expect(sandbox.api.rateLimitStats().limited).toBe(0)
 * ```
 */
export class SandboxApi {
  /** The data of every organisation, the event subscriptions and the event emitter. */
  readonly store: ApiStore
  /** The per-connection token bucket. */
  readonly rateLimiter: RateLimiter
  /** The options in effect. @internal */
  readonly options: ResolvedSandboxApiOptions

  /**
   * @param options - the resolved `api` option.
   * @param now - the sandbox clock (ms since the epoch).
   */
  constructor(options: ResolvedSandboxApiOptions, now: () => number = Date.now) {
    this.options = options
    this.store = new ApiStore({ now, seedDemoData: options.seedDemoData })
    this.rateLimiter = new RateLimiter(options.rateLimit, now)
  }

  /**
   * The data of an organisation (seeded with the demo data on first use), e.g. to check what a
   * test created or to prepare records.
   *
   * @example
   * ```ts
   * const data = sandbox.api.organization(sandbox.organization.organizationId)
   * expect(data.contacts.size).toBe(37)
   * ```
   */
  organization(organizationId: string): OrganizationData {
    return this.store.organization(organizationId)
  }

  /**
   * Listens to resource changes made through the API (`contact.created`, `invoice.created`,
   * `article.deleted`, `voucher.changed`, ...): the events a webhook would report.
   *
   * @returns a function that removes the listener.
   * @example
   * ```ts
   * const off = sandbox.api.onResourceEvent(({ organizationId, eventType, resourceId }) => deliver(...))
   * ```
   */
  onResourceEvent(listener: ResourceEventListener): () => void {
    return this.store.onEvent(listener)
  }

  /**
   * Event subscriptions: all, or those of one connection (copies).
   *
   * @example
   * ```ts
   * expect(sandbox.api.subscriptions(connectionId)).toHaveLength(0)
   * ```
   */
  subscriptions(connectionId?: string): EventSubscription[] {
    return this.store.listSubscriptions(connectionId).map((s) => ({ ...s }))
  }

  /**
   * The subscriptions an event must be delivered to: same organisation and event type, across
   * every connection (copies).
   *
   * @example
   * ```ts
   * for (const s of sandbox.api.subscribersOf(orgId, 'contact.created')) await post(s.callbackUrl, payload)
   * ```
   */
  subscribersOf(organizationId: string, eventType: string): EventSubscription[] {
    return this.store.subscribersOf(organizationId, eventType).map((s) => ({ ...s }))
  }

  /**
   * Rate-limit counters: requests let through and answered 429, overall or for one connection.
   *
   * @example
   * ```ts
   * expect(sandbox.api.rateLimitStats().limited).toBeGreaterThan(0)
   * ```
   */
  rateLimitStats(connectionId?: string): RateLimitCounters {
    return this.rateLimiter.stats(connectionId)
  }

  /**
   * Called by the sandbox (`SandboxState.revokeConnection`) exactly once per revocation: drops the
   * connection's event subscriptions (unless `subscriptionsFollowConnection` is off). Webhook
   * delivery wraps this method to send `token.revoked` to the subscriptions it removes.
   *
   * @returns the removed subscriptions.
   * @internal
   */
  connectionRevoked(connectionId: string): EventSubscription[] {
    if (!this.options.subscriptionsFollowConnection) return []
    return this.store.removeSubscriptionsOfConnection(connectionId)
  }
}

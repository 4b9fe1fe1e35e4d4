import { isIP } from 'node:net'
import type { SandboxRequest } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import { actionResult, fail, isText, ok, readJsonObject } from './http'
import type { EventSubscription } from './store'

/**
 * `/v1/event-subscriptions` (docs/lexoffice.md §6): create (201, 409 for a duplicate event type and
 * callback URL, 406 for an unknown event type or a callback URL that is not https), list
 * (`{ content: [...] }`), read, delete (204). Regular error shape.
 *
 * Subscriptions belong to the connection that created it: a connection sees and deletes only its
 * own, and (option `subscriptionsFollowConnection`, default on) they are removed when the
 * connection is revoked.
 *
 * Deviations from lexoffice, both for local testing: the sandbox makes no HEAD request to check the
 * callback's TLS certificate, and it accepts `http://` callbacks on loopback hosts (`localhost`,
 * `127.0.0.0/8`, `::1`) unless the option `allowLoopbackHttpCallbacks` is `false`.
 *
 * @internal
 * @packageDocumentation
 */

const RESOURCES_WITH_STATUS = [
  'credit-note',
  'delivery-note',
  'down-payment-invoice',
  'invoice',
  'order-confirmation',
  'quotation',
  'voucher',
]
const RESOURCES_PLAIN = ['article', 'contact', 'dunning', 'recurring-template']

/** Every event type lexoffice documents (docs/lexoffice.md §6). */
export const EVENT_TYPES: readonly string[] = Object.freeze(
  [
    ...RESOURCES_PLAIN.flatMap((r) => [`${r}.created`, `${r}.changed`, `${r}.deleted`]),
    ...RESOURCES_WITH_STATUS.flatMap((r) => [`${r}.created`, `${r}.changed`, `${r}.deleted`, `${r}.status.changed`]),
    'payment.changed',
    'token.revoked',
  ].sort(),
)

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host === '::1') return true
  return isIP(host) === 4 && host.startsWith('127.')
}

/** Checks a callback URL: https, or http on loopback when allowed. @internal */
export function callbackUrlProblem(value: unknown, allowLoopbackHttp: boolean): string | undefined {
  if (!isText(value) || value.length > 2048) return 'darf nicht leer sein'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'not a valid URL'
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials'
  if (url.hash !== '') return 'must not contain a fragment'
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:' && allowLoopbackHttp && isLoopbackHost(url.hostname)) return undefined
  return allowLoopbackHttp ? 'must be an https URL (http only on loopback hosts)' : 'must be an https URL'
}

/** A subscription as lexoffice shows it (without the owning connection). @internal */
export function subscriptionJson(s: EventSubscription): object {
  return {
    subscriptionId: s.subscriptionId,
    organizationId: s.organizationId,
    createdDate: s.createdDate,
    eventType: s.eventType,
    callbackUrl: s.callbackUrl,
  }
}

function create(req: SandboxRequest, call: ApiCall) {
  const body = readJsonObject(req, call.errors)
  const { eventType, callbackUrl } = body
  const violations = []
  if (!isText(eventType)) violations.push({ field: 'eventType', violation: 'NOTNULL' as const, message: 'darf nicht leer sein' })
  else if (!EVENT_TYPES.includes(eventType))
    violations.push({ field: 'eventType', violation: 'NOTALLOWED' as const, message: `unknown event type '${eventType}'` })
  const problem = callbackUrlProblem(callbackUrl, call.options.allowLoopbackHttpCallbacks)
  if (problem !== undefined) violations.push({ field: 'callbackUrl', violation: 'PATTERN' as const, message: problem })
  if (violations.length > 0) return fail(call.errors.validation(violations))
  const type = eventType as string
  const url = callbackUrl as string
  if (call.store.findSubscription(call.connectionId, type, url) !== undefined) {
    return fail(call.errors.conflict(`A subscription for ${type} with this callbackUrl already exists`, 'eventType'))
  }
  const s = call.store.addSubscription(call.organizationId, call.connectionId, type, url)
  return actionResult(
    req,
    'event-subscriptions',
    { id: s.subscriptionId, createdDate: s.createdDate, updatedDate: s.createdDate, version: 0 },
    201,
  )
}

function find(req: SandboxRequest, call: ApiCall): EventSubscription {
  const s = call.store.subscription(req.params['id'] ?? '')
  if (s === undefined || s.connectionId !== call.connectionId) return fail(call.errors.notFound('event subscription'))
  return s
}

/** The event-subscriptions routes. @internal */
export const eventSubscriptionRoutes: ApiRouteDef[] = [
  { method: 'POST', pattern: '/v1/event-subscriptions', style: 'regular', handler: create },
  {
    method: 'GET',
    pattern: '/v1/event-subscriptions',
    style: 'regular',
    handler: (_req, call) => ok({ content: call.store.listSubscriptions(call.connectionId).map(subscriptionJson) }),
  },
  {
    method: 'GET',
    pattern: '/v1/event-subscriptions/:id',
    style: 'regular',
    handler: (req, call) => ok(subscriptionJson(find(req, call))),
  },
  {
    method: 'DELETE',
    pattern: '/v1/event-subscriptions/:id',
    style: 'regular',
    handler: (req, call) => {
      call.store.deleteSubscription(find(req, call).subscriptionId)
      return { status: 204 }
    },
  },
]

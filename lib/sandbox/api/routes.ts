import { authenticateBearer } from '../auth'
import type { SandboxState } from '../SandboxState'
import type { SandboxRequest, SandboxResponse, SandboxRoute } from '../types'
import { articleRoutes } from './articles'
import { contactRoutes } from './contacts'
import { newRandomId, type ApiCall, type ApiRouteDef } from './context'
import { downPaymentInvoiceRoutes } from './downPaymentInvoices'
import { dunningRoutes } from './dunnings'
import { errorsFor, gatewayError, legacyError, regularError } from './errors'
import { eventSubscriptionRoutes } from './eventSubscriptions'
import { fileRoutes } from './files'
import { ApiFailure } from './http'
import { paymentRoutes } from './payments'
import { recurringTemplateRoutes } from './recurringTemplates'
import { referenceRoutes } from './reference'
import { salesVoucherRoutes } from './salesVouchers'
import { voucherlistRoutes } from './voucherlist'
import { voucherRoutes } from './vouchers'

/**
 * Binds the API resource modules to the sandbox server: every request is authenticated by its
 * Bearer token (401 `{"message":"Unauthorized"}`), checked against the connection's scopes (403),
 * counted against the connection's rate limit (429 `{"message":"Rate limit exceeded"}`), then
 * handed to the resource with its organisation's data. A handler's error answer keeps its
 * endpoint's shape; an unexpected exception becomes a gateway 500 `{"message":null}`.
 *
 * @internal
 * @packageDocumentation
 */

const SALES_READ_SCOPES = [
  'credit-notes.read',
  'invoices.read',
  'order-confirmations.read',
  'quotations.read',
  'delivery-notes.read',
  'recurring-templates.read',
  'dunnings.read',
]

/**
 * Scopes a route needs (any one of them), following docs/lexoffice.md §2d and the partner docs'
 * per-endpoint "Required OAuth scopes" (down-payment invoices share `invoices.read`). Resources
 * whose scope names are not in docs/lexoffice.md (quotations, credit notes, order confirmations,
 * delivery notes, countries, payment conditions) and those documented as scope-free (posting
 * categories, event subscriptions) need none.
 */
function requiredScopes(def: ApiRouteDef): string[] {
  const resource = def.pattern.split('/')[2] ?? ''
  const write = def.method !== 'GET'
  switch (resource) {
    case 'contacts':
    case 'articles':
    case 'invoices':
    case 'vouchers':
    case 'files':
      return [`${resource}.${write ? 'write' : 'read'}`]
    case 'dunnings':
      return [`dunnings.${write ? 'write' : 'read'}`]
    case 'voucherlist':
    case 'payments':
    case 'recurring-templates':
      return [`${resource}.read`]
    case 'down-payment-invoices':
      return ['invoices.read']
    case 'print-layouts':
      return SALES_READ_SCOPES
    default:
      return []
  }
}

function forbidden(def: ApiRouteDef, req: SandboxRequest, scopes: string[], now: number): SandboxResponse {
  const message = `Missing scope ${scopes.join(' or ')}`
  return def.style === 'legacy'
    ? legacyError(403, [{ i18nKey: 'forbidden', source: 'scope', type: 'forbidden', additionalData: message }])
    : regularError(403, req.path, message, [], now)
}

/** Wraps one resource route with authentication, scope check, rate limit and error handling. @internal */
export function bindApiRoute(def: ApiRouteDef): SandboxRoute<SandboxState> {
  const scopes = requiredScopes(def)
  return {
    method: def.method,
    pattern: def.pattern,
    handler: (req, ctx) => {
      const auth = authenticateBearer(req, ctx)
      if ('response' in auth) return auth.response
      const api = ctx.api
      const { connectionId } = auth.connection
      if (!api.rateLimiter.take(connectionId)) return gatewayError(429, 'Rate limit exceeded')
      if (scopes.length > 0 && !scopes.some((s) => auth.connection.scopes.includes(s))) return forbidden(def, req, scopes, ctx.now())
      const organizationId = auth.organization.organizationId
      const call: ApiCall = {
        organizationId,
        connectionId,
        org: api.store.organization(organizationId),
        store: api.store,
        errors: errorsFor(def.style, req.path, ctx.now),
        options: api.options,
        newId: newRandomId,
      }
      try {
        return def.handler(req, call)
      } catch (err) {
        if (err instanceof ApiFailure) return err.response
        return gatewayError(500, null)
      }
    },
  }
}

/** Every resource route definition (unbound), for tests and documentation. @internal */
export const resourceRouteDefs: readonly ApiRouteDef[] = [
  ...contactRoutes,
  ...salesVoucherRoutes,
  ...downPaymentInvoiceRoutes,
  ...dunningRoutes,
  ...recurringTemplateRoutes,
  ...paymentRoutes,
  ...voucherlistRoutes,
  ...voucherRoutes,
  ...articleRoutes,
  ...eventSubscriptionRoutes,
  ...fileRoutes,
  ...referenceRoutes,
]

/** The lexoffice API resources, ready to be mounted (spread into `apiRoutes`). @internal */
export const resourceRoutes: SandboxRoute<SandboxState>[] = resourceRouteDefs.map(bindApiRoute)

import { authenticateBearer, type SandboxAuth } from '../auth'
import type { SandboxState } from '../SandboxState'
import type { SandboxRequest, SandboxResponse, SandboxRoute } from '../types'
import { articleRoutes } from './articles'
import { cashBoxRoutes } from './cashBoxes'
import { contactBankAccountRoutes } from './contactBankAccounts'
import { contactRoutes } from './contacts'
import { newRandomId, type ApiCall, type ApiRouteDef } from './context'
import { downPaymentInvoiceRoutes } from './downPaymentInvoices'
import { dunningRoutes } from './dunnings'
import { errorsFor, gatewayError, legacyError, regularError } from './errors'
import { eventSubscriptionRoutes } from './eventSubscriptions'
import { fileRoutes } from './files'
import { financeRoutes } from './finance'
import { ApiFailure } from './http'
import { interactionStatusRoutes } from './interactionStatus'
import { organizationRoutes } from './organization'
import type { RateLimitScope } from './rateLimit'
import { describeScopeRule, scopeRuleFor, scopesAllow, type ScopeRule } from './scopes'
import { paymentRoutes } from './payments'
import { profileRoutes } from './profile'
import { recurringTemplateRoutes } from './recurringTemplates'
import { referenceRoutes } from './reference'
import { salesVoucherRoutes } from './salesVouchers'
import { sendMailRoutes } from './sendMail'
import { voucherlistRoutes } from './voucherlist'
import { voucherRoutes } from './vouchers'

/**
 * Binds the API resource modules to the sandbox server: every request is authenticated by its
 * Bearer token (401 `{"message":"Unauthorized"}`), counted against the rate limit (429
 * `{"message":"Rate limit exceeded"}`; per connection, client or organisation), checked against
 * the connection's scopes (403; the rules are in `scopes.ts`), then handed to the resource with
 * its organisation's data. A handler's error answer keeps its
 * endpoint's shape; an unexpected exception becomes a gateway 500 `{"message":null}`.
 *
 * @internal
 * @packageDocumentation
 */

function forbidden(def: ApiRouteDef, req: SandboxRequest, rule: ScopeRule, now: number): SandboxResponse {
  const message = `Missing scope ${describeScopeRule(rule)}`
  return def.style === 'legacy'
    ? legacyError(403, [{ i18nKey: 'forbidden', source: 'scope', type: 'forbidden', additionalData: message }])
    : regularError(403, req.path, message, [], now)
}

/** The bucket a request draws from, by the rate limit's scope. */
function bucketKey(scope: RateLimitScope, auth: SandboxAuth): string {
  switch (scope) {
    case 'client':
      return `client:${auth.connection.clientID}`
    case 'organization':
      return `organization:${auth.connection.organizationId}`
    default:
      return auth.connection.connectionId
  }
}

/** Wraps one resource route with authentication, rate limit, scope check and error handling. @internal */
export function bindApiRoute(def: ApiRouteDef): SandboxRoute<SandboxState> {
  const rule = scopeRuleFor(def.method, def.pattern)
  return {
    method: def.method,
    pattern: def.pattern,
    handler: (req, ctx) => {
      const auth = authenticateBearer(req, ctx)
      if ('response' in auth) return auth.response
      const api = ctx.api
      const { connectionId } = auth.connection
      if (!api.rateLimiter.take(bucketKey(api.rateLimiter.scope, auth), connectionId)) return gatewayError(429, 'Rate limit exceeded')
      if (!scopesAllow(rule, auth.connection.scopes)) return forbidden(def, req, rule, ctx.now())
      const organizationId = auth.organization.organizationId
      const call: ApiCall = {
        organizationId,
        connectionId,
        auth,
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
  ...profileRoutes,
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
  ...sendMailRoutes,
  ...interactionStatusRoutes,
  ...contactBankAccountRoutes,
  ...organizationRoutes,
  ...cashBoxRoutes,
  ...financeRoutes,
]

/** The lexoffice API resources, ready to be mounted (spread into `apiRoutes`). @internal */
export const resourceRoutes: SandboxRoute<SandboxState>[] = resourceRouteDefs.map(bindApiRoute)

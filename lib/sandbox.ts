/**
 * `passport-lexoffice/sandbox`: an in-process lexoffice (partner OAuth server and API) for
 * tests and local development.
 *
 * @example
 * ```ts
 * import { createSandbox } from 'passport-lexoffice/sandbox'
 * const sandbox = await createSandbox()
 * ```
 * @packageDocumentation
 */
export { createSandbox } from './sandbox/createSandbox'
export { Sandbox } from './sandbox/Sandbox'
export {
  DEFAULT_SANDBOX_CLIENT,
  DEFAULT_SANDBOX_SCOPES,
  type SandboxClientConfig,
  type SandboxOptions,
  type SandboxOrganizationConfig,
  type SandboxUserConfig,
} from './sandbox/options'
export type {
  SandboxConnectionCreatedEvent,
  SandboxConnectionInfo,
  SandboxConnectionRevokedEvent,
  SandboxEvents,
  SandboxFault,
  SandboxRequestLogEntry,
  SandboxTokenRefreshedEvent,
} from './sandbox/SandboxState'
export type { SandboxApi, SandboxApiOptions } from './sandbox/api/SandboxApi'
export type { Versioned } from './sandbox/api/http'
export type { LexofficeEndpoints } from './endpoints'
export type { RateLimitCounters, RateLimitOptions, RateLimitScope } from './sandbox/api/rateLimit'
export type { SandboxApiVariants } from './sandbox/api/context'
export type {
  ApiStore,
  BookkeepingVoucher,
  Entity,
  EventSubscription,
  OrganizationData,
  PaymentItem,
  ResourceEvent,
  ResourceEventListener,
  SalesDocument,
  SalesVoucher,
  SalesVoucherType,
  StoredFile,
  ContactBankAccount,
  InvoiceInteractionStatus,
  SentMail,
  PartnerIntegration,
  OrganizationDetails,
} from './sandbox/api/store'
export { DEMO_DATA_COUNTS } from './sandbox/api/seed'
export { DEMO_BILLING_COUNTS } from './sandbox/api/seedBilling'
export { DEMO_PARTNER_COUNTS } from './sandbox/api/seedPartner'
export { EVENT_TYPES } from './sandbox/api/eventSubscriptions'
export { LEXOFFICE_WEBHOOK_RETRY_DELAYS_MS } from './sandbox/webhooks/options'
export type { SandboxWebhookOptions } from './sandbox/webhooks/options'
export type { SandboxWebhookLogEntry, SandboxWebhookOutcome, SandboxWebhookPayload } from './sandbox/webhooks/SandboxWebhooks'
export { signLexofficePayload } from './webhooks/signLexofficePayload'
// What `Sandbox.seedConnections()` hands out (also exported by the main entry).
export type { LexofficeTokenResponse } from './oauth/LexofficeOAuthClient'

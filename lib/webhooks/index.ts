/**
 * Receiving lexoffice webhooks (event subscriptions): signature verification, typed events and
 * an Express/`node:http` handler. Re-exported by the package root.
 *
 * @packageDocumentation
 */
export { assertLexofficeSignature } from './assertLexofficeSignature'
export { MemoryWebhookDedupeStore, type MemoryWebhookDedupeStoreOptions } from './dedupe/MemoryWebhookDedupeStore'
export type { WebhookDedupeClaim, WebhookDedupeStore } from './dedupe/WebhookDedupeStore'
export {
  isLexofficeEventType,
  LEXOFFICE_EVENT_TYPES,
  type LexofficeEvent,
  type LexofficeEventFields,
  type LexofficeEventType,
  type LexofficeKnownEvent,
  type LexofficeUnknownEvent,
} from './events'
export { LEXOFFICE_WEBHOOK_PUBLIC_KEY, LEXOFFICE_WEBHOOK_PUBLIC_KEY_URL } from './lexofficePublicKey'
export { lexofficeRawBody, type LexofficeRawBodyHook } from './lexofficeRawBody'
export {
  lexofficeWebhooks,
  type LexofficeEventContext,
  type LexofficeTokenRevocation,
  type LexofficeWebhookErrorInfo,
  type LexofficeWebhookHandler,
  type LexofficeWebhookRejection,
  type LexofficeWebhooksOptions,
  type LexofficeWebhookStage,
} from './lexofficeWebhooks'
export { parseLexofficeEvent } from './parseLexofficeEvent'
export { signLexofficePayload } from './signLexofficePayload'
export { verifyLexofficeSignature } from './verifyLexofficeSignature'

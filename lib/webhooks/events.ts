/**
 * Typed lexoffice webhook payloads.
 *
 * lexoffice POSTs `{ organizationId, eventType, resourceId, eventDate }` to your callback URL.
 * Only ids are sent: fetch the resource through the API client to see what changed.
 *
 * Event types lexoffice adds later must not break apps, so {@link parseLexofficeEvent} accepts any
 * well-formed type: documented ones come out as {@link LexofficeKnownEvent} (`known: true`,
 * `eventType` typed as the literal union), others as {@link LexofficeUnknownEvent}
 * (`known: false`, `eventType: string`). Check `event.known` first, then `switch` on `eventType`.
 *
 * @packageDocumentation
 */

/**
 * Every event type lexoffice documents (developers.lexware.io, "Event Types"; `article.*` since
 * 11.07.2024, `delivery-note.status.changed` since 12.12.2024). Note the asymmetries: `dunning.*`
 * and `recurring-template.*` have no `status.changed`, and `payment.changed` is the only payment
 * event (it fires for invoices, credit notes and vouchers).
 *
 * @example
 * ```ts
 * import { LEXOFFICE_EVENT_TYPES } from 'passport-lexoffice'
 * for (const eventType of LEXOFFICE_EVENT_TYPES) {
 *   await client.eventSubscriptions.create({ eventType, callbackUrl: 'https://example.com/hooks/lexoffice' })
 * }
 * ```
 */
export const LEXOFFICE_EVENT_TYPES = [
  'article.created',
  'article.changed',
  'article.deleted',
  'contact.created',
  'contact.changed',
  'contact.deleted',
  'credit-note.created',
  'credit-note.changed',
  'credit-note.deleted',
  'credit-note.status.changed',
  'delivery-note.created',
  'delivery-note.changed',
  'delivery-note.deleted',
  'delivery-note.status.changed',
  'down-payment-invoice.created',
  'down-payment-invoice.changed',
  'down-payment-invoice.deleted',
  'down-payment-invoice.status.changed',
  'dunning.created',
  'dunning.changed',
  'dunning.deleted',
  'invoice.created',
  'invoice.changed',
  'invoice.deleted',
  'invoice.status.changed',
  'order-confirmation.created',
  'order-confirmation.changed',
  'order-confirmation.deleted',
  'order-confirmation.status.changed',
  'payment.changed',
  'quotation.created',
  'quotation.changed',
  'quotation.deleted',
  'quotation.status.changed',
  'recurring-template.created',
  'recurring-template.changed',
  'recurring-template.deleted',
  'token.revoked',
  'voucher.created',
  'voucher.changed',
  'voucher.deleted',
  'voucher.status.changed',
] as const

/**
 * Union of the documented event types, e.g. `'invoice.status.changed'` or `'token.revoked'`. See docs/lexoffice.md §6.
 *
 * @example
 * ```ts
 * import type { LexofficeEventType } from 'passport-lexoffice'
 * const wanted: LexofficeEventType[] = ['invoice.created', 'invoice.status.changed', 'token.revoked']
 * ```
 */
export type LexofficeEventType = (typeof LEXOFFICE_EVENT_TYPES)[number]

/**
 * Fields every lexoffice event has.
 *
 * @example
 * ```ts
 * import type { LexofficeEventFields } from 'passport-lexoffice'
 * const key = ({ organizationId, resourceId }: LexofficeEventFields) => `${organizationId}/${resourceId}`
 * ```
 */
export interface LexofficeEventFields {
  /** The lexoffice organisation (tenant) the event belongs to; compare it with the stored connection. */
  readonly organizationId: string
  /** Id of the changed resource; for `token.revoked` the `connectionId` of the revoked connection (`/v1/profile`). */
  readonly resourceId: string
  /** When the event happened, as lexoffice sent it (ISO 8601 with offset, e.g. `2023-04-11T12:30:00.000+02:00`). */
  readonly eventDate: string
}

/**
 * An event of a documented type. `eventType` is narrowed by `switch`/`if`.
 *
 * @example
 * ```ts
 * import type { LexofficeKnownEvent } from 'passport-lexoffice'
 * function onInvoice(event: LexofficeKnownEvent<'invoice.created' | 'invoice.changed'>) {
 *   return client.invoices.get(event.resourceId)
 * }
 * ```
 */
export interface LexofficeKnownEvent<T extends LexofficeEventType = LexofficeEventType> extends LexofficeEventFields {
  /** The documented event type. */
  readonly eventType: T
  /** Always `true`: the type is in {@link LEXOFFICE_EVENT_TYPES}. */
  readonly known: true
}

/**
 * An event of a type this package does not know yet (lexoffice added one). Well-formed like any
 * other event; passed through instead of rejected so new types never break your app.
 *
 * @example
 * ```ts
 * import type { LexofficeUnknownEvent } from 'passport-lexoffice'
 * const logUnknown = (event: LexofficeUnknownEvent) => console.info('new lexoffice event type', event.eventType)
 * ```
 */
export interface LexofficeUnknownEvent extends LexofficeEventFields {
  /** The event type as sent, e.g. `'project.created'`: lower case, dot-separated. */
  readonly eventType: string
  /** Always `false`: the type is not in {@link LEXOFFICE_EVENT_TYPES}. */
  readonly known: false
}

/**
 * A verified, validated lexoffice webhook event. Discriminate on `known`, then on `eventType`.
 *
 * @example
 * ```ts
 * import type { LexofficeEvent } from 'passport-lexoffice'
 * async function onEvent(event: LexofficeEvent) {
 *   if (!event.known) return console.info('ignoring', event.eventType)
 *   switch (event.eventType) {
 *     case 'invoice.created':
 *     case 'invoice.changed':
 *       return syncInvoice(event.organizationId, event.resourceId)
 *     case 'token.revoked':
 *       return markDisconnected(event.resourceId) // resourceId is the connectionId
 *   }
 * }
 * ```
 */
export type LexofficeEvent = LexofficeKnownEvent | LexofficeUnknownEvent

const KNOWN = new Set<string>(LEXOFFICE_EVENT_TYPES)

/**
 * `true` when `eventType` is one of {@link LEXOFFICE_EVENT_TYPES}.
 *
 * @example
 * ```ts
 * import { isLexofficeEventType } from 'passport-lexoffice'
 * isLexofficeEventType('invoice.created') // true
 * isLexofficeEventType('project.created') // false
 * ```
 */
export function isLexofficeEventType(eventType: unknown): eventType is LexofficeEventType {
  return typeof eventType === 'string' && KNOWN.has(eventType)
}

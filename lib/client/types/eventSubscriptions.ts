/**
 * Event types lexoffice can notify about (docs/lexoffice.md §6).
 *
 * @example
 * ```ts
 * const type: LexofficeEventType = 'invoice.status.changed'
 * ```
 */
export type LexofficeEventType =
  | `${'article' | 'contact' | 'dunning' | 'recurring-template'}.${'created' | 'changed' | 'deleted'}`
  | `${'credit-note' | 'delivery-note' | 'down-payment-invoice' | 'invoice' | 'order-confirmation' | 'quotation' | 'voucher'}.${'created' | 'changed' | 'deleted' | 'status.changed'}`
  | 'payment.changed'
  | 'token.revoked'

/**
 * An event subscription (webhook registration).
 *
 * @example
 * ```ts
 * const subs: EventSubscription[] = await client.eventSubscriptions.list()
 * ```
 */
export interface EventSubscription {
  subscriptionId: string
  organizationId: string
  createdDate: string
  eventType: LexofficeEventType
  callbackUrl: string
}

/**
 * Body of `POST /v1/event-subscriptions` (the callback URL must be HTTPS).
 *
 * @example
 * ```ts
 * const sub: NewEventSubscription = { eventType: 'token.revoked', callbackUrl: 'https://app.example/webhooks/lexoffice' }
 * ```
 */
export interface NewEventSubscription {
  eventType: LexofficeEventType
  callbackUrl: string
}

import type { LexofficeEventType } from '../../webhooks/events'

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

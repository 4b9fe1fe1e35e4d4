import type { ApiTransport } from '../ApiTransport'
import { pathId } from '../paging'
import type { ActionResult } from '../types/common'
import type { EventSubscription, NewEventSubscription } from '../types/eventSubscriptions'

/**
 * `/v1/event-subscriptions` (webhooks; no scope needed). There is no update: delete and create.
 *
 * @example
 * ```ts
 * await client.eventSubscriptions.create({ eventType: 'token.revoked', callbackUrl: 'https://app.example/webhooks/lexoffice' })
 * ```
 */
export class EventSubscriptionsResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/event-subscriptions`: all subscriptions (the `content` array of lexoffice's answer). */
  async list(): Promise<EventSubscription[]> {
    const res = await this.#t.json<{ content?: EventSubscription[] } | null>({ method: 'GET', path: '/v1/event-subscriptions' })
    return res?.content ?? []
  }
  /** `GET /v1/event-subscriptions/{id}`. */
  async get(id: string): Promise<EventSubscription> {
    return this.#t.json<EventSubscription>({ method: 'GET', path: `/v1/event-subscriptions/${pathId(id)}` })
  }
  /** `POST /v1/event-subscriptions` (409 `API_CONFLICT` if the same type and URL exist). */
  async create(subscription: NewEventSubscription): Promise<ActionResult> {
    return this.#t.json<ActionResult>({ method: 'POST', path: '/v1/event-subscriptions', json: subscription })
  }
  /** `DELETE /v1/event-subscriptions/{id}` (204). */
  async delete(id: string): Promise<void> {
    await this.#t.send({ method: 'DELETE', path: `/v1/event-subscriptions/${pathId(id)}` })
  }
}

import { randomUUID } from 'node:crypto'
import { formatLexofficeDate } from '../http'
import { OrganizationData } from './OrganizationData'
import { seedOrganization } from './seed'

/**
 * The sandbox API's in-memory data: one {@link OrganizationData} per organisation (created and
 * seeded with the demo data on first use), the event subscriptions of every connection, and an
 * event emitter that reports each resource change (`contact.created`, `invoice.changed`, ...)
 * so that webhooks can be delivered.
 *
 * @packageDocumentation
 */

export { OrganizationData } from './OrganizationData'
export type {
  BookkeepingVoucher,
  ContactBankAccount,
  Entity,
  InvoiceInteractionStatus,
  OrganizationDetails,
  PartnerIntegration,
  PaymentItem,
  SalesDocument,
  SalesVoucher,
  SalesVoucherType,
  SentMail,
  StoredFile,
} from './OrganizationData'

/** An event subscription, as `GET /v1/event-subscriptions` shows it, plus its owning connection. */
export interface EventSubscription {
  subscriptionId: string
  organizationId: string
  /** The connection (OAuth grant / API key) that created it; not part of lexoffice's JSON. */
  connectionId: string
  createdDate: string
  eventType: string
  callbackUrl: string
}

/** A resource change, as a webhook would report it (docs/lexoffice.md §6 callback payload). */
export interface ResourceEvent {
  organizationId: string
  /** e.g. `contact.created`, `invoice.status.changed`, `article.deleted`. */
  eventType: string
  resourceId: string
  /** When it happened, `yyyy-MM-ddTHH:mm:ss.SSSXXX`. */
  eventDate: string
}

/** Receives resource change events. */
export type ResourceEventListener = (event: ResourceEvent) => void

/** Options of {@link ApiStore}. @internal */
export interface ApiStoreOptions {
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number
  /** Seed every new organisation with the demo data (default `true`). */
  seedDemoData?: boolean
}

/** All data of the sandbox API. */
export class ApiStore {
  private readonly organizations = new Map<string, OrganizationData>()
  private readonly subscriptions = new Map<string, EventSubscription>()
  private readonly listeners = new Set<ResourceEventListener>()
  private readonly clock: () => number
  private readonly seedDemoData: boolean

  /** @internal Built by the sandbox (`sandbox.api.store`). */
  constructor(options: ApiStoreOptions = {}) {
    this.clock = options.now ?? Date.now
    this.seedDemoData = options.seedDemoData ?? true
  }

  /** The current time as a lexoffice timestamp. */
  timestamp(): string {
    return formatLexofficeDate(this.clock())
  }

  /** The current time. */
  now(): Date {
    return new Date(this.clock())
  }

  /** The data of an organisation, created (and seeded with the demo data) on first use. */
  organization(organizationId: string): OrganizationData {
    let data = this.organizations.get(organizationId)
    if (data === undefined) {
      data = new OrganizationData(organizationId)
      if (this.seedDemoData) seedOrganization(data)
      this.organizations.set(organizationId, data)
    }
    return data
  }

  /** Drops all data of an organisation (it is seeded again on next use). */
  resetOrganization(organizationId: string): void {
    this.organizations.delete(organizationId)
  }

  /**
   * Subscribes to resource change events (every organisation).
   *
   * @returns a function that removes the listener.
   */
  onEvent(listener: ResourceEventListener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Reports a resource change to every listener. A throwing listener does not affect the request or the other listeners. */
  emit(organizationId: string, eventType: string, resourceId: string): void {
    const event: ResourceEvent = { organizationId, eventType, resourceId, eventDate: this.timestamp() }
    for (const listener of [...this.listeners]) {
      try {
        listener(event)
      } catch {
        // A listener's failure must not turn a successful API call into an error.
      }
    }
  }

  /** Creates an event subscription for a connection. Duplicates are the caller's check ({@link findSubscription}). */
  addSubscription(organizationId: string, connectionId: string, eventType: string, callbackUrl: string): EventSubscription {
    const subscription: EventSubscription = {
      subscriptionId: randomUUID(),
      organizationId,
      connectionId,
      createdDate: this.timestamp(),
      eventType,
      callbackUrl,
    }
    this.subscriptions.set(subscription.subscriptionId, subscription)
    return subscription
  }

  /** The subscription of `connectionId` with this event type and callback URL, if any. */
  findSubscription(connectionId: string, eventType: string, callbackUrl: string): EventSubscription | undefined {
    for (const s of this.subscriptions.values()) {
      if (s.connectionId === connectionId && s.eventType === eventType && s.callbackUrl === callbackUrl) return s
    }
    return undefined
  }

  /** One subscription by id. */
  subscription(subscriptionId: string): EventSubscription | undefined {
    return this.subscriptions.get(subscriptionId)
  }

  /** Every subscription, or those of one connection. */
  listSubscriptions(connectionId?: string): EventSubscription[] {
    return [...this.subscriptions.values()].filter((s) => connectionId === undefined || s.connectionId === connectionId)
  }

  /** Deletes one subscription; `false` if it did not exist. */
  deleteSubscription(subscriptionId: string): boolean {
    return this.subscriptions.delete(subscriptionId)
  }

  /** Deletes every subscription a connection created (it was revoked); returns them. */
  removeSubscriptionsOfConnection(connectionId: string): EventSubscription[] {
    const removed = this.listSubscriptions(connectionId)
    for (const s of removed) this.subscriptions.delete(s.subscriptionId)
    return removed
  }

  /**
   * The subscriptions that want an event: same organisation and event type (across all
   * connections of that organisation). This is what a webhook-delivery feature calls per
   * {@link ResourceEvent}.
   */
  subscribersOf(organizationId: string, eventType: string): EventSubscription[] {
    return [...this.subscriptions.values()].filter((s) => s.organizationId === organizationId && s.eventType === eventType)
  }
}

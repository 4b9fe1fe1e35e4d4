/** The received webhook events the events page lists: the log's interface and its in-memory variant. */

/** One received webhook event, as the events page lists it. */
export interface ReceivedEvent {
  receivedAt: string
  eventType: string
  resourceId: string
  organizationId: string
}

/** A small list of received events. */
export interface EventLog {
  add(event: ReceivedEvent): Promise<void>
  list(): Promise<ReceivedEvent[]>
}

/** Keeps the last 50 events in memory (one instance). */
export function memoryEventLog(): EventLog {
  const events: ReceivedEvent[] = []
  return {
    async add(event) {
      events.unshift(event)
      events.length = Math.min(events.length, 50)
    },
    async list() {
      return [...events]
    },
  }
}

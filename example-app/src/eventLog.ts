/** The received webhook events the events page lists: the log's interface and its in-memory variant. */
/** One received webhook event, as the events page lists it. */
export interface ReceivedEvent {
  receivedAt: string
  eventType: string
  resourceId: string
  organizationId: string
}

/** A small list of received events, newest first. */
export interface EventLog {
  add(event: ReceivedEvent): Promise<void>
  list(): Promise<ReceivedEvent[]>
}

/** How many events the log keeps. */
export const KEEP_EVENTS = 50

/** Keeps the last 50 events in memory (one instance). */
export function memoryEventLog(): EventLog {
  const events: ReceivedEvent[] = []
  return {
    add(event) {
      events.unshift(event)
      events.length = Math.min(events.length, KEEP_EVENTS)
      return Promise.resolve()
    },
    list() {
      return Promise.resolve([...events])
    },
  }
}

import type session from 'express-session'
import type { Lexoffice, WebhookDedupeStore } from 'passport-lexoffice'
import type { Sandbox } from 'passport-lexoffice/sandbox'
import type { EventLog } from './eventLog'

/** Everything createApp needs; startExample.ts builds these from the configuration. */
export interface AppDependencies {
  /** Public base URL of this instance or of the load balancer in front of several. */
  baseURL: string
  sessionSecret: string
  sessionStore: session.Store | undefined
  /** The one lexoffice configuration: strategy, routes, guard, clients, webhooks. */
  lexoffice: Lexoffice
  /** The embedded sandbox, when the app runs on it (enables the sandbox-only buttons). */
  sandbox: Sandbox | undefined
  /** The key that verifies webhook signatures: the sandbox's; `undefined`: lexoffice's published one. */
  webhookPublicKey: string | undefined
  /** Where lexoffice sends webhooks for this app (shown on the events page). */
  webhookURL: string
  /** Drops repeated webhook deliveries across instances (a `store` backend); default: the configuration's. */
  webhookDedupe: WebhookDedupeStore | undefined
  /** Where received webhook events are kept (shared by instances in Redis mode). */
  events: EventLog
  /** Shown in the header, e.g. "built-in lexoffice sandbox, in memory". */
  backendLabel: string
}

import type session from 'express-session'
import type { TokenManager, WebhookDedupeStore } from 'passport-lexoffice'
import type { Sandbox } from 'passport-lexoffice/sandbox'
import type { EventLog } from './eventLog'

/** Everything createApp needs; main.ts builds these from the environment. */
export interface AppDependencies {
  /** Public base URL of this instance or of the load balancer in front of several. */
  baseURL: string
  sessionSecret: string
  sessionStore?: session.Store
  manager: TokenManager
  oauth: { clientID: string; clientSecret: string; authorizationURL: string; tokenURL: string; revokeURL: string; apiURL: string }
  scope: string[]
  /** How long a started login may take (the strategy's `pendingLoginTtlMs`); default 10 minutes. */
  pendingLoginTtlMs?: number
  /** The embedded sandbox, when the app runs on it (enables the sandbox-only buttons). */
  sandbox?: Sandbox
  /** The key that verifies webhook signatures (the sandbox's, or lexoffice's by default). */
  webhookPublicKey?: string
  /** Where lexoffice sends webhooks for this app (shown on the events page). */
  webhookURL: string
  /** Where received webhook events are kept (shared by instances when backed by Redis). */
  events: EventLog
  /** Drops repeated webhook deliveries across instances (Redis mode); default: per instance. */
  webhookDedupe?: WebhookDedupeStore
  /** Label shown in the header, e.g. "built-in sandbox" or "lexoffice (production)". */
  backendLabel: string
}

/**
 * Builds and starts one instance of the example app: the embedded sandbox (unless real
 * lexoffice credentials are configured), the backend (memory, or Redis with REDIS_URL), the one
 * lexoffice configuration, the webhook subscriptions, the app itself. Used by main.ts, cluster.ts
 * and the tests (which start instances on port 0, one or several sharing Redis).
 */
import http, { type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type AutoSubscription,
  type Lexoffice,
  type LexofficeEventType,
  type LexofficeOptions,
  autoSubscribe,
  createLexoffice,
  isLexofficeError,
} from 'passport-lexoffice'
import { type Sandbox, type SandboxOptions, createSandbox } from 'passport-lexoffice/sandbox'
import { startBackend } from './backend'
import type { ExampleConfig } from './config'
import { createApp } from './createApp'
import type { EventLog } from './eventLog'

/** The webhooks the app subscribes to after every (re)connect. */
export const WEBHOOK_EVENT_TYPES: readonly LexofficeEventType[] = [
  'contact.changed',
  'contact.created',
  'invoice.created',
  'invoice.changed',
  'token.revoked',
]

/** The app's name at the sandbox, and its default connection name: the consent page names it once. */
const APP_NAME = 'passport-lexoffice example'

/**
 * The built-in sandbox as the example app uses it: its client named like the app, and a demo
 * user who belongs to three organisations (the consent page offers the choice). Tests start
 * theirs with these options, plus their own.
 */
export function exampleSandboxOptions(extra: SandboxOptions = {}): SandboxOptions {
  return {
    clients: [{ clientID: 'sandbox-client', clientSecret: 'sandbox-secret', redirectUris: [], name: APP_NAME }],
    organization: { companyName: 'Musterfirma GmbH (Sandbox)' },
    organizations: [{ companyName: 'Nordlicht Handel KG (Sandbox)' }, { companyName: 'Beispiel AG (Sandbox)', taxType: 'gross' }],
    ...extra,
  }
}

export interface StartedExample {
  server: Server
  /** The public base URL (BASE_URL, or this server's own address). */
  baseURL: string
  /** This server's own address, e.g. http://localhost:53127 (differs from baseURL behind a proxy). */
  listenURL: string
  backendLabel: string
  sandbox: Sandbox | undefined
  /** The one lexoffice configuration of this instance (its `manager`, `refresher()`, ...). */
  lexoffice: Lexoffice
  events: EventLog
  /** Re-creates the webhook subscriptions after each (re)connect; `undefined` when the app cannot receive webhooks. */
  subscriptions: AutoSubscription | undefined
  close(): Promise<void>
}

export interface StartOptions {
  /** Use this sandbox instead of starting one (tests, and the cluster's two instances share one). */
  sandbox?: Sandbox
  /**
   * Builds the lexoffice configuration instead of `createLexoffice`: the tests' seam, which paces
   * the API calls on a schedule clock rather than at 2 req/s in real time (a sign-in here makes
   * six: the profile and five webhook subscriptions).
   */
  createLexoffice?: (options: LexofficeOptions) => Lexoffice
}

export async function startExample(config: ExampleConfig, options: StartOptions = {}): Promise<StartedExample> {
  const closers: Array<() => Promise<unknown>> = []
  const close = async (): Promise<void> => {
    for (const closer of [...closers].reverse()) await closer().catch(() => undefined)
  }
  try {
    let sandbox: Sandbox | undefined
    if (config.embeddedSandbox) {
      sandbox = options.sandbox
      if (!sandbox) {
        const own = await createSandbox(exampleSandboxOptions())
        closers.push(() => own.close())
        sandbox = own
      }
    }
    const backend = await startBackend(config)
    closers.push(() => backend.close())

    // The port decides the base URL (and so the OAuth callbacks), so listen first, then mount.
    let handler: http.RequestListener = (_req, res) => res.writeHead(503).end()
    const server = http.createServer((req, res) => {
      handler(req, res)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(config.port, '127.0.0.1', () => {
        resolve()
      })
    })
    closers.push(async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    })
    const listenURL = `http://localhost:${String((server.address() as AddressInfo).port)}`
    const baseURL = (config.baseURL ?? listenURL).replace(/\/+$/, '')

    // The one configuration. On the built-in sandbox the app points it at the sandbox the way
    // `npx passport-lexoffice sandbox` would; otherwise it reads LEXOFFICE_* and BASE_URL.
    const env = sandbox
      ? {
          LEXOFFICE_CLIENT_ID: sandbox.client.clientID,
          LEXOFFICE_CLIENT_SECRET: sandbox.client.clientSecret,
          LEXOFFICE_AUTH_URL: sandbox.url,
          LEXOFFICE_API_URL: sandbox.url,
          LEXOFFICE_SCOPE: config.env.LEXOFFICE_SCOPE,
          LEXOFFICE_CONNECTION_NAME: config.env.LEXOFFICE_CONNECTION_NAME,
          LEXOFFICE_ENCRYPTION_KEYS: config.env.LEXOFFICE_ENCRYPTION_KEYS,
        }
      : config.env
    const lexoffice = (options.createLexoffice ?? createLexoffice)({
      env: { ...env, BASE_URL: baseURL },
      ...(env.LEXOFFICE_SCOPE ? {} : { scope: config.defaultScope }),
      ...(env.LEXOFFICE_CONNECTION_NAME ? {} : { connectionName: config.defaultConnectionName }),
      pendingLoginTtlMs: config.pendingLoginTtlMs,
      ...backend.lexoffice,
    })
    for (const path of ['/auth/lexoffice/callback', '/lexoffice/callback']) sandbox?.addRedirectUri(`${baseURL}${path}`)

    // Webhooks: lexoffice removes a connection's subscriptions with the connection, so they are
    // (re)created after every connect, in the background. lexoffice only calls https URLs; the
    // sandbox also calls http on loopback.
    const webhookURL = `${baseURL}/webhooks/lexoffice`
    let subscriptions: AutoSubscription | undefined
    if (sandbox || baseURL.startsWith('https:')) {
      const auto = autoSubscribe({
        manager: lexoffice.manager,
        subscriptions: WEBHOOK_EVENT_TYPES.map((eventType) => ({ eventType, callbackUrl: webhookURL })),
        createClient: (_provider, key) => lexoffice.client(key),
        onError: (err, { stage, subscription }) => {
          if (isLexofficeError(err, 'NOT_CONNECTED') || isLexofficeError(err, 'AUTH_LOST')) {
            console.log('webhook subscriptions: not created, the connection ended meanwhile (disconnected or revoked)')
            return
          }
          console.error(
            `webhook subscriptions: ${stage} failed${subscription ? ` (${subscription.eventType})` : ''}:`,
            isLexofficeError(err) ? err.code : err instanceof Error ? err.message : err,
          )
        },
      })
      closers.push(async () => {
        auto()
        await auto.idle()
      })
      subscriptions = auto
    }

    const environment = String(lexoffice.toJSON().environment)
    const backendLabel = `${sandbox ? 'built-in lexoffice sandbox' : environment === 'custom' ? `lexoffice at ${String(lexoffice.toJSON().apiURL)}` : `lexoffice (${environment})`}, ${backend.label}`
    handler = createApp({
      baseURL,
      sessionSecret: config.sessionSecret,
      sessionStore: backend.sessionStore,
      lexoffice,
      sandbox,
      webhookPublicKey: sandbox?.webhookPublicKey,
      webhookURL,
      webhookDedupe: backend.webhookDedupe,
      events: backend.events,
      backendLabel,
    })

    return { server, baseURL, listenURL, backendLabel, sandbox, lexoffice, events: backend.events, subscriptions, close }
  } catch (err) {
    await close()
    throw err
  }
}

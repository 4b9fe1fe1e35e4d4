/**
 * Builds and starts one instance of the example app: the embedded sandbox (unless real
 * lexoffice credentials are configured), the stores (memory, Redis with REDIS_URL, or PostgreSQL
 * with DATABASE_URL), the
 * token manager, the app itself. Used by main.ts and by the tests (which start instances on
 * port 0, one or several sharing Redis).
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { RedisStore } from 'connect-redis'
import { createClient } from 'redis'
import {
  type AutoSubscription,
  LEXOFFICE_ENDPOINTS,
  type LexofficeEventType,
  MemoryTokenStore,
  TokenManager,
  type TokenStore,
  type WebhookDedupeStore,
  autoSubscribe,
  createLexofficeClient,
  isLexofficeError,
} from 'passport-lexoffice'
import { RedisTokenStore, RedisWebhookDedupeStore } from 'passport-lexoffice/redis'
import { type Sandbox, createSandbox } from 'passport-lexoffice/sandbox'
import type { ExampleConfig } from './config'
import { type EventLog, type ReceivedEvent, createApp, memoryEventLog } from './createApp'
import { startPostgresBackend } from './postgresBackend'

/** The webhooks the app subscribes to after every (re)connect. */
export const WEBHOOK_EVENT_TYPES: readonly LexofficeEventType[] = [
  'contact.changed',
  'contact.created',
  'invoice.created',
  'invoice.changed',
  'token.revoked',
]

export interface StartedExample {
  server: Server
  /** The public base URL (BASE_URL, or this server's own address). */
  baseURL: string
  /** This server's own address, e.g. http://localhost:53127 (differs from baseURL behind a proxy). */
  listenURL: string
  backendLabel: string
  sandbox: Sandbox | undefined
  manager: TokenManager
  /** The store behind `manager` (the background refresher scans it). */
  tokenStore: TokenStore
  events: EventLog
  /** Re-creates the webhook subscriptions after each (re)connect; `undefined` when the app cannot receive webhooks. */
  subscriptions: AutoSubscription | undefined
  close(): Promise<void>
}

export interface StartOptions {
  /** Use this sandbox instead of starting one (tests share one between instances). */
  sandbox?: Sandbox
  /** Override the sandbox's access token lifetime (seconds), for demos and tests. */
  sandboxAccessTokenTtlSeconds?: number
}

export async function startExample(config: ExampleConfig, options: StartOptions = {}): Promise<StartedExample> {
  const closers: Array<() => Promise<unknown>> = []
  let sandbox: Sandbox | undefined
  let oauth: { clientID: string; clientSecret: string; authorizationURL: string; tokenURL: string; revokeURL: string; apiURL: string }
  let backendLabel: string
  if (config.lexoffice.mode === 'embedded-sandbox') {
    sandbox = options.sandbox
    if (!sandbox) {
      sandbox = await createSandbox({
        ...(options.sandboxAccessTokenTtlSeconds ? { accessTokenTtlSeconds: options.sandboxAccessTokenTtlSeconds } : {}),
      })
      const own = sandbox
      closers.push(() => own.close())
    }
    oauth = { ...sandbox.client, ...sandbox.endpoints }
    backendLabel = 'built-in lexoffice sandbox'
  } else {
    oauth = {
      clientID: config.lexoffice.clientID,
      clientSecret: config.lexoffice.clientSecret,
      ...LEXOFFICE_ENDPOINTS[config.lexoffice.environment],
    }
    backendLabel = `lexoffice (${config.lexoffice.environment})`
  }

  let tokenStore: TokenStore
  let sessionStore: import('express-session').Store | undefined
  let events: EventLog
  let webhookDedupe: WebhookDedupeStore | undefined
  if ((config.databaseURL || config.redisURL) && config.encryptionKeyGenerated) {
    console.warn(
      'LEXOFFICE_ENCRYPTION_KEYS is not set: the tokens in the shared store are encrypted with a key generated for this start and ' +
        'cannot be read after a restart (users then connect again). To keep them, set LEXOFFICE_ENCRYPTION_KEYS="k1:<32 random bytes, base64>".',
    )
  }
  if (config.databaseURL) {
    const backend = await startPostgresBackend(config.databaseURL, config.databaseSchema, config.encryption)
    closers.push(() => backend.close())
    ;({ tokenStore, sessionStore, webhookDedupe, events } = backend)
  } else if (config.redisURL) {
    const redis = createClient({ url: config.redisURL })
    redis.on('error', (err: Error) => console.error('redis:', err.message))
    await redis.connect()
    closers.push(() => redis.quit())
    // Tokens are credentials to a company's books: encrypted in Redis (AES-256-GCM).
    tokenStore = new RedisTokenStore({ client: redis, prefix: `${config.redisPrefix}tokens:`, encryption: config.encryption })
    sessionStore = new RedisStore({ client: redis, prefix: `${config.redisPrefix}sess:` })
    // A delivery lexoffice repeats may land on another instance: one claim per event in Redis.
    webhookDedupe = new RedisWebhookDedupeStore({ client: redis, prefix: `${config.redisPrefix}webhook:` })
    // The last 50 received events in a Redis list, so every instance lists what any instance received.
    const eventsKey = `${config.redisPrefix}events`
    events = {
      async add(event) {
        await redis.multi().lPush(eventsKey, JSON.stringify(event)).lTrim(eventsKey, 0, 49).exec()
      },
      async list() {
        return (await redis.lRange(eventsKey, 0, 49)).map((json) => JSON.parse(String(json)) as ReceivedEvent)
      },
    }
  } else {
    // In this process's memory only: nothing to encrypt against.
    tokenStore = new MemoryTokenStore()
    events = memoryEventLog()
  }

  const manager = new TokenManager({
    store: tokenStore,
    oauth: { clientID: oauth.clientID, clientSecret: oauth.clientSecret, tokenURL: oauth.tokenURL, revokeURL: oauth.revokeURL },
    apiURL: oauth.apiURL,
  })

  // The port decides the base URL (and so the OAuth callback), so listen first, then mount.
  const { default: http } = await import('node:http')
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined
  const server = http.createServer((req, res) => handler!(req, res))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const listenURL = `http://localhost:${port}`
  const baseURL = config.baseURL ?? listenURL
  sandbox?.addRedirectUri(`${baseURL}/auth/lexoffice/callback`)

  // Webhooks: lexoffice removes a connection's subscriptions with the connection, so they are
  // (re)created after every connect, in the background. lexoffice only calls https URLs; the
  // sandbox also calls http on loopback.
  const webhookURL = `${baseURL}/webhooks/lexoffice`
  let subscriptions: AutoSubscription | undefined
  if (sandbox || baseURL.startsWith('https:')) {
    const auto = autoSubscribe({
      manager,
      subscriptions: WEBHOOK_EVENT_TYPES.map((eventType) => ({ eventType, callbackUrl: webhookURL })),
      createClient: (provider, key) => createLexofficeClient(provider, { apiURL: oauth.apiURL, connectionKey: key }),
      onError: (err, { stage, subscription }) =>
        console.error(
          `webhook subscriptions: ${stage} failed${subscription ? ` (${subscription.eventType})` : ''}:`,
          isLexofficeError(err) ? err.code : err instanceof Error ? err.message : err,
        ),
    })
    closers.push(async () => {
      auto()
      await auto.idle()
    })
    subscriptions = auto
  }

  const app = createApp({
    baseURL,
    sessionSecret: config.sessionSecret,
    ...(sessionStore ? { sessionStore } : {}),
    manager,
    oauth,
    scope: config.scope,
    pendingLoginTtlMs: config.pendingLoginTtlMs,
    ...(sandbox ? { sandbox, webhookPublicKey: sandbox.webhookPublicKey } : {}),
    webhookURL,
    events,
    ...(webhookDedupe ? { webhookDedupe } : {}),
    backendLabel,
  })
  handler = app

  return {
    server,
    baseURL,
    listenURL,
    backendLabel,
    sandbox,
    manager,
    tokenStore,
    events,
    subscriptions,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      for (const close of closers.reverse()) await close().catch(() => undefined)
    },
  }
}

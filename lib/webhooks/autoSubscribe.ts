import { LexofficeError } from '../errors'
import { assertFunction, assertKnownKeys, assertObject, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import type { ConnectionTokenProvider } from '../tokens/ConnectionTokenProvider'
import type { ConnectedEvent } from '../tokens/events'
import {
  ensureSubscriptions,
  normalizeWantedSubscriptions,
  type EnsureSubscriptionsClient,
  type EnsureSubscriptionsResult,
  type WantedSubscription,
} from './ensureSubscriptions'

/**
 * Re-creating a connection's webhooks after every (re)connect.
 *
 * @packageDocumentation
 */

/**
 * The connection a run is about (from the manager's `connected` event). No token.
 *
 * @example
 * ```ts
 * const onResult = (result: EnsureSubscriptionsResult, { key, connectionId }: AutoSubscribeInfo) => log.info({ key, connectionId }, 'webhooks ensured')
 * ```
 */
export interface AutoSubscribeInfo {
  /** The token-store key passed to `manager.connect`. */
  key: string
  connectionId: string | undefined
  organizationId: string | undefined
}

/**
 * Where an error reported to `onError` happened.
 *
 * - `subscriptions`: your `subscriptions` function threw or returned something invalid.
 * - `createClient`: your `createClient` threw.
 * - `list`: listing the subscriptions failed; nothing was created.
 * - `create`: one subscription could not be created (`subscription` says which).
 * - `onResult`: your `onResult` threw or rejected.
 *
 * @example
 * ```ts
 * const onError = (err: unknown, { stage }: AutoSubscribeErrorInfo) => stage === 'create' && metrics.increment('webhook.create_failed')
 * ```
 */
export type AutoSubscribeStage = 'subscriptions' | 'createClient' | 'list' | 'create' | 'onResult'

/**
 * Second argument of `onError`.
 *
 * @example
 * ```ts
 * const onError = (err: unknown, info: AutoSubscribeErrorInfo) => log.warn({ err, key: info.key, stage: info.stage, eventType: info.subscription?.eventType })
 * ```
 */
export interface AutoSubscribeErrorInfo extends AutoSubscribeInfo {
  stage: AutoSubscribeStage
  /** The subscription that failed (stage `create`). */
  subscription: WantedSubscription | undefined
}

/**
 * The part of a `TokenManager` that {@link autoSubscribe} uses.
 *
 * @example
 * ```ts
 * const manager: AutoSubscribeManager = new TokenManager({ store, oauth })
 * ```
 */
export interface AutoSubscribeManager {
  on(event: 'connected', listener: (event: ConnectedEvent) => void): unknown
  off(event: 'connected', listener: (event: ConnectedEvent) => void): unknown
  providerFor(key: string): ConnectionTokenProvider
}

/**
 * Options of {@link autoSubscribe}.
 *
 * @example
 * ```ts
 * const options: AutoSubscribeOptions = {
 *   manager,
 *   subscriptions: [{ eventType: 'token.revoked', callbackUrl: 'https://app.example/webhooks/lexoffice' }],
 *   createClient: (provider) => createLexofficeClient(provider),
 * }
 * ```
 */
export interface AutoSubscribeOptions {
  /** The token manager whose `connected` event starts a run. */
  manager: AutoSubscribeManager
  /** The wanted subscriptions, the same for every connection or computed per connection. */
  subscriptions:
    | readonly WantedSubscription[]
    | ((key: string, info: AutoSubscribeInfo) => readonly WantedSubscription[] | Promise<readonly WantedSubscription[]>)
  /** Builds the API client for a connection, e.g. `(provider, key) => createLexofficeClient(provider, { connectionKey: key })`. */
  createClient: (provider: ConnectionTokenProvider, key: string) => EnsureSubscriptionsClient
  /** Called after each run whose listing succeeded (also when some creates failed). */
  onResult?: (result: EnsureSubscriptionsResult, info: AutoSubscribeInfo) => unknown
  /**
   * Called for each failure, see {@link AutoSubscribeStage}; a connection that ended during a run
   * (its creates all fail with the same `NOT_CONNECTED` or `AUTH_LOST`) once. Default: one `console.error` line
   * (stage, error name, code and message; no key, no token). Its own errors are swallowed.
   */
  onError?: (err: unknown, info: AutoSubscribeErrorInfo) => unknown
}

/**
 * What {@link autoSubscribe} returns: call it to stop listening (runs in progress finish).
 *
 * @example
 * ```ts
 * const stop: AutoSubscription = autoSubscribe(options)
 * await stop.idle()
 * stop()
 * ```
 */
export interface AutoSubscription {
  /** Stops listening to `connected`. */
  (): void
  /** Resolves when no run is in progress (for tests and graceful shutdown). Never rejects. */
  idle(): Promise<void>
}

const OPTION_KEYS = optionKeys<AutoSubscribeOptions>()(['manager', 'subscriptions', 'createClient', 'onResult', 'onError'])

/**
 * Keeps webhooks registered: after every successful `manager.connect(...)` (the first login and
 * every reconnect after an auth loss), runs {@link ensureSubscriptions} for that connection.
 * lexoffice removes a connection's subscriptions together with the connection, so this is what
 * brings `token.revoked` and your other webhooks back after the user connects again.
 *
 * Never blocks the login (the run starts after `connect` stored the tokens, in the background)
 * and never throws or rejects into your app: failures go to `onError`. Runs for the same key are
 * serialised; different keys run in parallel.
 *
 * @param options - See {@link AutoSubscribeOptions}.
 * @returns A function that stops listening, with `idle()`.
 * @throws TypeError for bad options (checked once, here), including invalid static `subscriptions`.
 * @example
 * ```ts
 * import { autoSubscribe, createLexofficeClient, lexofficeWebhooks } from 'passport-lexoffice'
 *
 * const callbackUrl = 'https://app.example/webhooks/lexoffice'
 * app.use('/webhooks/lexoffice', lexofficeWebhooks({
 *   onTokenRevoked: ({ connectionId }) => manager.markLost(connectionId, 'token.revoked'),
 *   onEvent: (event) => jobs.add(event),
 * }))
 * const stop = autoSubscribe({
 *   manager,
 *   subscriptions: [
 *     { eventType: 'token.revoked', callbackUrl },
 *     { eventType: 'invoice.status.changed', callbackUrl },
 *   ],
 *   createClient: (provider, key) => createLexofficeClient(provider, { connectionKey: key }),
 *   onError: (err, { stage, key }) => log.warn({ err, stage, key }, 'lexoffice webhooks not (all) registered'),
 * })
 * process.on('SIGTERM', stop)
 * ```
 */
export function autoSubscribe(options: AutoSubscribeOptions): AutoSubscription {
  assertObject(options, 'options')
  assertKnownKeys(options, OPTION_KEYS, 'autoSubscribe')
  const { manager, subscriptions, createClient, onResult, onError } = options
  if (
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
    manager === null ||
    typeof manager !== 'object' ||
    typeof manager.on !== 'function' ||
    typeof manager.off !== 'function' ||
    typeof manager.providerFor !== 'function'
  ) {
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"manager" must be a TokenManager')
  }
  if (typeof subscriptions !== 'function') {
    // A typo in a static list fails at start-up, not on the first login.
    if (!Array.isArray(subscriptions)) throw invalidArg('ERR_INVALID_ARG_TYPE', '"subscriptions" must be an array or a function')
    normalizeWantedSubscriptions(subscriptions)
  }
  assertFunction(createClient, 'createClient')
  if (onResult !== undefined) assertFunction(onResult, 'onResult')
  if (onError !== undefined) assertFunction(onError, 'onError')

  const runs = new Map<string, Promise<void>>()

  const report = async (err: unknown, info: AutoSubscribeErrorInfo): Promise<void> => {
    if (onError) {
      try {
        await onError(err, info)
      } catch {
        // nowhere left to report to
      }
      return
    }
    console.error(
      `passport-lexoffice autoSubscribe: ${info.stage} failed${info.subscription ? ` (${info.subscription.eventType})` : ''}: ${describe(err)}`,
    )
  }

  const run = async (info: AutoSubscribeInfo): Promise<void> => {
    const base = { ...info, subscription: undefined }
    let wanted: readonly WantedSubscription[]
    try {
      wanted = typeof subscriptions === 'function' ? await subscriptions(info.key, { ...info }) : subscriptions
    } catch (err) {
      return report(err, { ...base, stage: 'subscriptions' })
    }
    let client: EnsureSubscriptionsClient
    try {
      client = createClient(manager.providerFor(info.key), info.key)
    } catch (err) {
      return report(err, { ...base, stage: 'createClient' })
    }
    let result: EnsureSubscriptionsResult
    try {
      result = await ensureSubscriptions(client, wanted)
    } catch (err) {
      return report(err, { ...base, stage: err instanceof LexofficeError ? 'list' : 'subscriptions' })
    }
    // A connection that ended during the run (disconnected, revoked) fails every remaining create
    // with the same error: one report, not one per subscription.
    const reported = new Set<unknown>()
    for (const failed of result.failed) {
      if (reported.has(failed.error)) continue
      reported.add(failed.error)
      await report(failed.error, {
        ...base,
        stage: 'create',
        subscription: { eventType: failed.eventType, callbackUrl: failed.callbackUrl },
      })
    }
    if (onResult) {
      try {
        await onResult(result, { ...info })
      } catch (err) {
        await report(err, { ...base, stage: 'onResult' })
      }
    }
  }

  const listener = (event: ConnectedEvent): void => {
    const info: AutoSubscribeInfo = { key: event.key, connectionId: event.connectionId, organizationId: event.organizationId }
    const previous = runs.get(info.key) ?? Promise.resolve()
    // setImmediate: start after `connect` has returned to its caller (the login goes on meanwhile).
    const next = previous
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => run(info))
      .catch(() => undefined)
    runs.set(info.key, next)
    void next.then(() => {
      if (runs.get(info.key) === next) runs.delete(info.key)
    })
  }
  manager.on('connected', listener)

  const stop = (() => {
    manager.off('connected', listener)
  }) as AutoSubscription
  stop.idle = async () => {
    while (runs.size > 0) await Promise.all([...runs.values()])
  }
  return stop
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return `${err.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${err.message}`
  }
  return typeof err
}

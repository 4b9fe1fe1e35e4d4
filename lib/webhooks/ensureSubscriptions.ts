import type { EventSubscription, NewEventSubscription } from '../client/types/eventSubscriptions'
import type { ActionResult } from '../client/types/common'
import { ErrorCodes, LexofficeApiError, LexofficeError, isLexofficeError } from '../errors'
import { invalidArg } from '../options/assert'
import { isLexofficeEventType, type LexofficeEventType } from './events'

/**
 * Making sure a connection's event subscriptions (webhooks) exist.
 *
 * @packageDocumentation
 */

/**
 * One subscription you want: an event type and your callback URL (https at lexoffice).
 *
 * @example
 * ```ts
 * const wanted: WantedSubscription = { eventType: 'token.revoked', callbackUrl: 'https://app.example/webhooks/lexoffice' }
 * ```
 */
export interface WantedSubscription {
  eventType: LexofficeEventType
  callbackUrl: string
}

/**
 * A wanted subscription that exists (found, or created now).
 *
 * @example
 * ```ts
 * const ids = result.created.map((s: EnsuredSubscription) => s.subscriptionId)
 * ```
 */
export interface EnsuredSubscription extends WantedSubscription {
  /** lexoffice's id; `undefined` only when lexoffice answered 409 and a second listing failed. */
  subscriptionId: string | undefined
}

/**
 * A wanted subscription that could not be created, with the typed error (no token in it).
 *
 * @example
 * ```ts
 * for (const f of result.failed) log.warn({ eventType: f.eventType, code: f.error.code }, 'webhook not registered')
 * ```
 */
export interface FailedSubscription extends WantedSubscription {
  /** e.g. `API_VALIDATION` (406: callback URL not https / certificate check failed), `API_SERVER_ERROR`, `TIMEOUT`, `AUTH_LOST`. */
  error: LexofficeError
}

/**
 * What {@link ensureSubscriptions} did, each list in the order of `wanted`.
 *
 * @example
 * ```ts
 * const { created, existing, failed } = await ensureSubscriptions(client, wanted)
 * ```
 */
export interface EnsureSubscriptionsResult {
  /** Created by this call. */
  created: EnsuredSubscription[]
  /** Already there (listed, or lexoffice answered 409 to the create). */
  existing: EnsuredSubscription[]
  /** Could not be created. */
  failed: FailedSubscription[]
}

/**
 * The part of a `LexofficeClient` that {@link ensureSubscriptions} uses.
 *
 * @example
 * ```ts
 * const client: EnsureSubscriptionsClient = createLexofficeClient(manager.providerFor(key))
 * ```
 */
export interface EnsureSubscriptionsClient {
  eventSubscriptions: {
    list(): Promise<EventSubscription[]>
    create(subscription: NewEventSubscription): Promise<ActionResult>
  }
}

/**
 * Makes sure the wanted event subscriptions exist for the client's connection: lists them once,
 * then creates each missing one (one at a time, so the client's rate limit applies). Idempotent:
 * a second run creates nothing. A 409 from lexoffice (created meanwhile, e.g. by another process)
 * counts as existing. Duplicates in `wanted` are handled once. Callback URLs are compared as
 * exact strings. Subscriptions that are not wanted are left alone.
 *
 * Run it after every (re)connect: lexoffice removes a connection's subscriptions with it
 * (see {@link autoSubscribe}).
 *
 * @param client - A `LexofficeClient` for the connection (its token decides whose subscriptions these are).
 * @param wanted - Event type and callback URL pairs.
 * @returns What was created, what existed, what failed (with a typed error each).
 * @throws TypeError for a bad `wanted` (unknown event type, callback URL not an http(s) URL).
 * @throws LexofficeError when the listing fails (e.g. `AUTH_LOST`, `API_UNAUTHORIZED`, `TIMEOUT`):
 *   nothing was created then. Errors that are not `LexofficeError`s are wrapped (`API_ERROR`, original as `cause`).
 * @example
 * ```ts
 * import { createLexofficeClient, ensureSubscriptions } from 'passport-lexoffice'
 *
 * const client = createLexofficeClient(manager.providerFor(userId))
 * const result = await ensureSubscriptions(client, [
 *   { eventType: 'token.revoked', callbackUrl: 'https://app.example/webhooks/lexoffice' },
 *   { eventType: 'invoice.status.changed', callbackUrl: 'https://app.example/webhooks/lexoffice' },
 * ])
 * if (result.failed.length > 0) console.warn('webhooks missing:', result.failed.map((f) => `${f.eventType}: ${f.error.code}`))
 * ```
 */
export async function ensureSubscriptions(
  client: EnsureSubscriptionsClient,
  wanted: readonly WantedSubscription[],
): Promise<EnsureSubscriptionsResult> {
  const subscriptionsApi = (client as Partial<EnsureSubscriptionsClient> | null)?.eventSubscriptions
  if (typeof subscriptionsApi?.list !== 'function' || typeof subscriptionsApi.create !== 'function') {
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"client" must be a LexofficeClient (with eventSubscriptions.list/create)')
  }
  const unique = normalizeWantedSubscriptions(wanted)
  const result: EnsureSubscriptionsResult = { created: [], existing: [], failed: [] }
  if (unique.length === 0) return result

  let present: EventSubscription[]
  try {
    present = await subscriptionsApi.list()
  } catch (err) {
    throw typed(err, 'Listing the lexoffice event subscriptions failed.')
  }
  const conflicts: EnsuredSubscription[] = []
  let fatal: LexofficeError | undefined
  for (const want of unique) {
    const found = present.find((s) => s.eventType === want.eventType && s.callbackUrl === want.callbackUrl)
    if (found) {
      result.existing.push({ ...want, subscriptionId: found.subscriptionId })
      continue
    }
    if (fatal) {
      result.failed.push({ ...want, error: fatal })
      continue
    }
    try {
      const created = await subscriptionsApi.create({ eventType: want.eventType, callbackUrl: want.callbackUrl })
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
      result.created.push({ ...want, subscriptionId: typeof created?.id === 'string' ? created.id : undefined })
    } catch (err) {
      if (err instanceof LexofficeApiError && err.upstreamStatus === 409) {
        const entry: EnsuredSubscription = { ...want, subscriptionId: undefined }
        conflicts.push(entry)
        result.existing.push(entry)
        continue
      }
      const error = typed(err, `Creating the lexoffice event subscription for ${want.eventType} failed.`)
      // The connection is gone: every further request would fail the same way.
      if (isLexofficeError(error, 'AUTH_LOST') || isLexofficeError(error, 'NOT_CONNECTED')) fatal = error
      result.failed.push({ ...want, error })
    }
  }
  if (conflicts.length > 0) {
    try {
      const again = await subscriptionsApi.list()
      for (const entry of conflicts) {
        entry.subscriptionId = again.find((s) => s.eventType === entry.eventType && s.callbackUrl === entry.callbackUrl)?.subscriptionId
      }
    } catch {
      // The ids stay unknown; the subscriptions exist either way.
    }
  }
  return result
}

/**
 * Checks `wanted` (TypeError naming the bad entry) and drops duplicates.
 *
 * @internal
 */
export function normalizeWantedSubscriptions(wanted: readonly WantedSubscription[]): WantedSubscription[] {
  if (!Array.isArray(wanted)) throw invalidArg('ERR_INVALID_ARG_TYPE', '"wanted" must be an array of { eventType, callbackUrl }')
  const seen = new Set<string>()
  const unique: WantedSubscription[] = []
  wanted.forEach((w: unknown, i) => {
    if (w === null || typeof w !== 'object')
      throw invalidArg('ERR_INVALID_ARG_TYPE', `"wanted[${i}]" must be an object { eventType, callbackUrl }`)
    const { eventType, callbackUrl } = w as Record<string, unknown>
    if (!isLexofficeEventType(eventType))
      throw invalidArg('ERR_INVALID_ARG_VALUE', `"wanted[${i}].eventType" is not a lexoffice event type`)
    if (typeof callbackUrl !== 'string' || !isHttpUrl(callbackUrl)) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `"wanted[${i}].callbackUrl" must be an absolute https (or http) URL`)
    }
    const id = `${eventType}\n${callbackUrl}`
    if (seen.has(id)) return
    seen.add(id)
    unique.push({ eventType, callbackUrl })
  })
  return unique
}

function isHttpUrl(value: string): boolean {
  if (value.length > 2048) return false
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/** A {@link LexofficeError} as is; anything else wrapped, its message not repeated (it could hold anything). */
function typed(err: unknown, message: string): LexofficeError {
  if (err instanceof LexofficeError) return err
  return new LexofficeError(ErrorCodes.API_ERROR, message, { cause: err, status: 502 })
}

/**
 * The public types of `lexofficeWebhooks`: its options, the handler type, and what the
 * callbacks receive.
 */
import type { KeyLike } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ErrorCodes, LexofficeError } from '../errors'
import type { WebhookDedupeStore } from './dedupe/WebhookDedupeStore'
import type { LexofficeEvent, LexofficeKnownEvent } from './events'

/**
 * What your handlers get besides the event.
 *
 * @example
 * ```ts
 * import type { LexofficeEventContext } from 'passport-lexoffice'
 * const onEvent = (event: LexofficeEvent, { connection }: LexofficeEventContext<string>) => sync(connection, event)
 * ```
 */
export interface LexofficeEventContext<TConnection> {
  /** What `resolveConnection` returned for this event; `undefined` when there is no `resolveConnection`. */
  readonly connection: TConnection | undefined
}

/**
 * Argument of `onTokenRevoked`: the user revoked this app's access in lexoffice, the refresh
 * token is dead. Mark the connection lost; the user must connect again.
 *
 * @example
 * ```ts
 * import type { LexofficeTokenRevocation } from 'passport-lexoffice'
 * const onTokenRevoked = ({ connectionId }: LexofficeTokenRevocation) => store.markRevoked(connectionId)
 * ```
 */
export interface LexofficeTokenRevocation<TConnection = unknown> {
  /** The revoked connection (`connectionId` of `/v1/profile`); lexoffice sends it as `resourceId`. */
  readonly connectionId: string
  /** The organisation the connection belonged to. */
  readonly organizationId: string
  /** What `resolveConnection` returned for this event; `undefined` when there is no `resolveConnection`. */
  readonly connection: TConnection | undefined
  /** The whole event. */
  readonly event: LexofficeKnownEvent<'token.revoked'>
}

/**
 * Where a failure reported to `onError` happened.
 *
 * - `configuration`: the request body was consumed by a body parser and no raw copy exists (answered 500).
 * - `resolveConnection`, `onTokenRevoked`, `onEvent`, `onUnknownOrganization`: that callback threw or rejected
 *   (the request was already answered 2xx).
 * - `dedupe`: the dedupe store failed (e.g. Redis is down; the error is a `LexofficeError` with
 *   code `STORE_UNAVAILABLE`). On `claim` the event was handled anyway, without the duplicate
 *   check; on `release` the claim stays until its TTL ends.
 * - `internal`: a bug in this package (answered 500 if nothing was sent yet). Please report it.
 *
 * @example
 * ```ts
 * import type { LexofficeWebhookStage } from 'passport-lexoffice'
 * const critical: LexofficeWebhookStage[] = ['configuration', 'onTokenRevoked', 'dedupe']
 * ```
 */
export type LexofficeWebhookStage =
  'configuration' | 'resolveConnection' | 'onTokenRevoked' | 'onEvent' | 'onUnknownOrganization' | 'dedupe' | 'internal'

/**
 * Second argument of `onError`.
 *
 * @example
 * ```ts
 * import type { LexofficeErrorInfo } from 'passport-lexoffice'
 * const onError = (err: unknown, { stage, event }: LexofficeErrorInfo) => log.error({ err, stage, eventType: event?.eventType })
 * ```
 */
export interface LexofficeWebhookErrorInfo {
  /** Which step failed. */
  readonly stage: LexofficeWebhookStage
  /** The verified event, for the callback stages and `dedupe`; `undefined` for `configuration` and `internal`. */
  readonly event: LexofficeEvent | undefined
}

/**
 * Why a request was refused before any handler ran (argument of `onRejected`).
 *
 * @example
 * ```ts
 * import type { LexofficeWebhookRejection } from 'passport-lexoffice'
 * const onRejected = ({ status, reason }: LexofficeWebhookRejection) => metrics.increment('webhook.rejected', { status, reason })
 * ```
 */
export interface LexofficeWebhookRejection {
  /** The status answered: 400, 401, 405, 413 or 415. */
  readonly status: 400 | 401 | 405 | 413 | 415
  /**
   * Machine-readable reason: an {@link ErrorCodes} webhook code, or `METHOD_NOT_ALLOWED`, `UNSUPPORTED_MEDIA_TYPE`, `BODY_TOO_LARGE`.
   * `WEBHOOK_EVENT_STALE` (400) is a genuinely signed event dated outside the accepted window: a
   * replay of a captured delivery, or a clock of this machine that is off (check NTP).
   */
  readonly reason:
    | typeof ErrorCodes.WEBHOOK_SIGNATURE_MISSING
    | typeof ErrorCodes.WEBHOOK_SIGNATURE_INVALID
    | typeof ErrorCodes.WEBHOOK_PAYLOAD_INVALID
    | typeof ErrorCodes.WEBHOOK_EVENT_STALE
    | 'METHOD_NOT_ALLOWED'
    | 'UNSUPPORTED_MEDIA_TYPE'
    | 'BODY_TOO_LARGE'
  /** The error, for signature, payload and freshness rejections. */
  readonly error: LexofficeError | undefined
}

/**
 * Options of `lexofficeWebhooks`.
 *
 * @example
 * ```ts
 * import type { LexofficeWebhooksOptions } from 'passport-lexoffice'
 * const options: LexofficeWebhooksOptions<string> = {
 *   resolveConnection: (event) => connections.findKey(event),
 *   onEvent: (event, { connection }) => jobs.enqueue(connection, event),
 *   onTokenRevoked: ({ connection }) => manager.markLost(connection!, 'token.revoked'),
 * }
 * ```
 */
export interface LexofficeWebhooksOptions<TConnection = unknown> {
  /**
   * The key that verifies `X-Lxo-Signature` (PEM, DER or `KeyObject`). Defaults to lexoffice's
   * published key shipped with this package ({@link LEXOFFICE_WEBHOOK_PUBLIC_KEY}); set it for
   * tests, the sandbox, or after lexoffice rotates its key.
   */
  publicKey?: KeyLike
  /**
   * Called once per verified event, **after** the request was answered (lexoffice waits only
   * 5 s). Receives every event, `token.revoked` included (after `onTokenRevoked`). Throwing or
   * rejecting goes to `onError`. Must be idempotent: lexoffice may deliver an event more than once.
   */
  onEvent: (event: LexofficeEvent, context: LexofficeEventContext<TConnection>) => unknown
  /** Called for `token.revoked` (before `onEvent`), with `connectionId` = the event's `resourceId`. */
  onTokenRevoked?: (revocation: LexofficeTokenRevocation<TConnection>) => unknown
  /**
   * Finds your connection for an event, e.g. by `organizationId`, or by `resourceId`
   * (= `connectionId`) for `token.revoked`. Returning `undefined` or `null` means "not ours": the event is
   * acknowledged and passed to `onUnknownOrganization` only. Runs after the answer was sent.
   */
  resolveConnection?: (event: LexofficeEvent) => TConnection | null | undefined | Promise<TConnection | null | undefined>
  /** Called instead of the other handlers when `resolveConnection` returned `undefined` or `null`. */
  onUnknownOrganization?: (event: LexofficeEvent) => unknown
  /**
   * Called with errors of your callbacks and of the dedupe store, and with the raw-body misconfiguration. Default: a
   * one-line `console.error` (name, code and message; no stack, no payload). Its own errors are swallowed.
   */
  onError?: (err: unknown, info: LexofficeWebhookErrorInfo) => unknown
  /** Called for each refused request (bad signature, bad payload, wrong method/type, too large). Its errors are swallowed. */
  onRejected?: (rejection: LexofficeWebhookRejection) => unknown
  /** Largest body accepted, in bytes (256 to 10 MiB). Default 64 KiB; a lexoffice event is about 200 bytes. */
  maxBodyBytes?: number
  /**
   * The oldest `eventDate` accepted, as an age in ms (1 minute to 30 days). Default 48 hours:
   * lexoffice retries an unacknowledged delivery for about 40 hours (5 retries within about
   * 5 minutes, then after a 30-minute pause 20 retries 2 hours apart). An older event, even one
   * correctly signed, is refused with 400 (`WEBHOOK_EVENT_STALE`, a status lexoffice does not
   * retry): it is a replay of a captured delivery that no dedupe claim remembers any more.
   */
  maxEventAgeMs?: number
  /**
   * How far in the future an `eventDate` may lie, in ms (0 to 1 hour; default 5 minutes): the
   * clock difference tolerated between lexoffice and this machine. Later events are refused like old ones.
   */
  maxClockSkewMs?: number
  /**
   * Drop repeated deliveries of the same event (same organisation, type, resource and date):
   * - `true` (default): remembered in this process, up to 10,000 events at once (`MemoryWebhookDedupeStore`);
   * - a number: the same, remembering that many events (1 to 1,000,000);
   * - a {@link WebhookDedupeStore}: shared by your processes, e.g. `new RedisWebhookDedupeStore({ client })`
   *   from `passport-lexoffice/redis` (needed as soon as several processes receive webhooks);
   * - `false`: run the handlers for every delivery.
   *
   * The event is claimed after the 204 and before any handler runs. A claim is released (so a
   * later redelivery runs the handlers again) when any of your callbacks threw or rejected; see
   * `lexofficeWebhooks`. If the store fails, the event is handled anyway and `onError` hears
   * of it (stage `dedupe`). Keep handlers idempotent all the same: the check is per event id,
   * not a transaction around your work.
   */
  dedupe?: boolean | number | WebhookDedupeStore
  /**
   * How long a handled event is remembered, in ms (up to 30 days). Default and minimum:
   * `maxEventAgeMs + maxClockSkewMs` (48 hours 5 minutes), so that a claim lasts as long as its
   * event is accepted: a replay is either remembered or refused as stale, never run again.
   */
  dedupeTtlMs?: number
  /** The clock (ms since the epoch) the `eventDate` window is checked against. Default `Date.now`; for tests. Test seam, not an option. @internal */
  now?: () => number
}

/**
 * A request handler for Express 4/5 (or plain `node:http`): `(req, res, next?) => void`.
 *
 * @example
 * ```ts
 * import type { LexofficeWebhookHandler } from 'passport-lexoffice'
 * const handler: LexofficeWebhookHandler = lexofficeWebhooks({ onEvent })
 * http.createServer(handler).listen(0)
 * ```
 */
export type LexofficeWebhookHandler = (
  req: IncomingMessage & { body?: unknown; rawBody?: unknown },
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => void

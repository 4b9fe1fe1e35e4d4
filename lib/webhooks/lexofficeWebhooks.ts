import type { ServerResponse } from 'node:http'
import { invalidArg } from '../options/assert'
import { claimDelivery, releaseDelivery } from './dedupe/claimDelivery'
import type { WebhookDedupeClaim } from './dedupe/WebhookDedupeStore'
import { createEventDispatcher } from './createEventDispatcher'
import { createWebhookReporter } from './createWebhookReporter'
import type { LexofficeEvent } from './events'
import type { LexofficeWebhookHandler, LexofficeWebhookRejection, LexofficeWebhooksOptions } from './LexofficeWebhooksOptions'
import { readLexofficeWebhookRequest } from './readLexofficeWebhookRequest'
import { resolveLexofficeWebhooksOptions } from './resolveLexofficeWebhooksOptions'
import { sendAnswer } from './sendAnswer'

export type {
  LexofficeEventContext,
  LexofficeTokenRevocation,
  LexofficeWebhookErrorInfo,
  LexofficeWebhookHandler,
  LexofficeWebhookRejection,
  LexofficeWebhooksOptions,
  LexofficeWebhookStage,
} from './LexofficeWebhooksOptions'

/**
 * The receiving end of lexoffice event subscriptions, as one request handler. Mount it with
 * `app.use(path, …)` (it answers every method itself):
 *
 * 1. non-POST: 405 (`Allow: POST, HEAD`); HEAD: 200 with no body, because lexoffice sends a HEAD to
 *    the callback URL when you create a subscription (it checks the TLS certificate);
 * 2. `Content-Type` other than `application/json` (UTF-8), or any `Content-Encoding`: 415;
 * 3. missing `X-Lxo-Signature`: 401; malformed (not base64, absurd length): 401;
 * 4. body over `maxBodyBytes`: 413, and reading stops;
 * 5. signature not valid over the **raw** body bytes: 401 (lexoffice retries 401 for up to about 40 hours,
 *    so after a key rotation you can still receive the events once `publicKey` is updated);
 * 6. body not a valid event: 400 (lexoffice does not retry other 4xx);
 * 7. `eventDate` older than `maxEventAgeMs` (48 h) or more than `maxClockSkewMs` (5 min) in the
 *    future: 400 `WEBHOOK_EVENT_STALE`, so that a captured delivery cannot be replayed once its
 *    dedupe claim has ended;
 * 8. otherwise 204 at once; then the event is claimed in the `dedupe` store (a repeated delivery
 *    stops here), and then `resolveConnection`, `onUnknownOrganization` or (`onTokenRevoked` and)
 *    `onEvent` run. Their errors go to `onError`, never to the process.
 *
 * No handler runs for a refused request (steps 1 to 7); `onRejected` hears about them.
 *
 * **Mounting.** Use `app.use(path, handler)`. Mounted with `app.post(path, handler)`, HEAD
 * requests never reach the handler (Express answers them 404); the handler then reports this once
 * to `onError` (stage `configuration`, code `ERR_LEXOFFICE_WEBHOOK_MOUNTED_FOR_POST_ONLY`).
 *
 * **Raw body.** The signature covers the exact bytes, so the handler must see them:
 * - mount it before any JSON body parser (it reads the stream itself), or
 * - keep the app-wide `express.json({ verify: lexofficeRawBody() })` (see {@link lexofficeRawBody}), or
 * - put `express.raw({ type: 'application/json' })` in front of it.
 * If a parser consumed the body and no raw copy exists, the request is answered 500 (lexoffice
 * retries 5xx, so no event is lost once you fix it) and `onError` gets an error with code
 * `ERR_LEXOFFICE_RAW_BODY_UNAVAILABLE` (without `onError`, one `console.error` per handler).
 *
 * **Repeated deliveries.** lexoffice repeats a delivery it did not see acknowledged with a 2xx
 * within 5 s (a slow or lost answer, a restart, a 5xx from a proxy), for about 40 hours, and the
 * repeat may reach another process. So after the 204 and before any handler, the event is
 * claimed for `dedupeTtlMs` (default: as long as the event is accepted, 48 h 5 min) in the `dedupe` store, under an id made of its four
 * fields (lexoffice sends no event id; see `WebhookDedupeStore`); a delivery of a claimed
 * event runs nothing. The default store only sees this process: with several processes behind
 * a load balancer, pass one shared store, e.g. `RedisWebhookDedupeStore` (`passport-lexoffice/redis`).
 *
 * - *A callback failed:* the claim is released, so a later repeat runs the handlers again.
 *   The 204 went out before the handlers ran, so lexoffice never repeats a delivery *because*
 *   a handler failed; a repeat comes only when lexoffice missed the 204 for other reasons. Such a
 *   repeat is then the only second chance the failed event gets, and keeping the claim would
 *   drop it. This applies when *any* callback failed, not only all: the claim means "handled",
 *   and handlers must be idempotent anyway, so re-running the part that worked is harmless
 *   while losing the part that failed is not. (A repeat that arrives while the first attempt
 *   still runs is dropped.) Releasing does not ask lexoffice to send anything again: work that
 *   must not be lost belongs in a durable job queue that `onEvent` feeds.
 * - *The store failed* (e.g. Redis is down): the handlers run anyway, without the duplicate
 *   check, and `onError` gets a `LexofficeError` with code `STORE_UNAVAILABLE` (stage
 *   `dedupe`, no secret in it). Lexoffice already has its 204 and will not retry, so dropping
 *   the event would lose it silently; running it at worst runs it twice.
 *
 * Keep handlers idempotent all the same, which is natural since events carry only ids: fetch the
 * resource and reconcile.
 *
 * @param options - See {@link LexofficeWebhooksOptions}.
 * @returns The request handler.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for bad options, e.g. a
 *   `publicKey` that is not an RSA key, a `dedupe` value that is no store, or an unknown option name.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { lexofficeWebhooks } from 'passport-lexoffice'
 * import { RedisWebhookDedupeStore } from 'passport-lexoffice/redis'
 *
 * const app = express()
 * app.use(
 *   '/hooks/lexoffice', // before express.json(), or use lexofficeRawBody()
 *   lexofficeWebhooks({
 *     resolveConnection: (event) =>
 *       event.eventType === 'token.revoked' ? db.userByConnectionId(event.resourceId) : db.userByOrganization(event.organizationId),
 *     onTokenRevoked: ({ connection }) => manager.markLost(connection!.id, 'token.revoked'),
 *     onEvent: async (event, { connection }) => {
 *       if (event.known && event.eventType === 'invoice.status.changed') await jobs.add('sync-invoice', { user: connection!.id, id: event.resourceId })
 *     },
 *     onUnknownOrganization: (event) => log.warn('lexoffice event for an unknown organisation', event.organizationId),
 *     onError: (err, { stage }) => log.error({ err, stage }, 'lexoffice webhook handler failed'),
 *     dedupe: new RedisWebhookDedupeStore({ client: redis }), // shared by every process
 *   }),
 * )
 * app.use(express.json())
 * ```
 */
export function lexofficeWebhooks<TConnection = unknown>(options: LexofficeWebhooksOptions<TConnection>): LexofficeWebhookHandler {
  const resolved = resolveLexofficeWebhooksOptions(options)
  const { onRejected, dedupe } = resolved
  const report = createWebhookReporter(resolved.onError)
  const dispatch = createEventDispatcher(resolved, report)

  const reject = (res: ServerResponse, rejection: LexofficeWebhookRejection, message: string, headers: Record<string, string>): void => {
    sendAnswer(res, rejection.status, message, headers)
    if (onRejected) {
      try {
        Promise.resolve(onRejected(rejection)).catch(() => undefined)
      } catch {
        // ignored, as documented
      }
    }
  }

  /** Claim, run the callbacks, release the claim when one failed. Runs after the 204. */
  const handleEvent = async (event: LexofficeEvent): Promise<void> => {
    const reportDedupe = (err: unknown): Promise<void> => report(err, { stage: 'dedupe', event })
    let claim: WebhookDedupeClaim | undefined
    if (dedupe) {
      const outcome = await claimDelivery(dedupe.store, dedupe.ttlMs, event, reportDedupe)
      if (outcome.duplicate) return
      claim = outcome.claim
    }
    const handled = await dispatch(event)
    if (!handled && claim) await releaseDelivery(claim, reportDedupe)
  }

  const reportInternal = (err: unknown): Promise<void> => report(err, { stage: 'internal', event: undefined }).catch(() => undefined)
  let mountChecked = false

  return function lexofficeWebhookHandler(req, res) {
    if (!mountChecked) {
      mountChecked = true
      if (mountedForPostOnly(req))
        void report(mountedForPostOnlyError(), { stage: 'configuration', event: undefined }).catch(() => undefined)
    }
    readLexofficeWebhookRequest(req, resolved.key, resolved.maxBodyBytes, resolved.freshness)
      .then(async (outcome) => {
        switch (outcome.kind) {
          case 'head': {
            sendAnswer(res, 200, '')
            return
          }
          case 'rejected': {
            reject(res, outcome.rejection, outcome.message, outcome.headers)
            return
          }
          case 'consumed':
            sendAnswer(res, 500, 'Internal Server Error')
            return report(outcome.error, { stage: 'configuration', event: undefined })
          case 'aborted': {
            // The client went away or the stream failed: nobody is left to answer.
            sendAnswer(res, 400, 'Bad Request', { Connection: 'close' })
            return
          }
          case 'event':
            // Acknowledge first: lexoffice gives up after 5 s and retries. Everything else runs afterwards.
            sendAnswer(res, 204, '')
            setImmediate(() => {
              handleEvent(outcome.event).catch(reportInternal)
            })
            return
        }
      })
      .catch(async (err: unknown) => {
        // Only reachable through a bug in this package; answer and report instead of crashing.
        if (!res.headersSent) sendAnswer(res, 500, 'Internal Server Error')
        await reportInternal(err)
      })
  }
}

/** Error code of the `app.post(path, handler)` mounting reported to `onError` (stage `configuration`). @internal */
export const MOUNTED_FOR_POST_ONLY = 'ERR_LEXOFFICE_WEBHOOK_MOUNTED_FOR_POST_ONLY'

/**
 * Whether Express dispatched this request through a route that answers POST but not HEAD
 * (`app.post(path, handler)`): lexoffice's HEAD check of the callback URL then never reaches the
 * handler and gets Express's 404.
 */
function mountedForPostOnly(req: object): boolean {
  const methods = (req as { route?: { methods?: Record<string, boolean | undefined> } }).route?.methods
  return methods !== undefined && methods.head !== true && methods.get !== true && methods._all !== true
}

function mountedForPostOnlyError(): TypeError {
  const err = invalidArg(
    'ERR_INVALID_ARG_VALUE',
    'lexofficeWebhooks is mounted with app.post(): lexoffice checks the callback URL with HEAD, which then gets 404. ' +
      'Mount it with app.use(path, handler): it answers HEAD with 200 and other methods with 405 itself.',
  )
  ;(err as Error & { code: string }).code = MOUNTED_FOR_POST_ONLY
  return err
}

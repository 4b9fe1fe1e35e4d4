/** Webhook events: the receiver lexoffice posts to, and the pages that list what was received. */
import { type Request, Router } from 'express'
import { type LexofficeEvent, type LexofficeWebhookHandler, isLexofficeError, lexofficeWebhooks } from 'passport-lexoffice'
import type { AppDependencies } from './AppDependencies'
import { userOf } from './AppUser'
import type { ReceivedEvent } from './eventLog'
import { client, signedIn } from './routeGuards'

/**
 * The handler for /webhooks/lexoffice: verifies and logs events, marks a connection lost on
 * token.revoked, answers lexoffice's HEAD check. It reads the raw body itself, so it must be
 * mounted (with app.use) before any body parser.
 */
export function webhookReceiver(
  deps: Pick<AppDependencies, 'webhookPublicKey' | 'webhookDedupe' | 'events' | 'manager'>,
): LexofficeWebhookHandler {
  return lexofficeWebhooks({
    ...(deps.webhookPublicKey ? { publicKey: deps.webhookPublicKey } : {}),
    ...(deps.webhookDedupe ? { dedupe: deps.webhookDedupe } : {}),
    onEvent: (event: LexofficeEvent) =>
      deps.events.add({
        receivedAt: new Date().toISOString(),
        eventType: event.eventType,
        resourceId: event.resourceId,
        organizationId: event.organizationId,
      }),
    onTokenRevoked: ({ connectionId }) => deps.manager.markLost(connectionId, 'token.revoked'),
    onError: (err) => console.error('webhook handler failed:', isLexofficeError(err) ? err.code : err),
    // A signed event refused for its date is a replay, or this machine's clock is off (NTP).
    onRejected: ({ reason, error }) => {
      if (reason === 'WEBHOOK_EVENT_STALE') console.warn('webhook refused:', error?.message)
    },
  })
}

/** GET /events (the page) and /events.json, for signed-in users. */
export function eventRoutes(deps: Pick<AppDependencies, 'events' | 'webhookURL'>): Router {
  const router = Router()

  router.get('/events', signedIn, async (req, res, next) => {
    try {
      // The connection's subscriptions, as lexoffice lists them; none to list while it is lost.
      const active = (await req.lexoffice!.tokenInfo())?.state === 'active'
      const subscriptions = active
        ? (await client(req).eventSubscriptions.list()).map((s) => ({
            eventType: s.eventType,
            callbackUrl: s.callbackUrl,
            createdDate: s.createdDate,
          }))
        : undefined
      res.render('events', {
        title: 'Webhook events',
        page: 'events',
        events: await eventsOf(req),
        subscriptions,
        webhookURL: deps.webhookURL,
      })
    } catch (err) {
      next(err)
    }
  })
  router.get('/events.json', signedIn, async (req, res, next) => {
    try {
      res.json(await eventsOf(req))
    } catch (err) {
      next(err)
    }
  })

  /** The received events of the signed-in user's organisation only (the app serves several). */
  async function eventsOf(req: Request): Promise<ReceivedEvent[]> {
    const organizationId = userOf(req)?.organizationId
    return (await deps.events.list()).filter((e) => organizationId !== undefined && e.organizationId === organizationId)
  }

  return router
}

/** Webhook events: the receiver lexoffice posts to, and the pages that list what was received. */
import { type Request, Router } from 'express'
import { type LexofficeWebhookHandler, isLexofficeError } from 'passport-lexoffice'
import type { AppDependencies } from './AppDependencies'
import { isDemoUser, userOf } from './AppUser'
import { currentLexoffice } from './connections'
import { renderPage } from './errorPages'
import type { ReceivedEvent } from './eventLog'
import { signedIn } from './signedIn'

/**
 * The handler for /webhooks/lexoffice (mounted with `app.use`, so that lexoffice's HEAD check is
 * answered too): verifies and logs events; the configuration marks a connection lost on
 * `token.revoked` by itself. It reads the raw body, so it is mounted before any body parser.
 */
export function webhookReceiver(
  deps: Pick<AppDependencies, 'lexoffice' | 'webhookPublicKey' | 'webhookDedupe' | 'events'>,
): LexofficeWebhookHandler {
  return deps.lexoffice.webhooks({
    ...(deps.webhookPublicKey !== undefined ? { publicKey: deps.webhookPublicKey } : {}),
    ...(deps.webhookDedupe !== undefined ? { dedupe: deps.webhookDedupe } : {}),
    onEvent: (event) =>
      deps.events.add({
        receivedAt: new Date().toISOString(),
        eventType: event.eventType,
        resourceId: event.resourceId,
        organizationId: event.organizationId,
      }),
    onError: (err) => console.error('webhook handler failed:', isLexofficeError(err) ? err.code : err),
  })
}

/** GET /events (the page) and /events.json (what the page polls), for signed-in users. */
export function eventRoutes(deps: Pick<AppDependencies, 'events' | 'webhookURL'>): Router {
  const router = Router()

  router.get('/events', signedIn, async (req, res, next) => {
    try {
      // The subscriptions of the connection in use, as lexoffice lists them; none while it is lost.
      const current = await currentLexoffice(req)
      const inUse = current.connections.find((c) => c.key === current.key)
      const subscriptions =
        inUse?.state === 'active'
          ? (await current.lexoffice.client.eventSubscriptions.list()).map((s) => ({
              eventType: s.eventType,
              callbackUrl: s.callbackUrl,
              createdAt: Date.parse(s.createdDate),
            }))
          : undefined
      renderPage(res, 200, 'events', {
        title: 'Webhook events',
        page: 'events',
        events: await eventsOf(req),
        connection: inUse === undefined ? undefined : { companyName: inUse.details?.companyName, state: inUse.state },
        subscriptions,
        webhookURL: deps.webhookURL,
      })
    } catch (err) {
      next(err)
    }
  })
  router.get('/events.json', signedIn, async (req, res, next) => {
    try {
      res.setHeader('cache-control', 'no-store')
      res.json(await eventsOf(req))
    } catch (err) {
      next(err)
    }
  })

  /** The received events of the user's own organisations only (the app serves several). */
  async function eventsOf(req: Request): Promise<ReceivedEvent[]> {
    const user = userOf(req)
    const organizations = new Set<string | undefined>(
      isDemoUser(user) ? (await req.lexoffice.connections()).map((c) => c.details?.organizationId) : [user?.organizationId],
    )
    organizations.delete(undefined)
    return (await deps.events.list()).filter((e) => organizations.has(e.organizationId))
  }

  return router
}

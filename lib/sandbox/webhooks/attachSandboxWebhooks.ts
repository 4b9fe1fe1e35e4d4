import { formatLexofficeDate } from '../http'
import type { SandboxState } from '../SandboxState'
import type { ResolvedSandboxWebhookOptions } from './options'
import { SandboxWebhooks } from './SandboxWebhooks'

/**
 * Plugs webhook delivery into a sandbox's state:
 *
 * - every resource change of the API (`sandbox.api.onResourceEvent`) is delivered to the
 *   subscriptions of that organisation and event type (`sandbox.api.subscribersOf`), as they are
 *   at the moment of the change;
 * - every revocation of a connection (`sandbox.revokeConnection`, refresh-token or code reuse,
 *   `POST /oauth2/revoke`) sends `token.revoked` with `resourceId` = the connection id.
 *
 * **Who gets `token.revoked`.** A revoked connection's subscriptions are removed with it
 * (option `api.subscriptionsFollowConnection`), so they are captured just before the removal and
 * the event is delivered to the captured `token.revoked` subscriptions of that connection, which
 * is how the app that lost the connection learns about it. Besides, other connections of the
 * **same client** in the same organisation that subscribed to `token.revoked` get it too (as
 * resource events reach every connection of the organisation); other clients never see another
 * app's connection ids. lexoffice does not document this precisely (UNVERIFIED); this is the
 * sandbox's choice.
 *
 * Hooking the revocation: `SandboxState.revokeConnection` calls `api.connectionRevoked(id)`
 * exactly once per revocation, just before it removes the subscriptions; that method is wrapped
 * on this instance to capture them.
 *
 * @internal
 */
export function attachSandboxWebhooks(state: SandboxState, options: ResolvedSandboxWebhookOptions): SandboxWebhooks {
  const api = state.api
  const webhooks = new SandboxWebhooks(options, api.store, state.now)
  if (!options.enabled) return webhooks

  api.onResourceEvent((event) => {
    webhooks.deliver(event, api.subscribersOf(event.organizationId, event.eventType))
  })

  const connectionRevoked = api.connectionRevoked.bind(api)
  api.connectionRevoked = (connectionId: string) => {
    const atRevocation = api.subscriptions(connectionId).filter((s) => s.eventType === 'token.revoked')
    const removed = connectionRevoked(connectionId)
    try {
      const connection = state.connection(connectionId)
      if (connection !== undefined) {
        const removedIds = new Set(removed.map((s) => s.subscriptionId))
        const own = atRevocation.filter((s) => removedIds.has(s.subscriptionId))
        const stillStored = [
          ...atRevocation.filter((s) => !removedIds.has(s.subscriptionId)),
          ...api
            .subscribersOf(connection.organizationId, 'token.revoked')
            .filter((s) => s.connectionId !== connectionId && state.connection(s.connectionId)?.clientID === connection.clientID),
        ]
        const payload = {
          organizationId: connection.organizationId,
          eventType: 'token.revoked',
          resourceId: connectionId,
          eventDate: formatLexofficeDate(state.now()),
        }
        webhooks.deliver(payload, own, true)
        webhooks.deliver(payload, stillStored, false)
      }
    } catch {
      // Delivery must never break a revocation.
    }
    return removed
  }
  return webhooks
}

/**
 * Step 7 of `lexofficeWebhooks`: running your callbacks for one verified event.
 * @internal
 */
import type { LexofficeEvent, LexofficeKnownEvent } from './events'
import type { WebhookReporter } from './createWebhookReporter'
import type { LexofficeTokenRevocation, LexofficeWebhookStage } from './LexofficeWebhooksOptions'
import type { ResolvedLexofficeWebhooksOptions } from './resolveLexofficeWebhooksOptions'

/**
 * Runs the callbacks for one event; resolves `true` when none of them threw or rejected. Never
 * rejects: each failure goes to `report` with its stage.
 * @internal
 */
export type EventDispatcher = (event: LexofficeEvent) => Promise<boolean>

/**
 * `resolveConnection`; then `onUnknownOrganization` alone when it found nothing; else
 * `onTokenRevoked` (for `token.revoked`) and `onEvent`. A failing `resolveConnection` stops
 * there; a failing `onTokenRevoked` does not keep `onEvent` from running.
 * @internal
 */
export function createEventDispatcher<TConnection>(
  options: ResolvedLexofficeWebhooksOptions<TConnection>,
  report: WebhookReporter,
): EventDispatcher {
  const { onEvent, onTokenRevoked, resolveConnection, onUnknownOrganization } = options

  const run = async (stage: LexofficeWebhookStage, event: LexofficeEvent, fn: () => unknown): Promise<boolean> => {
    try {
      await fn()
      return true
    } catch (err) {
      await report(err, { stage, event })
      return false
    }
  }

  return async (event) => {
    let connection: TConnection | undefined
    if (resolveConnection) {
      try {
        connection = (await resolveConnection(event)) ?? undefined
      } catch (err) {
        await report(err, { stage: 'resolveConnection', event })
        return false
      }
      if (connection === undefined) {
        return onUnknownOrganization ? run('onUnknownOrganization', event, () => onUnknownOrganization(event)) : true
      }
    }
    let handled = true
    if (onTokenRevoked && event.known && event.eventType === 'token.revoked') {
      const revocation: LexofficeTokenRevocation<TConnection> = {
        connectionId: event.resourceId,
        organizationId: event.organizationId,
        connection,
        event: event as LexofficeKnownEvent<'token.revoked'>,
      }
      handled = await run('onTokenRevoked', event, () => onTokenRevoked(revocation))
    }
    return (await run('onEvent', event, () => onEvent(event, { connection }))) && handled
  }
}

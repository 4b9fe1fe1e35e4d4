/**
 * Sandbox only: POST /sandbox/revoke and /sandbox/expire act as lexoffice would, to show what the
 * app does when a connection is revoked or an access token expires early. `organization` names
 * one of a demo user's organisations; without it, the connection in use.
 */
import { type Request, Router } from 'express'
import type { ConnectionStatus, LexofficeRequestContext } from 'passport-lexoffice'
import type { Sandbox } from 'passport-lexoffice/sandbox'
import { isDemoUser, userOf } from './AppUser'
import { currentLexoffice } from './connections'
import { signedIn } from './signedIn'

/** How long a revoke waits for lexoffice's token.revoked webhook to reach the app. */
const WEBHOOK_WAIT_MS = 3000

export function sandboxRoutes(sandbox: Sandbox): Router {
  const router = Router()

  router.post('/sandbox/revoke', signedIn, async (req, res, next) => {
    try {
      const target = await targetOf(req)
      if (!target) {
        nothingToDo(req, res)
        return
      }
      sandbox.revokeConnection(target.connectionId, 'revoked by the user at the sandbox')
      // lexoffice sends token.revoked at once (to a connection subscribed to it); the app answers
      // 204 and then marks the connection lost, on whichever instance got it. The page after the
      // redirect should already know.
      await Promise.race([sandbox.webhooksIdle(), delay(WEBHOOK_WAIT_MS)])
      const hasWebhook = sandbox.webhookDeliveries.some(
        (d) => d.eventType === 'token.revoked' && d.resourceId === target.connectionId && d.outcome === 'delivered',
      )
      const noticed = hasWebhook && (await lostWithin(target.lexoffice, WEBHOOK_WAIT_MS))
      req.session.flash = {
        kind: 'bad',
        text: `${target.name}: the sandbox revoked the connection, as a user can in lexoffice. ${
          noticed
            ? 'Its token.revoked webhook told the app at once.'
            : hasWebhook
              ? 'Its token.revoked webhook has not been processed yet: reload in a moment.'
              : 'The app has no webhook for it, so it finds out at its next API call.'
        }`,
      }
      res.redirect(303, '/')
    } catch (err) {
      next(err)
    }
  })

  router.post('/sandbox/expire', signedIn, async (req, res, next) => {
    try {
      const target = await targetOf(req)
      if (!target) {
        nothingToDo(req, res)
        return
      }
      const before = target.status.refreshCount
      sandbox.expireAccessTokens(target.connectionId)
      // The app only learns from lexoffice's 401: make the next API call now, so that the page shows
      // what it did (one refresh, a new expiry) instead of the expiry of a token that no longer works.
      await target.lexoffice.client.profile.get()
      const after = (await target.lexoffice.tokenInfo())?.refreshCount ?? before
      req.session.flash = {
        kind: 'ok',
        text:
          after > before
            ? `${target.name}: the sandbox expired the access token. The app's next API call got 401, so it refreshed the token once and repeated the call.`
            : `${target.name}: the sandbox expired the access token; the app's next API call succeeded without a refresh.`,
      }
      res.redirect(303, '/')
    } catch (err) {
      next(err)
    }
  })

  return router
}

/** Waits (up to `ms`) until the stored connection is marked lost; `true` when it was. */
async function lostWithin(lexoffice: LexofficeRequestContext, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if ((await lexoffice.tokenInfo())?.state === 'lost') return true
    if (Date.now() >= deadline) return false
    await delay(25)
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

interface Target {
  lexoffice: LexofficeRequestContext
  status: ConnectionStatus
  connectionId: string
  name: string
}

/** The connection a button is about: the demo user's named organisation, else the one in use. */
async function targetOf(req: Request): Promise<Target | undefined> {
  const organization = (req.body as Record<string, unknown> | undefined)?.organization
  const lexoffice =
    isDemoUser(userOf(req)) && typeof organization === 'string' && organization !== ''
      ? req.lexoffice.use(organization)
      : (await currentLexoffice(req)).lexoffice
  const status = await lexoffice.tokenInfo()
  const connectionId = status?.state === 'active' ? status.connectionId : status?.details?.connectionId
  if (status === undefined || connectionId === undefined) return undefined
  return { lexoffice, status, connectionId, name: status.details?.companyName ?? 'lexoffice' }
}

function nothingToDo(req: Request, res: import('express').Response): void {
  req.session.flash = { kind: 'bad', text: 'There is no lexoffice connection to do that to.' }
  res.redirect(303, '/')
}

/**
 * The lexoffice connections a signed-in user has, as the pages show them (state, expiry, refresh
 * bookkeeping; never a token), which one a page works with, and POST /organization, where a user
 * of the own login picks one of their organisations.
 */
import { type Request, Router } from 'express'
import type { ConnectionStatus, LexofficeRequestContext } from 'passport-lexoffice'
import { isDemoUser, userOf } from './AppUser'
import { badRequest } from './errorPages'
import { signedIn } from './signedIn'

/** One connection as the pages show it. */
export interface ConnectionView {
  organizationId: string | undefined
  companyName: string
  /** The lexoffice user who connected it. */
  connectedBy: string | undefined
  connectedAt: number
  state: 'active' | 'lost'
  /** Why a lost connection was lost, in words. */
  reason: string | undefined
  expiresAt: number | undefined
  /** The app's copy says the access token has expired: the next API call refreshes it. */
  expired: boolean
  lastRefreshAt: number | undefined
  refreshCount: number
  scope: string | undefined
  /** The connection the pages work with. */
  inUse: boolean
}

/** The lost-connection reasons the token layer records, in words. */
const REASONS: Record<string, string> = {
  'token.revoked': 'The connection was revoked in lexoffice; lexoffice told this app at once (token.revoked webhook).',
  invalid_grant:
    'lexoffice no longer accepts this connection: it was ended in lexoffice or has expired. The app found out when it renewed the access token.',
  invalid_grant_after_interrupted_refresh: 'lexoffice no longer accepts this connection: a token renewal was interrupted.',
}

export function connectionView(status: ConnectionStatus, inUse: boolean, now: number = Date.now()): ConnectionView {
  const active = status.state === 'active' ? status : undefined
  return {
    organizationId: status.details?.organizationId,
    companyName: status.details?.companyName ?? '(unknown organisation)',
    connectedBy: status.details?.userName,
    connectedAt: status.connectedAt,
    state: status.state,
    reason: status.state === 'lost' ? (REASONS[status.reason] ?? `The connection to lexoffice has ended (${status.reason}).`) : undefined,
    expiresAt: active?.expiresAt,
    expired: active !== undefined && active.expiresAt <= now,
    lastRefreshAt: status.lastRefreshAt,
    refreshCount: status.refreshCount,
    scope: active?.scope,
    inUse,
  }
}

/** What a page works with: the request's lexoffice context, all of the user's connections, and the key in use. */
export interface CurrentLexoffice {
  lexoffice: LexofficeRequestContext
  connections: ConnectionStatus[]
  key: string | undefined
}

/**
 * A lexoffice user's pages use the connection of their sign-in. A user of the own login works
 * with the organisation they picked (while its connection is active), else with the package's
 * default (the one connected last in this session, or their newest active one).
 */
export async function currentLexoffice(req: Request): Promise<CurrentLexoffice> {
  const connections = await req.lexoffice.connections()
  const chosen = req.session.organization
  if (
    isDemoUser(userOf(req)) &&
    chosen !== undefined &&
    connections.some((c) => c.state === 'active' && c.details?.organizationId === chosen)
  ) {
    const lexoffice = req.lexoffice.use(chosen)
    return { lexoffice, connections, key: await lexoffice.key() }
  }
  return { lexoffice: req.lexoffice, connections, key: await req.lexoffice.key() }
}

/** The user's connections as views, the one in use first, then by organisation name. */
export function connectionViews(current: CurrentLexoffice): ConnectionView[] {
  return current.connections
    .map((c) => connectionView(c, c.key === current.key))
    .sort((a, b) => Number(b.inUse) - Number(a.inUse) || a.companyName.localeCompare(b.companyName))
}

/** POST /organization (`organization`, `returnTo`): a user of the own login picks the organisation the pages use. */
export function organizationRoutes(): Router {
  const router = Router()
  router.post('/organization', signedIn, async (req, res, next) => {
    try {
      const body = req.body as Record<string, unknown> | undefined
      const organization = body?.organization
      const connections = isDemoUser(userOf(req)) ? await req.lexoffice.connections() : []
      const known = connections.find((c) => c.details?.organizationId === organization)
      if (typeof organization !== 'string' || known === undefined) {
        badRequest(res, 'Unknown organisation', 'That is not one of your connected organisations.', { href: '/', text: 'Start page' })
        return
      }
      req.session.organization = organization
      req.session.flash = { kind: 'ok', text: `The pages now show ${known.details?.companyName ?? 'that organisation'}.` }
      res.redirect(303, localPath(body?.returnTo) ?? '/')
    } catch (err) {
      next(err)
    }
  })
  return router
}

/** A path on this site to go back to, or `undefined`. */
function localPath(value: unknown): string | undefined {
  return typeof value === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) ? value : undefined
}

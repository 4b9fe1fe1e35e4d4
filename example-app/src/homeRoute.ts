/** The home page: who is signed in and the state of their lexoffice connection. */
import { type Request, Router } from 'express'

/** GET /. */
export function homeRoute(): Router {
  const router = Router()
  router.get('/', async (req, res, next) => {
    try {
      if (req.query.login === 'failed') res.locals.flash = { kind: 'bad', text: 'The lexoffice login did not complete. Please try again.' }
      res.render('home', { title: 'Home', page: 'home', connection: await connectionView(req) })
    } catch (err) {
      next(err)
    }
  })
  return router
}

async function connectionView(req: Request): Promise<Record<string, unknown>> {
  if (!req.user || !req.lexoffice) return { state: 'none' }
  const info = await req.lexoffice.tokenInfo()
  if (!info) return { state: 'missing', reason: 'No lexoffice connection is stored for you (disconnected).' }
  if (info.state === 'lost') return { state: 'lost', reason: `Reason: ${info.reason}.` }
  return {
    state: 'active',
    expiresIn: formatDuration(info.expiresInMs),
    lastRefresh: info.lastRefreshAt ? new Date(info.lastRefreshAt).toLocaleString('en-GB') : 'not yet',
    refreshCount: info.refreshCount,
    scope: info.scope,
  }
}

function formatDuration(ms: number): string {
  if (ms <= 0) return 'expired (refreshes on next use)'
  const s = Math.round(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`
}

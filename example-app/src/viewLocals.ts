import type { Request, RequestHandler } from 'express'
import type { AppDependencies } from './AppDependencies'
import { isDemoUser, userOf } from './AppUser'
import { type TimeFormat, localeOf, timeTag } from './time'

/** Messages named by `?notice=` (after a redirect from the package's routes); never text from the URL. */
const NOTICES: Record<string, { kind: 'ok' | 'bad'; text: string }> = {
  signin: { kind: 'bad', text: 'Please sign in first: with lexoffice, or with the demo login and then connect lexoffice.' },
  disconnected: {
    kind: 'ok',
    text: 'lexoffice was disconnected: the app revoked its access at lexoffice and deleted the tokens. You are still signed in.',
  },
}

/** What every view's layout reads, for pages rendered before {@link viewLocals} ran (early errors). */
export function layoutDefaults(req: Request | undefined): Record<string, unknown> {
  const locale = localeOf(req)
  return {
    user: req?.user,
    demoUser: isDemoUser(userOf(req ?? {})),
    sandbox: false,
    backendLabel: '',
    flash: undefined,
    page: '',
    csrfToken: () => '',
    time: (epochMs: number | undefined, format: TimeFormat) => timeTag(epochMs, format, locale),
  }
}

/** Sets what every view's layout reads (user, backend, sandbox, the one-shot flash message, time formatting). */
export function viewLocals(deps: Pick<AppDependencies, 'sandbox' | 'backendLabel'>): RequestHandler {
  return (req, res, next) => {
    Object.assign(res.locals, layoutDefaults(req))
    res.locals.sandbox = deps.sandbox !== undefined
    res.locals.backendLabel = deps.backendLabel
    const name = req.query.notice
    const notice = typeof name === 'string' && Object.hasOwn(NOTICES, name) ? NOTICES[name] : undefined
    res.locals.flash = req.session.flash ?? notice
    if (req.session.flash) delete req.session.flash
    next()
  }
}

import type { RequestHandler } from 'express'
import type { AppDependencies } from './AppDependencies'

/** Sets what every view's layout reads (user, backend, sandbox, the one-shot flash message). */
export function viewLocals(deps: Pick<AppDependencies, 'sandbox' | 'backendLabel'>): RequestHandler {
  return (req, res, next) => {
    res.locals.user = req.user
    res.locals.sandbox = Boolean(deps.sandbox)
    res.locals.backendLabel = deps.backendLabel
    res.locals.flash = req.session?.flash
    if (req.session?.flash) delete req.session.flash
    res.locals.page = ''
    next()
  }
}

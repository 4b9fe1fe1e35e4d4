import type { IncomingMessage, ServerResponse } from 'node:http'
import { type LexofficeInternals, ownerOf } from '../config/internals'
import './augment'
import type { LexofficeRequestHandler } from './LexofficeRequestHandler'
import { type ProblemContext, answerProblem } from './problemAnswer'

/**
 * A middleware that lets a request through only with a live lexoffice connection, typed
 * structurally for Express 4 and 5.
 *
 * @example
 * ```ts
 * const guard: LexofficeGuard = lexoffice.required()
 * app.get('/contacts', guard, listContacts)
 * ```
 */
export type LexofficeGuard = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void

/**
 * The guard: attaches `req.lexoffice` when no router did, then checks the stored connection (not
 * only the session): connect mode first needs a signed-in owner (unless the app also signs in
 * with lexoffice: then a request without an owner is a sign-in). A missing or lost connection gets
 * the package's answer ({@link answerProblem}); a store outage goes to `next(err)` (503). @internal
 */
export function createGuard(
  config: LexofficeInternals,
  attach: LexofficeRequestHandler,
  context: (connect: boolean) => ProblemContext,
): LexofficeGuard {
  return function lexofficeRequired(req, res, next) {
    const r = req as Express.Request & IncomingMessage
    // Routes that no lexoffice router saw (mounted elsewhere) have no context yet.
    if ((r as { lexoffice?: unknown }).lexoffice === undefined) attach(req, res, () => undefined)
    const ctx = r.lexoffice
    const check = async (): Promise<void> => {
      const owner = config.routing.owner
      // With both kinds of routes in one app, a request without an owner is a sign-in.
      const connect = owner !== undefined && (await ownerOf(owner, r)) !== undefined
      if (owner !== undefined && !connect && !config.routing.signIn) {
        answerProblem(req, res, { kind: 'unauthenticated' }, context(true))
        return
      }
      const key = await ctx.key()
      const info = key === undefined ? undefined : await config.manager.tokenInfo(key)
      if (info === undefined) answerProblem(req, res, { kind: 'not_connected' }, context(connect))
      else if (info.state === 'lost') answerProblem(req, res, { kind: 'auth_lost', reason: info.reason }, context(connect))
      else next()
    }
    check().catch(next)
  }
}

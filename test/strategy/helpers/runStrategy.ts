/**
 * Runs one `authenticate()` of a strategy the way passport does (on `Object.create(strategy)`
 * with success/fail/redirect/error/pass attached), without HTTP. For cases an Express app
 * cannot express, such as a request without express-session.
 */
import type { Strategy } from 'passport'

export type StrategyOutcome =
  | { type: 'success'; user: unknown; info: unknown }
  | { type: 'fail'; challenge: unknown; status: number | undefined }
  | { type: 'redirect'; url: string }
  | { type: 'error'; err: unknown }
  | { type: 'pass' }

export function runStrategy(strategy: Strategy, req: object, options?: object): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const s = Object.create(strategy) as Record<string, unknown> & { authenticate(req: unknown, options?: unknown): void }
    s.success = (user: unknown, info: unknown) => resolve({ type: 'success', user, info })
    s.fail = (challenge: unknown, status?: number) => resolve({ type: 'fail', challenge, status })
    s.redirect = (url: string) => resolve({ type: 'redirect', url })
    s.error = (err: unknown) => resolve({ type: 'error', err })
    s.pass = () => resolve({ type: 'pass' })
    s.authenticate(req, options)
  })
}

import { createRequire } from 'node:module'

/** The members passport expects of a strategy (passport-strategy's `Strategy`). */
export interface PassportStrategyLike {
  name?: string
  authenticate(req: unknown, options?: unknown): void
}

/**
 * passport-strategy's `Strategy` (the base class of every passport strategy, so that
 * `strategy instanceof passport.Strategy` holds), typed here so that the published declarations
 * need no `@types/passport-strategy`.
 */
export const StrategyBase = createRequire(__filename)('passport-strategy') as new () => PassportStrategyLike

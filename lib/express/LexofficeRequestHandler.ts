import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * A request handler as Express 4 and 5 call it, typed structurally (this package does not depend
 * on `@types/express`): what {@link Lexoffice.routes} and {@link Lexoffice.connectRoutes} return.
 *
 * @example
 * ```ts
 * import type { LexofficeRequestHandler } from 'passport-lexoffice'
 * const signIn: LexofficeRequestHandler = lexoffice.routes()
 * app.use('/auth/lexoffice', signIn)
 * ```
 */
export type LexofficeRequestHandler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void

/**
 * Adds `req.lexoffice` to Express's `Request` type (Express 4 and 5). Loaded by the middleware
 * module; import it yourself only if you use the type without the middleware.
 *
 * @example
 * ```ts
 * import 'passport-lexoffice' // brings this augmentation
 * app.get('/me', async (req, res) => res.json(await req.lexoffice?.tokenInfo()))
 * ```
 * @packageDocumentation
 */
import type { LexofficeRequestContext } from './LexofficeRequestContext'

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * This request's lexoffice connection: the API client, status, disconnect. Set by
       * `lexoffice.routes()`, `lexoffice.connectRoutes()`, `lexoffice.required()` or
       * `lexoffice.middleware()`; `undefined` on requests none of them saw.
       */
      lexoffice: LexofficeRequestContext
    }
  }
}

export {}

import type { AccessTokenProvider } from './AccessTokenProvider'
import { LexofficeClient } from './LexofficeClient'
import type { LexofficeClientCommonOptions } from './LexofficeClientOptions'

/**
 * Builds a {@link LexofficeClient} for a token provider (what the Express middleware does for
 * `req.lexoffice.client`). Pass `connectionKey` (e.g. the token-store key) so that every
 * client of the same connection shares one rate budget.
 *
 * @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for bad options.
 * @example
 * ```ts
 * import { createLexofficeClient } from 'passport-lexoffice'
 * const client = createLexofficeClient(manager.providerFor(userId), { connectionKey: userId, environment: 'sandbox' })
 * const profile = await client.profile.get()
 * ```
 */
export function createLexofficeClient(provider: AccessTokenProvider, options: LexofficeClientCommonOptions = {}): LexofficeClient {
  return new LexofficeClient({ ...options, tokenProvider: provider })
}

import { gatewayError, regularError } from './http'
import type { SandboxAuth } from './records'
import type { SandboxState } from './SandboxState'

export type { SandboxAuth } from './records'
import type { SandboxHandler, SandboxRequest, SandboxResponse } from './types'

/**
 * Bearer authentication for sandbox API routes, as lexoffice's resource server does it:
 * a missing, unknown, expired or revoked access token gets `401 {"message":"Unauthorized"}`;
 * a missing scope gets 403 in the regular error format.
 *
 * @packageDocumentation
 */

/**
 * Authenticates an API request by its `Authorization: Bearer` header.
 *
 * @returns the caller, or `{ response }`: the 401 answer to send as is.
 * @example
 * ```ts
 * const auth = authenticateBearer(req, ctx)
 * if ('response' in auth) return auth.response
 * const contacts = ctx.organizationData(auth.organization.organizationId, 'contacts', () => new Map())
 * ```
 */
export function authenticateBearer(req: SandboxRequest, ctx: SandboxState): SandboxAuth | { response: SandboxResponse } {
  const header = req.headers.authorization
  const m = typeof header === 'string' ? /^Bearer[ ]+([\x21-\x7e]{1,4096})[ ]*$/i.exec(header) : null
  const connection = m ? ctx.findAccessToken(m[1]) : undefined
  if (!connection) return { response: unauthorized() }
  const organization = ctx.organizations.get(connection.organizationId)
  const user = ctx.users.get(connection.userId)
  if (!organization || !user) return { response: unauthorized() }
  return { connection, organization, user }
}

/** `401 {"message":"Unauthorized"}` with a Bearer challenge. */
function unauthorized(): SandboxResponse {
  const res = gatewayError(401, 'Unauthorized')
  res.headers = { ...res.headers, 'www-authenticate': 'Bearer realm="lexoffice-sandbox"' }
  return res
}

/**
 * Options of {@link requireAuth}.
 *
 * @example
 * ```ts
 * requireAuth(handler, { scope: 'contacts.write' })
 * ```
 */
export interface RequireAuthOptions {
  /** A scope the connection must have been granted (e.g. `contacts.read`); otherwise 403. */
  scope?: string
}

/**
 * Wraps an API handler so that it runs only for an authenticated request (and, with `scope`,
 * only when that scope was granted). The handler gets the {@link SandboxAuth} as third argument.
 *
 * @example
 * ```ts
 * export const contactRoutes: SandboxRoute<SandboxState>[] = [
 *   {
 *     method: 'GET',
 *     pattern: '/v1/contacts/:id',
 *     handler: requireAuth((req, ctx, auth) => json(200, findContact(ctx, auth, req.params.id!)), { scope: 'contacts.read' }),
 *   },
 * ]
 * ```
 */
export function requireAuth(
  handler: (req: SandboxRequest, ctx: SandboxState, auth: SandboxAuth) => SandboxResponse | Promise<SandboxResponse>,
  options: RequireAuthOptions = {},
): SandboxHandler<SandboxState> {
  return (req, ctx) => {
    const auth = authenticateBearer(req, ctx)
    if ('response' in auth) return auth.response
    if (options.scope !== undefined && !auth.connection.scopes.includes(options.scope)) {
      return regularError(req, 403, `Missing scope ${options.scope}`, [], ctx.now())
    }
    return handler(req, ctx, auth)
  }
}

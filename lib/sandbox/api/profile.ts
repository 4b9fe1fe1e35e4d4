import { formatLexofficeDate } from '../http'
import type { ApiRouteDef } from './context'
import { ok } from './http'

/**
 * `GET /v1/profile` (docs/lexoffice.md §3): the organisation of the connection, the user who
 * established it and when, and the `connectionId`. Scope `profile.read` (partner docs); it counts
 * against the rate limit like every endpoint. Regular error shape.
 *
 * @internal
 * @packageDocumentation
 */

/** The profile route. @internal */
export const profileRoutes: ApiRouteDef[] = [
  {
    method: 'GET',
    pattern: '/v1/profile',
    style: 'regular',
    handler: (_req, { auth: { connection, organization, user } }) =>
      ok({
        organizationId: organization.organizationId,
        companyName: organization.companyName,
        created: {
          userId: user.userId,
          userName: user.userName,
          userEmail: user.userEmail,
          date: formatLexofficeDate(connection.createdAt),
        },
        connectionId: connection.connectionId,
        taxType: organization.taxType,
        smallBusiness: organization.smallBusiness,
        businessFeatures: [...organization.businessFeatures],
      }),
  },
]

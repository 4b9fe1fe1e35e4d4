import { requireAuth } from '../auth'
import { formatLexofficeDate, json } from '../http'
import type { SandboxState } from '../SandboxState'
import type { SandboxRoute } from '../types'

/**
 * `GET /v1/profile` (docs/lexoffice.md §3): the organisation of the connection, the user who
 * established it and when, and the `connectionId`. Needs a valid Bearer token; like lexoffice,
 * the sandbox does not require the `profile.read` scope for it (UNVERIFIED at lexoffice).
 *
 * @internal
 */
export const profileRoutes: SandboxRoute<SandboxState>[] = [
  {
    method: 'GET',
    pattern: '/v1/profile',
    handler: requireAuth((_req, _ctx, { connection, organization, user }) =>
      json(200, {
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
    ),
  },
]

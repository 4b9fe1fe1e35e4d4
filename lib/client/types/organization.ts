/**
 * `GET /v1/organization` (partner API, scope `organization.read`): the connected company's master
 * data. Fields lexoffice adds later pass through as `unknown`.
 *
 * @example
 * ```ts
 * const { companyName, vatIdentificationNumber } = await client.organization.get()
 * ```
 */
export interface Organization {
  companyName: string
  branchOfIndustryName?: string
  /** The "WZ code" of the branch of industry. */
  branchOfIndustryWzCode?: string
  address?: { street?: string; zip?: string; city?: string; countryCode?: string }
  /** The organisation type in German, e.g. `GmbH`. */
  organizationType?: string
  /** e.g. `LIMITED_LIABILITY_COMPANY`, `FREELANCER_PROFESSIONAL` (lexoffice may add values). */
  organizationTypeKey?: string
  vatIdentificationNumber?: string
  taxNumber?: string
  website?: string
  [field: string]: unknown
}

/**
 * The partner-integration record of the calling connection (`/v1/partner-integrations`, partner
 * API, no scope needed): a status the app pushes to lexoffice (initially `OAUTH_CONNECTED`).
 *
 * @example
 * ```ts
 * const { status, version } = await client.partnerIntegrations.get()
 * ```
 */
export interface PartnerIntegration {
  organizationId: string
  createdDate: string
  updatedDate: string
  version: number
  status: string
  [field: string]: unknown
}

/**
 * Body of `partnerIntegrations.update`: the new status (one of lexoffice's valid values, e.g.
 * `ACTIVE`) and the current `version`.
 *
 * @example
 * ```ts
 * await client.partnerIntegrations.update({ status: 'ACTIVE', version })
 * ```
 */
export interface PartnerIntegrationUpdate {
  status: string
  version: number
}

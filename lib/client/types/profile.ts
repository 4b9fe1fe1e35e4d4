/**
 * `GET /v1/profile`: the organisation and the connection the token belongs to.
 *
 * @example
 * ```ts
 * const profile: Profile = await client.profile.get()
 * console.log(profile.organizationId, profile.connectionId)
 * ```
 */
export interface Profile {
  organizationId: string
  companyName: string
  created: { userId: string; userName: string; userEmail: string; date: string }
  connectionId: string
  taxType: 'net' | 'gross' | 'vatfree'
  distanceSalesPrinciple?: 'ORIGIN' | 'DESTINATION'
  businessFeatures?: Array<'INVOICING' | 'INVOICING_PRO' | 'BOOKKEEPING'>
  smallBusiness: boolean
  features?: string[]
  subscriptionStatus?: string
}

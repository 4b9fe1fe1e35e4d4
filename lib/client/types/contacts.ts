import type { PageParams } from './common'

/**
 * A postal address of a contact.
 *
 * @example
 * ```ts
 * const billing: ContactAddress = { street: 'Hauptstr. 1', zip: '10115', city: 'Berlin', countryCode: 'DE' }
 * ```
 */
export interface ContactAddress {
  supplement?: string
  street?: string
  zip?: string
  city?: string
  countryCode: string
}

/**
 * A contact person of a company contact.
 *
 * @example
 * ```ts
 * const person: ContactPerson = { lastName: 'Doe', primary: true, emailAddress: 'doe@example.com' }
 * ```
 */
export interface ContactPerson {
  salutation?: string
  firstName?: string
  lastName: string
  primary?: boolean
  emailAddress?: string
  phoneNumber?: string
}

/**
 * A lexoffice contact (customer and/or vendor; a company or a person). New contacts are
 * written with `version: 0`; updates need the current `version` (a stale one gives 409).
 *
 * @example
 * ```ts
 * const contact: Contact = { version: 0, roles: { customer: {} }, person: { lastName: 'Doe' } }
 * ```
 */
export interface Contact {
  id?: string
  organizationId?: string
  version: number
  roles: { customer?: { number?: number }; vendor?: { number?: number } }
  company?: {
    name: string
    taxNumber?: string
    vatRegistrationId?: string
    allowTaxFreeInvoices?: boolean
    contactPersons?: ContactPerson[]
  }
  person?: { salutation?: string; firstName?: string; lastName: string }
  addresses?: { billing?: ContactAddress[]; shipping?: ContactAddress[] }
  xRechnung?: { buyerReference?: string; vendorNumberAtCustomer?: string }
  emailAddresses?: { business?: string[]; office?: string[]; private?: string[]; other?: string[] }
  phoneNumbers?: {
    business?: string[]
    office?: string[]
    mobile?: string[]
    private?: string[]
    fax?: string[]
    other?: string[]
  }
  note?: string
  archived?: boolean
}

/**
 * Filters of `GET /v1/contacts`. `email` and `name` are search strings (at least 3
 * characters, `_`/`%` wildcards) and are HTML- then URL-encoded by the client.
 *
 * @example
 * ```ts
 * const filter: ContactFilter = { name: 'Smith & Sons', customer: true }
 * ```
 */
export interface ContactFilter {
  email?: string
  name?: string
  number?: number
  customer?: boolean
  vendor?: boolean
}

/**
 * {@link ContactFilter} plus paging.
 *
 * @example
 * ```ts
 * await client.contacts.list({ name: 'Mey', page: 1, size: 100 })
 * ```
 */
export type ContactListParams = ContactFilter & PageParams

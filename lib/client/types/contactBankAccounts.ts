/**
 * A bank account of a contact (`/v1/contacts/{id}/bankaccounts`, partner API). Its `version` is
 * the contact's: every change to a contact's accounts raises the contact's version, and an update
 * needs the current one.
 *
 * @example
 * ```ts
 * const account: ContactBankAccount = { accountHolder: 'Liese Meyer', bankName: 'DKB', iban: 'DE02120300000000202051', bic: 'BYLADEM1001' }
 * ```
 */
export interface ContactBankAccount {
  id?: string
  accountHolder: string
  bankName: string
  iban: string
  bic: string
  /** The contact's version (ignored on create, required on update). */
  version?: number
}

import type { ApiTransport } from '../ApiTransport'
import { pathId } from '../paging'
import type { ActionResult } from '../types/common'
import type { ContactBankAccount } from '../types/contactBankAccounts'

/**
 * `/v1/contacts/{contactId}/bankaccounts` (partner API; scopes `contacts.bankaccounts.read` /
 * `contacts.bankaccounts.write`; legacy error format): a contact's bank accounts. Their `version`
 * is the contact's: every write raises it, and `update` needs the current one (a stale one is
 * `API_CONFLICT`, as for contacts).
 *
 * @example
 * ```ts
 * const accounts = await client.contactBankAccounts.list(contactId)
 * const { id } = await client.contactBankAccounts.create(contactId, { accountHolder: 'Liese Meyer', bankName: 'DKB',
 *   iban: 'DE02120300000000202051', bic: 'BYLADEM1001' })
 * await client.contactBankAccounts.delete(contactId, id)
 * ```
 */
export class ContactBankAccountsResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/contacts/{contactId}/bankaccounts`: all of them (possibly none). */
  async list(contactId: string): Promise<ContactBankAccount[]> {
    const res = await this.#t.json<ContactBankAccount[]>({ method: 'GET', path: this.#path(contactId) })
    return Array.isArray(res) ? res : []
  }
  /** `GET /v1/contacts/{contactId}/bankaccounts/{id}`. */
  async get(contactId: string, id: string): Promise<ContactBankAccount> {
    return this.#t.json<ContactBankAccount>({ method: 'GET', path: this.#path(contactId, id) })
  }
  /** `POST`: adds an account (its `version` is ignored). Never retried once it may have reached lexoffice. */
  async create(contactId: string, account: ContactBankAccount): Promise<ActionResult> {
    return this.#t.json<ActionResult>({ method: 'POST', path: this.#path(contactId), json: account })
  }
  /** `PUT` with the contact's current `version`. */
  async update(contactId: string, id: string, account: ContactBankAccount & { version: number }): Promise<ActionResult> {
    return this.#t.json<ActionResult>({ method: 'PUT', path: this.#path(contactId, id), json: account })
  }
  /** `DELETE` (204). */
  async delete(contactId: string, id: string): Promise<void> {
    await this.#t.send({ method: 'DELETE', path: this.#path(contactId, id) })
  }

  #path(contactId: string, id?: string): string {
    const base = `/v1/contacts/${pathId(contactId, 'contactId')}/bankaccounts`
    return id === undefined ? base : `${base}/${pathId(id)}`
  }
}

import type { ApiTransport } from '../ApiTransport'
import { buildQuery } from '../encodeSearchString'
import { collect, iteratePages, pathId } from '../paging'
import type { ActionResult, IterateOptions, Page } from '../types/common'
import type { Contact, ContactFilter, ContactListParams } from '../types/contacts'

/**
 * `/v1/contacts`: list (paged), get, create (`version: 0`), update (current `version`).
 * `name` and `email` filters are HTML- then URL-encoded as lexoffice requires.
 *
 * @example
 * ```ts
 * const page = await client.contacts.list({ name: 'Smith & Sons', customer: true })
 * for await (const c of client.contacts.iterate({ vendor: true })) console.log(c.id)
 * ```
 */
export class ContactsResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/contacts`: one page. */
  async list(params: ContactListParams = {}): Promise<Page<Contact>> {
    const query = buildQuery(
      {
        email: params.email,
        name: params.name,
        number: params.number,
        customer: params.customer,
        vendor: params.vendor,
        page: params.page,
        size: params.size,
        sort: params.sort,
      },
      ['email', 'name'],
    )
    return this.#t.json<Page<Contact>>({ method: 'GET', path: '/v1/contacts', query })
  }
  /** Every matching contact, page after page (see {@link IterateOptions} for the 10,000-entry window). */
  iterate(filter: ContactFilter = {}, options: IterateOptions = {}): AsyncGenerator<Contact, void, undefined> {
    return iteratePages('/v1/contacts', (page, size) => this.list({ ...filter, page, size }), options)
  }
  /** {@link ContactsResource.iterate} collected into an array. */
  async listAll(filter: ContactFilter = {}, options: IterateOptions = {}): Promise<Contact[]> {
    return collect(this.iterate(filter, options))
  }
  /** `GET /v1/contacts/{id}`. */
  async get(id: string): Promise<Contact> {
    return this.#t.json<Contact>({ method: 'GET', path: `/v1/contacts/${pathId(id)}` })
  }
  /** `POST /v1/contacts` (send `version: 0`). Never retried once it may have reached lexoffice. */
  async create(contact: Contact): Promise<ActionResult> {
    return this.#t.json<ActionResult>({ method: 'POST', path: '/v1/contacts', json: contact })
  }
  /** `PUT /v1/contacts/{id}` with the current `version` (stale: `API_CONFLICT`). */
  async update(id: string, contact: Contact): Promise<ActionResult> {
    return this.#t.json<ActionResult>({ method: 'PUT', path: `/v1/contacts/${pathId(id)}`, json: contact })
  }
}

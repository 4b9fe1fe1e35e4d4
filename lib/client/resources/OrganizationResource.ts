import type { ApiTransport } from '../ApiTransport'
import type { Organization } from '../types/organization'

/**
 * `/v1/organization` (partner API, scope `organization.read`): the connected company's master data.
 *
 * @example
 * ```ts
 * const { companyName, taxNumber } = await client.organization.get()
 * ```
 */
export class OrganizationResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/organization`. */
  async get(): Promise<Organization> {
    return this.#t.json<Organization>({ method: 'GET', path: '/v1/organization' })
  }
}

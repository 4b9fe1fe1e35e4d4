import type { ApiTransport } from '../ApiTransport'
import type { Profile } from '../types/profile'

/**
 * `/v1/profile` (scope `profile.read`).
 *
 * @example
 * ```ts
 * const { organizationId, companyName } = await client.profile.get()
 * ```
 */
export class ProfileResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/profile`. */
  async get(): Promise<Profile> {
    return this.#t.json<Profile>({ method: 'GET', path: '/v1/profile' })
  }
}

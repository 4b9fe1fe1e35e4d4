import type { ApiTransport } from '../ApiTransport'
import type { PartnerIntegration, PartnerIntegrationUpdate } from '../types/organization'

/**
 * `/v1/partner-integrations` (partner API, no scope needed): the integration status this
 * connection shows in lexoffice (initially `OAUTH_CONNECTED`).
 *
 * @example
 * ```ts
 * const { version } = await client.partnerIntegrations.get()
 * await client.partnerIntegrations.update({ status: 'ACTIVE', version })
 * ```
 */
export class PartnerIntegrationsResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/partner-integrations`. */
  async get(): Promise<PartnerIntegration> {
    return this.#t.json<PartnerIntegration>({ method: 'GET', path: '/v1/partner-integrations' })
  }
  /** `PUT /v1/partner-integrations` with the current `version` (stale: `API_CONFLICT`); resolves with the updated record. */
  async update(update: PartnerIntegrationUpdate): Promise<PartnerIntegration> {
    return this.#t.json<PartnerIntegration>({ method: 'PUT', path: '/v1/partner-integrations', json: update })
  }
}

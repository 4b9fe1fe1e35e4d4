import type { ApiTransport } from '../ApiTransport'
import { pathId } from '../paging'
import type { ActionResult } from '../types/common'
import type { Invoice, InvoiceInteractionStatus, InvoiceInteractionStatusUpdate } from '../types/salesVouchers'
import { SalesVoucherResource } from './SalesVoucherResource'

/**
 * `/v1/invoices`: everything of a {@link SalesVoucherResource}, plus the interaction status the
 * partner API keeps for an invoice handed to an external system (scope `invoices.read`, also for
 * the update, as lexoffice documents).
 *
 * @example
 * ```ts
 * const { id } = await client.invoices.create(invoice, { finalize: true })
 * const { status, version } = await client.invoices.getInteractionStatus(id)
 * await client.invoices.updateInteractionStatus(id, { status: 'accepted', version })
 * ```
 */
export class InvoicesResource extends SalesVoucherResource<Invoice> {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    super(transport, '/v1/invoices')
    this.#t = transport
  }
  /** `GET /v1/invoices/{id}/interaction-status` (partner API). */
  async getInteractionStatus(id: string): Promise<InvoiceInteractionStatus> {
    return this.#t.json<InvoiceInteractionStatus>({ method: 'GET', path: `/v1/invoices/${pathId(id)}/interaction-status` })
  }
  /**
   * `PUT /v1/invoices/{id}/interaction-status` with `accepted` or `rejected` and the current
   * `version` (stale: `API_CONFLICT`). It cannot go back to `transmitted`.
   */
  async updateInteractionStatus(id: string, update: InvoiceInteractionStatusUpdate): Promise<ActionResult> {
    return this.#t.json<ActionResult>({ method: 'PUT', path: `/v1/invoices/${pathId(id)}/interaction-status`, json: update })
  }
}

import type { ApiTransport } from '../ApiTransport'
import { downloadFile } from '../downloadFile'
import { pathId } from '../paging'
import type { DownloadedFile } from '../types/common'
import type { DownPaymentInvoice } from '../types/downPaymentInvoices'

/**
 * `/v1/down-payment-invoices` (scope `invoices.read`, shared with invoices; regular error
 * format): read a down-payment invoice and download its document. Read-only: lexoffice creates
 * down-payment invoices only in its app.
 *
 * @example
 * ```ts
 * const dpi = await client.downPaymentInvoices.get(id)
 * const { data, filename } = await client.downPaymentInvoices.downloadFile(id)
 * ```
 */
export class DownPaymentInvoicesResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/down-payment-invoices/{id}`. */
  async get(id: string): Promise<DownPaymentInvoice> {
    return this.#t.json<DownPaymentInvoice>({ method: 'GET', path: `/v1/down-payment-invoices/${pathId(id)}` })
  }
  /** `GET /v1/down-payment-invoices/{id}/file`: the rendered PDF (`Accept: application/pdf`). */
  async downloadFile(id: string): Promise<DownloadedFile> {
    return downloadFile(this.#t, `/v1/down-payment-invoices/${pathId(id)}/file`, 'application/pdf')
  }
}

import type { ApiTransport } from '../ApiTransport'
import { downloadFile } from '../downloadFile'
import { buildQuery } from '../encodeSearchString'
import { pathId } from '../paging'
import { sendMail } from '../sendMail'
import type { ActionResult, DownloadedFile } from '../types/common'
import type { CreateSalesVoucherOptions, SalesVoucher, SendMailRequest } from '../types/salesVouchers'

/**
 * A sales-voucher endpoint: `/v1/invoices`, `/v1/quotations`, `/v1/credit-notes`,
 * `/v1/order-confirmations` or `/v1/delivery-notes` (scopes `<resource>.read` / `<resource>.write`).
 * lexoffice offers create, get, the rendered document and (partner API) sending it by e-mail; no
 * list, update or delete.
 *
 * @example
 * ```ts
 * const { id } = await client.invoices.create(invoice, { finalize: true })
 * const pdf = await client.invoices.downloadFile(id)
 * await client.invoices.sendMail(id, { recipients: ['billing@customer.example'] })
 * ```
 */
export class SalesVoucherResource<T extends SalesVoucher> {
  readonly #t: ApiTransport
  readonly #base: string
  /** @internal */
  constructor(transport: ApiTransport, base: string) {
    this.#t = transport
    this.#base = base
  }
  /**
   * `POST {base}[?finalize=true][&precedingSalesVoucherId=...]`. Creates a draft unless
   * `finalize`. Never retried once it may have reached lexoffice (a 504 may have succeeded).
   */
  async create(voucher: T, options: CreateSalesVoucherOptions = {}): Promise<ActionResult> {
    const query = buildQuery({
      finalize: options.finalize ? true : undefined,
      precedingSalesVoucherId: options.precedingSalesVoucherId,
    })
    return this.#t.json<ActionResult>({ method: 'POST', path: this.#base, query, json: voucher })
  }
  /** `GET {base}/{id}`. */
  async get(id: string): Promise<T> {
    return this.#t.json<T>({ method: 'GET', path: `${this.#base}/${pathId(id)}` })
  }
  /** `GET {base}/{id}/file`: the rendered PDF. */
  async downloadFile(id: string): Promise<DownloadedFile> {
    return downloadFile(this.#t, `${this.#base}/${pathId(id)}/file`, 'application/pdf')
  }
  /**
   * `POST {base}/{id}/sendmail` (partner API, scope `vouchers.sendmail`): lexoffice e-mails the
   * voucher's document (202 Accepted). A draft has no document: lexoffice refuses it like its
   * download. Never retried once it may have reached lexoffice.
   *
   * @throws TypeError (`ERR_INVALID_ARG_VALUE`) without recipients; nothing is sent.
   */
  async sendMail(id: string, mail: SendMailRequest): Promise<void> {
    return sendMail(this.#t, this.#base, id, mail)
  }
}

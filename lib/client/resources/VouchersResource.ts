import type { ApiTransport } from '../ApiTransport'
import { buildQuery } from '../encodeSearchString'
import { pathId } from '../paging'
import { UPLOAD_LIMITS, uploadForm } from '../uploadForm'
import type { ActionResult, Page } from '../types/common'
import type { VoucherFileUploadOptions, VoucherFileUploadResult } from '../types/reference'
import type { Voucher } from '../types/vouchers'

/**
 * `/v1/vouchers` (bookkeeping vouchers; legacy error format).
 *
 * @example
 * ```ts
 * const { id } = await client.vouchers.create(voucher)
 * await client.vouchers.uploadFile(id, await fs.readFile('receipt.pdf'), { filename: 'receipt.pdf' })
 * const v = await client.vouchers.get(id)
 * await client.vouchers.update(id, { ...v, remark: 'checked' })
 * ```
 */
export class VouchersResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `POST /v1/vouchers` (if `version` is given it must be 1). Not retried once it may have reached lexoffice. */
  async create(voucher: Voucher): Promise<ActionResult> {
    return this.#t.json<ActionResult>({ method: 'POST', path: '/v1/vouchers', json: voucher })
  }
  /** `GET /v1/vouchers/{id}`. */
  async get(id: string): Promise<Voucher> {
    return this.#t.json<Voucher>({ method: 'GET', path: `/v1/vouchers/${pathId(id)}` })
  }
  /** `PUT /v1/vouchers/{id}` with the current `version`. */
  async update(id: string, voucher: Voucher): Promise<ActionResult> {
    return this.#t.json<ActionResult>({ method: 'PUT', path: `/v1/vouchers/${pathId(id)}`, json: voucher })
  }
  /**
   * `POST /v1/vouchers/{id}/files`: uploads a file (pdf, jpg, png or xml; at most 5 MiB) and
   * attaches it to the voucher → its id (scopes `vouchers.write` and `files.write`). Unlike
   * `files.upload`, no new voucher is created. Never retried once it may have reached lexoffice:
   * after a timeout or 5xx, read the voucher's `files` before uploading again.
   *
   * @throws TypeError (`ERR_INVALID_ARG_VALUE`) for an empty or too large file or a bad file name; nothing is sent.
   */
  async uploadFile(id: string, file: Uint8Array | Blob, options: VoucherFileUploadOptions): Promise<VoucherFileUploadResult> {
    const path = `/v1/vouchers/${pathId(id)}/files`
    const form = uploadForm(file, options, UPLOAD_LIMITS.voucher)
    return this.#t.json<VoucherFileUploadResult>({ method: 'POST', path, form })
  }
  /**
   * `GET /v1/vouchers?voucherNumber=...` (deprecated by lexoffice; prefer the voucherlist).
   * The number is a search string: HTML- then URL-encoded.
   */
  async findByNumber(voucherNumber: string): Promise<Page<Voucher>> {
    return this.#t.json<Page<Voucher>>({ method: 'GET', path: '/v1/vouchers', query: buildQuery({ voucherNumber }, ['voucherNumber']) })
  }
}

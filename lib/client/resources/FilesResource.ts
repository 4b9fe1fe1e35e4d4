import type { ApiTransport } from '../ApiTransport'
import { downloadFile } from '../downloadFile'
import { pathId } from '../paging'
import { UPLOAD_LIMITS, uploadForm } from '../uploadForm'
import type { DownloadedFile } from '../types/common'
import type { FileUploadOptions, FileUploadResult, FileUploadStatus } from '../types/reference'
import { invalidArg } from '../../options/assert'

/**
 * `/v1/files` (legacy error format): upload a voucher document or an e-mail attachment
 * (multipart, 202 Accepted), download a file, read an upload's processing status.
 *
 * An upload goes through the same paced transport as every call and, being a POST, is never
 * retried once it may have reached lexoffice (a timeout, a reset or a 5xx leave its outcome
 * unknown: look for the voucher before uploading again).
 *
 * @example
 * ```ts
 * const { id, voucherId } = await client.files.upload(await fs.readFile('receipt.pdf'), { filename: 'receipt.pdf', type: 'voucher' })
 * const { data } = await client.files.download(id)
 * ```
 */
export class FilesResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /**
   * `POST /v1/files` as `multipart/form-data` with parts `file` and `type`. `type: 'voucher'`
   * (pdf, jpg, png, xml; at most 5 MiB) also creates an `unchecked` bookkeeping voucher
   * (`voucherId`); `type: 'attachment'` (partner API; pdf, jpg, png; at most 2 MiB) stores a file
   * for {@link SalesVoucherResource.sendMail}.
   *
   * @throws TypeError (`ERR_INVALID_ARG_VALUE`) for an empty or too large file, a bad file name or
   * type; nothing is sent.
   */
  async upload(file: Uint8Array | Blob, options: FileUploadOptions): Promise<FileUploadResult> {
    const type = (options as Partial<FileUploadOptions> | undefined)?.type
    if (type !== 'voucher' && type !== 'attachment') throw invalidArg('ERR_INVALID_ARG_VALUE', '"type" must be "voucher" or "attachment"')
    const form = uploadForm(file, options, UPLOAD_LIMITS[type], { type })
    return this.#t.json<FileUploadResult>({ method: 'POST', path: '/v1/files', form })
  }
  /** `GET /v1/files/{id}` (Accept `*\/*`). */
  async download(id: string): Promise<DownloadedFile> {
    return downloadFile(this.#t, `/v1/files/${pathId(id)}`, '*/*')
  }
  /** `GET /v1/files/{id}/status` (partner API, scope `files.status`): `upload_processing`, `upload_success` or `upload_failed`. */
  async status(id: string): Promise<FileUploadStatus> {
    return this.#t.json<FileUploadStatus>({ method: 'GET', path: `/v1/files/${pathId(id)}/status` })
  }
}

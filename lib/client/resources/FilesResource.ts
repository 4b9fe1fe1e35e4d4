import type { ApiTransport } from '../ApiTransport'
import { downloadFile } from '../downloadFile'
import { pathId } from '../paging'
import type { DownloadedFile } from '../types/common'
import type { FileUploadOptions, FileUploadResult } from '../types/reference'

const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  xml: 'application/xml',
}

/**
 * `/v1/files` (legacy error format): upload a voucher document (multipart, 202 Accepted) and
 * download a file.
 *
 * @example
 * ```ts
 * const { id } = await client.files.upload(await fs.readFile('receipt.pdf'), { filename: 'receipt.pdf', type: 'voucher' })
 * const { data } = await client.files.download(id)
 * ```
 */
export class FilesResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `POST /v1/files` as `multipart/form-data` with parts `file` and `type`. */
  async upload(file: Uint8Array | Blob, options: FileUploadOptions): Promise<FileUploadResult> {
    if (!options || typeof options.filename !== 'string' || options.filename.length === 0) {
      throw new TypeError('"filename" must be a non-empty string')
    }
    const ext = options.filename.split('.').pop()?.toLowerCase() ?? ''
    const blob =
      file instanceof Blob
        ? file
        : new Blob([new Uint8Array(file)], { type: options.contentType ?? TYPES[ext] ?? 'application/octet-stream' })
    const form = new FormData()
    form.append('file', blob, options.filename)
    form.append('type', options.type)
    return this.#t.json<FileUploadResult>({ method: 'POST', path: '/v1/files', form })
  }
  /** `GET /v1/files/{id}` (Accept `*\/*`). */
  async download(id: string): Promise<DownloadedFile> {
    return downloadFile(this.#t, `/v1/files/${pathId(id)}`, '*/*')
  }
}

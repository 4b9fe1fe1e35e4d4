/**
 * `GET /v1/payment-conditions` entries.
 *
 * @example
 * ```ts
 * const conditions: PaymentCondition[] = await client.paymentConditions.list()
 * ```
 */
export interface PaymentCondition {
  id: string
  organizationDefault?: boolean
  paymentTermLabelTemplate?: string
  paymentTermDuration?: number
  paymentDiscountConditions?: { discountPercentage: number; discountRange: number }
}

/**
 * `GET /v1/posting-categories` entries.
 *
 * @example
 * ```ts
 * const income = (await client.postingCategories.list()).filter((c) => c.type === 'income')
 * ```
 */
export interface PostingCategory {
  id: string
  name: string
  type: 'income' | 'outgo'
  contactRequired: boolean
  splitAllowed: boolean
  groupName: string
}

/**
 * `GET /v1/countries` entries.
 *
 * @example
 * ```ts
 * const eu = (await client.countries.list()).filter((c) => c.taxClassification === 'intraCommunity')
 * ```
 */
export interface Country {
  countryCode: string
  countryNameDE: string
  countryNameEN: string
  taxClassification: 'de' | 'intraCommunity' | 'thirdPartyCountry'
}

/**
 * `GET /v1/print-layouts` entries.
 *
 * @example
 * ```ts
 * const layout = (await client.printLayouts.list()).find((l) => l.default)
 * ```
 */
export interface PrintLayout {
  id: string
  name: string
  default: boolean
}

/**
 * Answer of `POST /v1/files` (202 Accepted): the file's id, and for `type: 'voucher'` the id of
 * the `unchecked` bookkeeping voucher lexoffice created for it.
 *
 * @example
 * ```ts
 * const { id, voucherId } = await client.files.upload(pdfBuffer, { filename: 'receipt.pdf', type: 'voucher' })
 * ```
 */
export interface FileUploadResult {
  id: string
  voucherId?: string
}

/**
 * Upload types of `POST /v1/files`: `voucher` (a bookkeeping document: pdf, jpg, png or xml, up
 * to 5 MiB) or `attachment` (partner API: pdf, jpg or png up to 2 MiB, for `sendMail`).
 *
 * @example
 * ```ts
 * const type: FileUploadType = 'attachment'
 * ```
 */
export type FileUploadType = 'voucher' | 'attachment'

/**
 * Options of `files.upload`.
 *
 * @example
 * ```ts
 * const options: FileUploadOptions = { filename: 'receipt.jpg', type: 'voucher', contentType: 'image/jpeg' }
 * ```
 */
export interface FileUploadOptions {
  /** File name sent in the multipart part; its extension also names the content type when none is given. */
  filename: string
  /** Upload type (see {@link FileUploadType}). */
  type: FileUploadType
  /** Content type of the part (default: from the Blob, else guessed from the file name). */
  contentType?: string
}

/**
 * Options of `vouchers.uploadFile` (`POST /v1/vouchers/{id}/files`: pdf, jpg, png or xml up to 5 MiB).
 *
 * @example
 * ```ts
 * const options: VoucherFileUploadOptions = { filename: 'scan.png' }
 * ```
 */
export interface VoucherFileUploadOptions {
  /** File name sent in the multipart part. */
  filename: string
  /** Content type of the part (default: from the Blob, else guessed from the file name). */
  contentType?: string
}

/**
 * Answer of `POST /v1/vouchers/{id}/files` (202 Accepted): the new file's id (the voucher lists it
 * in `files` from now on).
 *
 * @example
 * ```ts
 * const { id } = await client.vouchers.uploadFile(voucherId, png, { filename: 'scan.png' })
 * ```
 */
export interface VoucherFileUploadResult {
  id: string
}

/**
 * `GET /v1/files/{id}/status` (partner API, scope `files.status`): how lexoffice's processing of an
 * upload went. Other values lexoffice adds later arrive as strings.
 *
 * @example
 * ```ts
 * const { status } = await client.files.status(id)
 * if (status === 'upload_failed') console.log('lexoffice could not read the file')
 * ```
 */
export interface FileUploadStatus {
  id: string
  status: 'upload_processing' | 'upload_success' | 'upload_failed' | (string & {})
}

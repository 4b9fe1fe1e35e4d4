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
 * Answer of `POST /v1/files` (202 Accepted).
 *
 * @example
 * ```ts
 * const { id } = await client.files.upload(pdfBuffer, { filename: 'receipt.pdf', type: 'voucher' })
 * ```
 */
export interface FileUploadResult {
  id: string
  voucherId?: string
}

/**
 * Options of `files.upload`.
 *
 * @example
 * ```ts
 * const options: FileUploadOptions = { filename: 'receipt.jpg', type: 'voucher', contentType: 'image/jpeg' }
 * ```
 */
export interface FileUploadOptions {
  /** File name sent in the multipart part (pdf, jpg, png or xml; up to 5 MB). */
  filename: string
  /** Upload type; lexoffice supports `voucher`. */
  type: 'voucher'
  /** Content type of the part (default: from the Blob, else guessed from the file name). */
  contentType?: string
}

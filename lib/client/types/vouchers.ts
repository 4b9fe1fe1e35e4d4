import type { PageParams } from './common'

/**
 * An item of a bookkeeping voucher.
 *
 * @example
 * ```ts
 * const item: VoucherItem = { amount: 119, taxAmount: 19, taxRatePercent: 19, categoryId: '8f8664a8-fd86-11e1-a21f-0800200c9a66' }
 * ```
 */
export interface VoucherItem {
  amount: number
  taxAmount: number
  taxRatePercent: number
  categoryId: string
}

/**
 * A bookkeeping voucher (`/v1/vouchers`). If `version` is given on create it must be 1.
 *
 * @example
 * ```ts
 * const voucher: Voucher = { type: 'purchaseinvoice', voucherNumber: 'R-1', voucherDate: '2026-11-23',
 *   totalGrossAmount: 119, totalTaxAmount: 19, taxType: 'gross', useCollectiveContact: true,
 *   voucherItems: [{ amount: 119, taxAmount: 19, taxRatePercent: 19, categoryId: '8f8664a8-fd86-11e1-a21f-0800200c9a66' }] }
 * ```
 */
export interface Voucher {
  id?: string
  organizationId?: string
  type:
    | 'salesinvoice'
    | 'salescreditnote'
    | 'purchaseinvoice'
    | 'purchasecreditnote'
    | 'invoice'
    | 'downpaymentinvoice'
    | 'creditnote'
    | 'orderconfirmation'
    | 'quotation'
    | 'deliverynote'
  voucherStatus?: string
  voucherNumber: string
  voucherDate: string
  shippingDate?: string
  dueDate?: string
  totalGrossAmount: number
  totalTaxAmount: number
  taxType: 'net' | 'gross'
  useCollectiveContact?: boolean
  contactId?: string
  remark?: string
  voucherItems: VoucherItem[]
  files?: string[]
  createdDate?: string
  updatedDate?: string
  version?: number
}

/**
 * Voucher types of the voucherlist (`any` for all). Dunnings are not listed: lexoffice refuses
 * `voucherType=dunning`.
 *
 * @example
 * ```ts
 * const types: VoucherlistType[] = ['invoice', 'creditnote']
 * ```
 */
export type VoucherlistType =
  | 'salesinvoice'
  | 'salescreditnote'
  | 'purchaseinvoice'
  | 'purchasecreditnote'
  | 'invoice'
  | 'downpaymentinvoice'
  | 'creditnote'
  | 'orderconfirmation'
  | 'quotation'
  | 'deliverynote'
  | 'any'

/**
 * Voucher states of the voucherlist (`any` for all).
 *
 * @example
 * ```ts
 * const states: VoucherlistStatus[] = ['open', 'overdue']
 * ```
 */
export type VoucherlistStatus =
  'draft' | 'open' | 'overdue' | 'paid' | 'paidoff' | 'voided' | 'transferred' | 'sepadebit' | 'accepted' | 'rejected' | 'unchecked' | 'any'

/**
 * Filters of `GET /v1/voucherlist`. `voucherType` and `voucherStatus` are required (one value,
 * a list, or `any`); `voucherNumber` and `contactName` are search strings (HTML- then URL-encoded).
 *
 * @example
 * ```ts
 * const filter: VoucherlistFilter = { voucherType: ['invoice', 'creditnote'], voucherStatus: 'open' }
 * ```
 */
export interface VoucherlistFilter {
  voucherType: VoucherlistType | readonly VoucherlistType[]
  voucherStatus: VoucherlistStatus | readonly VoucherlistStatus[]
  archived?: boolean
  contactId?: string
  contactName?: string
  voucherNumber?: string
  voucherDateFrom?: string
  voucherDateTo?: string
  createdDateFrom?: string
  createdDateTo?: string
  updatedDateFrom?: string
  updatedDateTo?: string
}

/**
 * {@link VoucherlistFilter} plus paging.
 *
 * @example
 * ```ts
 * await client.voucherlist.list({ voucherType: 'any', voucherStatus: 'any', page: 0, size: 250 })
 * ```
 */
export type VoucherlistParams = VoucherlistFilter & PageParams

/**
 * One entry of the voucherlist.
 *
 * @example
 * ```ts
 * for await (const e of client.voucherlist.iterate({ voucherType: 'invoice', voucherStatus: 'open' })) console.log(e.voucherNumber, e.openAmount)
 * ```
 */
export interface VoucherlistEntry {
  id: string
  voucherType: string
  voucherStatus: string
  voucherNumber: string
  voucherDate: string
  createdDate?: string
  updatedDate: string
  dueDate?: string | null
  contactId?: string | null
  contactName: string
  totalAmount: number
  openAmount?: number
  currency: string
  archived: boolean
}

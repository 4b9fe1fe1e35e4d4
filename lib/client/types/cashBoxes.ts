import type { PageParams } from './common'

/**
 * A cash box (`/v1/cash-boxes`, partner API, scope `cashbox.read`).
 *
 * @example
 * ```ts
 * const boxes: CashBox[] = await client.cashBoxes.list()
 * ```
 */
export interface CashBox {
  cashBoxId: string
  organizationId: string
  cashBoxName: string
  openingDate: string
  openingAmount: number
  currency: 'EUR'
  externalReference?: string
  identifier: string
  createdDate: string
  updatedDate: string
  version: number
  [field: string]: unknown
}

/**
 * One position of a cash-box balance; lexoffice books each as its own voucher (`voucherId`).
 *
 * @example
 * ```ts
 * const revenue = balance.positions.filter((p: CashBoxBalancePosition) => p.voucherType === 'revenue')
 * ```
 */
export interface CashBoxBalancePosition {
  paymentType: 'cash' | 'creditCard' | 'electronicCash' | 'valueCoupon' | (string & {})
  categoryId: string
  amount: number
  taxRatePercentage: number
  note?: string
  currency: 'EUR'
  taxType: 'gross'
  voucherType: 'revenue' | 'expense' | 'revenueReduction' | 'opening' | (string & {})
  voucherStatus?: string
  voucherId?: string
  [field: string]: unknown
}

/**
 * A cash-box balance (Kassenabschluss, "Z-Bon") with its positions.
 *
 * @example
 * ```ts
 * const { content: [latest] } = await client.cashBoxes.listBalances(cashBoxId, { page: 0, size: 1, sort: 'voucherDate,DESC' })
 * ```
 */
export interface CashBoxBalance {
  cashBoxId: string
  organizationId: string
  voucherNumber: string
  voucherDate: string
  userName?: string
  positions: CashBoxBalancePosition[]
  [field: string]: unknown
}

/**
 * Filters of `GET /v1/cash-boxes/{id}/balances` (all optional).
 *
 * @example
 * ```ts
 * const filter: CashBoxBalanceFilter = { dateFrom: '2026-01-01', dateTo: '2026-01-31', sort: 'voucherDate,ASC' }
 * ```
 */
export interface CashBoxBalanceFilter {
  /** The Z-Bon number. */
  voucherNumber?: string
  /** `yyyy-MM-dd`, inclusive. */
  dateFrom?: string
  /** `yyyy-MM-dd`, inclusive. */
  dateTo?: string
  /** `voucherDate` or `voucherNumber`, `,ASC` or `,DESC`. */
  sort?: string
}

/**
 * {@link CashBoxBalanceFilter} plus paging (page size at most 100).
 *
 * @example
 * ```ts
 * await client.cashBoxes.listBalances(cashBoxId, { page: 0, size: 100 })
 * ```
 */
export type CashBoxBalanceListParams = CashBoxBalanceFilter & Omit<PageParams, 'sort'>

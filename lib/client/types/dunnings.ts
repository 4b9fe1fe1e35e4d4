import type { ElectronicDocumentProfile } from './downPaymentInvoices'
import type { SalesVoucher } from './salesVouchers'

/**
 * The body of a new dunning (Mahnung). lexoffice requires `voucherDate`, `address`, `lineItems`,
 * `taxConditions`, `shippingConditions` and `totalPrice`; the contact and the tax type must match
 * the dunned invoice, and `address.name` is taken from it. Read-only fields must not be sent.
 *
 * @example
 * ```ts
 * const dunning: NewDunning = {
 *   voucherDate: '2026-03-01T00:00:00.000+01:00',
 *   address: { contactId: invoice.address.contactId! },
 *   lineItems: [{ type: 'custom', name: 'Mahngebühr', quantity: 1, unitName: 'Stück',
 *     unitPrice: { currency: 'EUR', netAmount: 5, taxRatePercentage: 0 } }],
 *   totalPrice: { currency: 'EUR' },
 *   taxConditions: { taxType: invoice.taxConditions.taxType },
 *   shippingConditions: { shippingType: 'none' },
 * }
 * ```
 */
export interface NewDunning extends SalesVoucher {
  shippingConditions: { shippingDate?: string; shippingEndDate?: string; shippingType: string }
}

/**
 * A dunning as lexoffice returns it (`GET /v1/dunnings/{id}`): always `voucherStatus: 'draft'`,
 * no voucher number, the dunned invoice in `relatedVouchers`. Fields lexoffice adds later pass
 * through as `unknown`.
 *
 * @example
 * ```ts
 * const dunning: Dunning = await client.dunnings.get(id)
 * const invoiceId = dunning.relatedVouchers?.find((r) => r.voucherType === 'invoice')?.id
 * ```
 */
export interface Dunning extends NewDunning {
  /** Always `NONE` for dunnings. */
  electronicDocumentProfile?: ElectronicDocumentProfile
  [field: string]: unknown
}

/**
 * Query options of creating a dunning. `precedingSalesVoucherId` (the invoice or down-payment
 * invoice being dunned) is required. There is no `finalize`: dunnings are always drafts.
 *
 * @example
 * ```ts
 * await client.dunnings.create(dunning, { precedingSalesVoucherId: invoiceId })
 * ```
 */
export interface CreateDunningOptions {
  precedingSalesVoucherId: string
}

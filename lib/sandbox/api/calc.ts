/**
 * Price arithmetic of sales vouchers: line-item amounts, tax amounts per rate and totals, the way
 * lexoffice computes the read-only fields (`lineItemAmount`, `taxAmounts`, `totalPrice`).
 *
 * @internal
 * @packageDocumentation
 */

/** Rounds to `digits` decimals (half away from zero, without binary-float surprises). @internal */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits
  return Math.round((value + Math.sign(value) * Number.EPSILON) * factor) / factor
}

/** A sales-voucher line item as the sandbox stores it. @internal */
export interface LineItem {
  type: string
  name: string
  description?: string
  quantity?: number
  unitName?: string
  unitPrice?: { currency: string; netAmount: number; grossAmount: number; taxRatePercentage: number }
  discountPercentage?: number
  lineItemAmount?: number
  id?: string
}

/** Totals of a sales voucher. @internal */
export interface Totals {
  totalPrice: { currency: 'EUR'; totalNetAmount: number; totalGrossAmount: number; totalTaxAmount: number }
  taxAmounts: Array<{ taxRatePercentage: number; taxAmount: number; netAmount: number }>
}

/**
 * Fills each line item's missing net or gross unit price and its `lineItemAmount` (net amounts for
 * every tax type except `gross`), and returns the voucher totals.
 *
 * @internal
 */
export function computeTotals(items: LineItem[], taxType: string): Totals {
  const gross = taxType === 'gross'
  const perRate = new Map<number, number>()
  for (const item of items) {
    if (item.type === 'text' || item.unitPrice === undefined) continue
    const price = item.unitPrice
    const rate = price.taxRatePercentage
    const quantity = item.quantity ?? 1
    const discount = 1 - (item.discountPercentage ?? 0) / 100
    const amount = round(quantity * (gross ? price.grossAmount : price.netAmount) * discount)
    item.lineItemAmount = amount
    perRate.set(rate, (perRate.get(rate) ?? 0) + amount)
  }
  const taxAmounts = [...perRate.entries()]
    .sort(([a], [b]) => a - b)
    .map(([rate, sum]) => {
      const net = gross ? round(sum / (1 + rate / 100)) : round(sum)
      const tax = gross ? round(sum - net) : round((sum * rate) / 100)
      return { taxRatePercentage: rate, taxAmount: tax, netAmount: net }
    })
  const totalNetAmount = round(taxAmounts.reduce((s, t) => s + t.netAmount, 0))
  const totalTaxAmount = round(taxAmounts.reduce((s, t) => s + t.taxAmount, 0))
  return {
    totalPrice: { currency: 'EUR', totalNetAmount, totalGrossAmount: round(totalNetAmount + totalTaxAmount), totalTaxAmount },
    taxAmounts,
  }
}

/** Completes a unit price given either its net or its gross amount. @internal */
export function completeUnitPrice(
  netAmount: number | undefined,
  grossAmount: number | undefined,
  taxRatePercentage: number,
): { currency: 'EUR'; netAmount: number; grossAmount: number; taxRatePercentage: number } {
  const factor = 1 + taxRatePercentage / 100
  const net = netAmount ?? round((grossAmount ?? 0) / factor, 4)
  const grossValue = grossAmount ?? round(net * factor, 4)
  return { currency: 'EUR', netAmount: net, grossAmount: grossValue, taxRatePercentage }
}

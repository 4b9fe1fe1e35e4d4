import type { BillingSeedContext } from './seedBilling'
import type { OrganizationData } from './OrganizationData'

/**
 * The demo data of the partner-API resources, seeded last (so the ids of everything before never
 * change): contact bank accounts, invoice interaction statuses, cash boxes with balances, and
 * financial accounts with transactions and their voucher assignments.
 * {@link DEMO_PARTNER_COUNTS} states how many there are.
 *
 * @packageDocumentation
 */

/**
 * How many partner-API records the demo data holds (tests may rely on these).
 *
 * @example
 * ```ts
 * import { DEMO_PARTNER_COUNTS } from 'passport-lexoffice/sandbox'
 * expect(await client.cashBoxes.list()).toHaveLength(DEMO_PARTNER_COUNTS.cashBoxes)
 * ```
 */
export const DEMO_PARTNER_COUNTS = Object.freeze({
  /** One each on the first two customers. */
  contactBankAccounts: 2,
  /** `TRANSMITTED`, on the first two open invoices. */
  invoiceInteractionStatuses: 2,
  /** `Ladenkasse` (with 3 balances) and `Marktstand` (none). */
  cashBoxes: 2,
  cashBoxBalances: 3,
  /** A `GIRO` and a `PAYMENT_PROVIDER` account. */
  financialAccounts: 2,
  /** 3 on the giro account, 2 on the payment-provider account. */
  financialTransactions: 5,
})

const REVENUE_CATEGORY = '8f8664a1-fd86-11e1-a21f-0800200c9a66'
const TRANSIT_CATEGORY = 'dd56efd2-6c62-40e4-9d9e-cba7b0045911'

function seedBankAccounts(org: OrganizationData, ctx: BillingSeedContext): void {
  const banks: Array<[string, string, string]> = [
    ['Deutsche Kreditbank Berlin', 'DE02120300000000202051', 'BYLADEM1001'],
    ['Commerzbank', 'DE89370400440532013000', 'COBADEFFXXX'],
  ]
  banks.forEach(([bankName, iban, bic], i) => {
    const contact = ctx.customers.at(i)
    if (contact === undefined) return
    const company = contact['company'] as { name?: string } | undefined
    org.bankAccounts.set(contact.id, [{ id: ctx.newId(), accountHolder: company?.name ?? 'Kontoinhaber', bankName, iban, bic }])
  })
}

function seedInteractionStatuses(org: OrganizationData, ctx: BillingSeedContext): void {
  const open = [...org.salesVouchers.values()].filter((v) => v.voucherType === 'invoice' && v.voucherStatus === 'open').slice(0, 2)
  for (const invoice of open) {
    org.interactionStatuses.set(invoice.id, {
      resourceId: invoice.id,
      organizationId: org.organizationId,
      createdDate: ctx.instant(3),
      updatedDate: ctx.instant(3),
      status: 'TRANSMITTED',
      version: 1,
    })
  }
}

function seedCashBoxes(org: OrganizationData, ctx: BillingSeedContext): void {
  const boxes: Array<[string, number, string]> = [
    ['Ladenkasse', 200, 'SB-KASSE-001'],
    ['Marktstand', 50, 'SB-KASSE-002'],
  ]
  boxes.forEach(([cashBoxName, openingAmount, identifier], i) => {
    const cashBoxId = ctx.newId()
    org.cashBoxes.set(cashBoxId, {
      cashBoxId,
      organizationId: org.organizationId,
      cashBoxName,
      openingDate: ctx.day(-60),
      openingAmount,
      currency: 'EUR',
      externalReference: `kasse-${i + 1}`,
      identifier,
      createdDate: ctx.instant(-60),
      updatedDate: ctx.instant(-60),
      version: 1,
    })
    if (i !== 0) return
    const balances = [1, 2, 3].map((n) => ({
      cashBoxId,
      organizationId: org.organizationId,
      voucherNumber: `Z-${String(n).padStart(4, '0')}`,
      voucherDate: ctx.day(n).replace('T00:00:00', 'T18:00:00'),
      userName: 'Kasse 1',
      positions: [
        { paymentType: 'cash', categoryId: REVENUE_CATEGORY, amount: 100 + n * 10, taxRatePercentage: 19, currency: 'EUR' },
        { paymentType: 'electronicCash', categoryId: REVENUE_CATEGORY, amount: 50 + n, taxRatePercentage: 7, currency: 'EUR' },
        { paymentType: 'electronicCash', categoryId: TRANSIT_CATEGORY, amount: 50 + n, taxRatePercentage: 0, currency: 'EUR' },
      ].map((p, k) => ({
        ...p,
        note: `Kassenabschluss ${n}.${k + 1}`,
        taxType: 'gross',
        voucherType: k === 2 ? 'expense' : 'revenue',
        voucherStatus: 'paid',
        voucherId: ctx.newId(),
      })),
    }))
    org.cashBoxBalances.set(cashBoxId, balances)
  })
}

function seedFinance(org: OrganizationData, ctx: BillingSeedContext): void {
  const giroId = ctx.newId()
  const pspId = ctx.newId()
  const account = (id: string, fields: Record<string, unknown>): void => {
    org.financialAccounts.set(id, {
      financialAccountId: id,
      createdDate: ctx.instant(-90),
      lastModifiedDate: ctx.instant(4),
      lockVersion: 0,
      deactivated: false,
      state: null,
      initialSyncDate: null,
      ...fields,
    })
  }
  account(giroId, {
    type: 'GIRO',
    accountSystem: 'sandbox-bank',
    name: 'Geschäftskonto',
    bankName: 'Sandbox Bank',
    accountHolder: 'Musterfirma GmbH',
    balance: 12_345.67,
    externalReference: 'giro-1',
    iban: 'DE61700009971000735224',
    bic: 'DDBADEMM002',
  })
  account(pspId, {
    type: 'PAYMENT_PROVIDER',
    accountSystem: 'sandbox-pay',
    name: 'Online-Zahlungen',
    bankName: 'Sandbox Pay',
    accountHolder: 'Musterfirma GmbH',
    balance: 420.5,
    externalReference: 'psp-1',
  })
  const paidInvoice = [...org.salesVouchers.values()].find((v) => v.voucherType === 'invoice' && v.voucherStatus === 'paid')
  const paidVoucher = [...org.vouchers.values()].find((v) => v.voucherStatus === 'paid')
  const rows: Array<[string, number, number, string, Array<{ id: string; type: string }>]> = [
    [giroId, -20, 1190, 'Zahlung Rechnung', paidInvoice ? [{ id: paidInvoice.id, type: 'invoice' }] : []],
    [giroId, -10, -238, 'Lieferantenrechnung', paidVoucher ? [{ id: paidVoucher.id, type: 'voucher' }] : []],
    [giroId, -2, -59.5, 'Kontoführung', []],
    [pspId, -5, 99.99, 'Bestellung 1001', []],
    [pspId, -1, 49.9, 'Bestellung 1002', []],
  ]
  rows.forEach(([financialAccountId, offset, amount, purpose, assigned], i) => {
    const id = ctx.newId()
    org.financialTransactions.set(id, {
      financialTransactionId: id,
      financialAccountId,
      valueDate: ctx.day(offset),
      bookingDate: ctx.day(offset),
      transactionDate: ctx.day(offset),
      purpose,
      amount,
      amountAsString: amount.toFixed(2).replace('.', ','),
      openAmount: null,
      openAmountAsString: null,
      additionalInfo: null,
      recipientOrSenderName: amount > 0 ? 'Kunde' : 'Lieferant',
      recipientOrSenderEmail: null,
      recipientOrSenderIban: null,
      recipientOrSenderBic: null,
      externalReference: `tx-${i + 1}`,
      endToEndId: null,
      state: assigned.length > 0 ? 'completely_assigned' : null,
      lockVersion: 0,
      createdDate: ctx.instant(offset),
      lastModifiedDate: ctx.instant(offset),
    })
    if (assigned.length > 0) org.transactionAssignments.set(id, assigned)
  })
}

/** Seeds the partner-API demo records. Called once, after the billing seed. @internal */
export function seedPartner(org: OrganizationData, ctx: BillingSeedContext): void {
  seedBankAccounts(org, ctx)
  seedInteractionStatuses(org, ctx)
  seedCashBoxes(org, ctx)
  seedFinance(org, ctx)
}

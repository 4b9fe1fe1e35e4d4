/**
 * Static reference data of the sandbox API, the same for every organisation: countries, payment
 * conditions, posting categories and print layouts. The ids are the sandbox's own (stable across
 * runs), not lexoffice's.
 *
 * @packageDocumentation
 */

/** A country as `GET /v1/countries` lists it. */
export interface Country {
  countryCode: string
  countryNameDE: string
  countryNameEN: string
  taxClassification: 'de' | 'intraCommunity' | 'thirdPartyCountry'
}

/** `GET /v1/countries`. */
export const COUNTRIES: readonly Country[] = [
  ['DE', 'Deutschland', 'Germany', 'de'],
  ['AT', 'Österreich', 'Austria', 'intraCommunity'],
  ['BE', 'Belgien', 'Belgium', 'intraCommunity'],
  ['DK', 'Dänemark', 'Denmark', 'intraCommunity'],
  ['ES', 'Spanien', 'Spain', 'intraCommunity'],
  ['FR', 'Frankreich', 'France', 'intraCommunity'],
  ['IT', 'Italien', 'Italy', 'intraCommunity'],
  ['LU', 'Luxemburg', 'Luxembourg', 'intraCommunity'],
  ['NL', 'Niederlande', 'Netherlands', 'intraCommunity'],
  ['PL', 'Polen', 'Poland', 'intraCommunity'],
  ['CZ', 'Tschechien', 'Czech Republic', 'intraCommunity'],
  ['SE', 'Schweden', 'Sweden', 'intraCommunity'],
  ['CH', 'Schweiz', 'Switzerland', 'thirdPartyCountry'],
  ['GB', 'Vereinigtes Königreich', 'United Kingdom', 'thirdPartyCountry'],
  ['NO', 'Norwegen', 'Norway', 'thirdPartyCountry'],
  ['US', 'Vereinigte Staaten von Amerika', 'United States', 'thirdPartyCountry'],
  ['CA', 'Kanada', 'Canada', 'thirdPartyCountry'],
  ['JP', 'Japan', 'Japan', 'thirdPartyCountry'],
].map(([countryCode, countryNameDE, countryNameEN, taxClassification]) =>
  Object.freeze({ countryCode, countryNameDE, countryNameEN, taxClassification } as Country),
)

/** Whether the sandbox knows a country code. */
export function isKnownCountry(code: unknown): boolean {
  return typeof code === 'string' && COUNTRIES.some((c) => c.countryCode === code)
}

/** A payment condition as `GET /v1/payment-conditions` lists it. */
export interface PaymentCondition {
  id: string
  paymentTermLabelTemplate: string
  paymentTermDuration: number
  paymentDiscountConditions?: { discountPercentage: number; discountRange: number }
  organizationDefault: boolean
}

/** `GET /v1/payment-conditions` (a bare array, not a page). */
export const PAYMENT_CONDITIONS: readonly PaymentCondition[] = [
  {
    id: '1b9f2c2e-1c5a-4a4b-9e64-0d1f7f6c0a01',
    paymentTermLabelTemplate: 'Zahlbar sofort, rein netto',
    paymentTermDuration: 0,
    organizationDefault: false,
  },
  {
    id: '1b9f2c2e-1c5a-4a4b-9e64-0d1f7f6c0a02',
    paymentTermLabelTemplate: 'Zahlbar innerhalb von {paymentRange} Tagen ohne Abzug',
    paymentTermDuration: 14,
    organizationDefault: true,
  },
  {
    id: '1b9f2c2e-1c5a-4a4b-9e64-0d1f7f6c0a03',
    paymentTermLabelTemplate: '{discount} Skonto bei Zahlung innerhalb von {discountRange} Tagen, {paymentRange} Tage netto',
    paymentTermDuration: 30,
    paymentDiscountConditions: { discountPercentage: 2, discountRange: 10 },
    organizationDefault: false,
  },
]

/** A posting category as `GET /v1/posting-categories` lists it. */
export interface PostingCategory {
  id: string
  name: string
  type: 'income' | 'outgo'
  contactRequired: boolean
  splitAllowed: boolean
  groupName: string
}

/** `GET /v1/posting-categories` (a bare array). Ids follow one fixed pattern, numbered. */
export const POSTING_CATEGORIES: readonly PostingCategory[] = (
  [
    ['Einnahmen', 'income', false, true, 'Einnahmen'],
    ['Warenverkauf', 'income', false, true, 'Einnahmen'],
    ['Dienstleistung', 'income', false, true, 'Einnahmen'],
    ['Provisionen', 'income', false, true, 'Einnahmen'],
    ['Zinserträge', 'income', false, false, 'Sonstige Einnahmen'],
    ['Wareneingang', 'outgo', false, true, 'Ausgaben'],
    ['Bürobedarf', 'outgo', false, true, 'Ausgaben'],
    ['Miete', 'outgo', true, false, 'Raumkosten'],
    ['Telekommunikation', 'outgo', false, true, 'Ausgaben'],
    ['Reisekosten', 'outgo', false, true, 'Reisekosten'],
    ['Fremdleistungen', 'outgo', true, true, 'Ausgaben'],
    ['Software', 'outgo', false, true, 'Ausgaben'],
  ] as const
).map(([name, type, contactRequired, splitAllowed, groupName], i) => ({
  id: `8f8664a${i.toString(16)}-fd86-11e1-a21f-0800200c9a66`,
  name,
  type,
  contactRequired,
  splitAllowed,
  groupName,
}))

/** A print layout as `GET /v1/print-layouts` lists it. */
export interface PrintLayout {
  id: string
  name: string
  default: boolean
}

/** `GET /v1/print-layouts` (a bare array). */
export const PRINT_LAYOUTS: readonly PrintLayout[] = [
  { id: '28c212c4-b6dd-11ee-b80a-dbc65f4ceccf', name: 'Standard', default: true },
  { id: '28c212c5-b6dd-11ee-b80a-dbc65f4ceccf', name: 'Briefpapier ohne Logo', default: false },
]

/** Tax rates the sandbox accepts on sales vouchers and bookkeeping vouchers. */
export const TAX_RATES: readonly number[] = [0, 5, 7, 16, 19]

import type { SandboxRequest, SandboxResponse } from '../types'
import { completeUnitPrice, type LineItem } from './calc'
import type { ApiCall, ApiRouteDef } from './context'
import type { Violation } from './errors'
import {
  actionResult,
  booleanParam,
  fail,
  isNumber,
  isObject,
  isText,
  isTimestamp,
  isUuid,
  ok,
  readJsonObject,
  singleParam,
  type JsonObject,
} from './http'
import { isKnownCountry, TAX_RATES } from './referenceData'
import { contactName, createSalesVoucher, SALES_KINDS, salesKind, salesVoucherJson, type SalesKind } from './salesModel'
import type { SalesVoucher } from './store'
import { draftHasNoDocument, renderVoucherPdf, requirePdfAccept, voucherPdfResponse } from './voucherPdf'

/**
 * The sales-voucher endpoints `/v1/invoices`, `/v1/quotations`, `/v1/credit-notes`,
 * `/v1/order-confirmations` and `/v1/delivery-notes`: create (draft, or `open` with
 * `?finalize=true`), read, and download the rendered PDF (`/{id}/file`). Regular error shape.
 *
 * @internal
 * @packageDocumentation
 */

const TAX_TYPES = [
  'net',
  'gross',
  'vatfree',
  'intraCommunitySupply',
  'constructionService13b',
  'externalService13b',
  'thirdPartyCountryService',
  'thirdPartyCountryDelivery',
  'photovoltaicEquipment',
]
const ITEM_TYPES = ['service', 'material', 'custom', 'text']
const SHIPPING_TYPES = ['service', 'serviceperiod', 'delivery', 'deliveryperiod', 'none']
const MAX_LINE_ITEMS = 300

function decimals(value: number): number {
  const text = String(value)
  const dot = text.indexOf('.')
  return dot < 0 || text.includes('e') ? 0 : text.length - dot - 1
}

/** Validates the body of a sales voucher POST (also a dunning's, as `invoice`) and turns it into stored form. @internal */
export function validateSalesVoucherBody(
  kind: SalesKind,
  body: JsonObject,
  call: ApiCall,
): { violations: Violation[]; input: Parameters<typeof createSalesVoucher>[2] } {
  const v: Violation[] = []
  if (body['version'] !== undefined && body['version'] !== 0)
    v.push({ field: 'version', violation: 'PATTERN', message: 'version must be 0 on creation' })
  if (body['voucherDate'] === undefined || body['voucherDate'] === null)
    v.push({ field: 'voucherDate', violation: 'NOTNULL', message: 'darf nicht leer sein' })
  else if (!isTimestamp(body['voucherDate']))
    v.push({ field: 'voucherDate', violation: 'PATTERN', message: 'must match yyyy-MM-ddTHH:mm:ss.SSSXXX' })

  const taxConditions = body['taxConditions']
  const taxType = isObject(taxConditions) ? taxConditions['taxType'] : undefined
  if (taxType === undefined || taxType === null)
    v.push({ field: 'taxConditions.taxType', violation: 'NOTNULL', message: 'darf nicht leer sein' })
  else if (typeof taxType !== 'string' || !TAX_TYPES.includes(taxType))
    v.push({ field: 'taxConditions.taxType', violation: 'NOTALLOWED', message: `unknown tax type` })
  const grossMode = taxType === 'gross'
  const taxFree = typeof taxType === 'string' && taxType !== 'net' && taxType !== 'gross'

  const totalPrice = body['totalPrice']
  if (!isObject(totalPrice) || totalPrice['currency'] === undefined)
    v.push({ field: 'totalPrice.currency', violation: 'NOTNULL', message: 'darf nicht leer sein' })
  else if (totalPrice['currency'] !== 'EUR')
    v.push({ field: 'totalPrice.currency', violation: 'NOTALLOWED', message: 'only EUR is supported' })

  // Address: a contact reference or a one-time address.
  let address: JsonObject = {}
  const rawAddress = body['address']
  if (!isObject(rawAddress)) v.push({ field: 'address', violation: 'NOTNULL', message: 'darf nicht leer sein' })
  else if (rawAddress['contactId'] !== undefined && rawAddress['contactId'] !== null) {
    const contact = isUuid(rawAddress['contactId']) ? call.org.contacts.get(rawAddress['contactId']) : undefined
    if (contact === undefined) v.push({ field: 'address.contactId', violation: 'NOTFOUND', message: 'unknown contact' })
    else if (!isObject(contact['roles']) || !isObject(contact['roles']['customer'])) {
      v.push({ field: 'address.contactId', violation: 'NOTALLOWED', message: 'the contact needs the role customer' })
    } else {
      const addresses = (contact['addresses'] ?? {}) as { billing?: JsonObject[]; shipping?: JsonObject[] }
      const preferred = kind.type === 'deliverynote' ? (addresses.shipping?.[0] ?? addresses.billing?.[0]) : addresses.billing?.[0]
      address = {
        contactId: contact.id,
        name: contactName(contact),
        ...(preferred ?? {}),
        ...pick(rawAddress, ['name', 'supplement', 'street', 'city', 'zip', 'countryCode']),
      }
    }
  } else {
    if (!isText(rawAddress['name'])) v.push({ field: 'address.name', violation: 'NOTNULL', message: 'darf nicht leer sein' })
    if (!isKnownCountry(rawAddress['countryCode']))
      v.push({ field: 'address.countryCode', violation: 'NOTNULL', message: 'a known country code is required' })
    address = pick(rawAddress, ['name', 'supplement', 'street', 'city', 'zip', 'countryCode'])
  }

  const lineItems: LineItem[] = []
  const rawItems = body['lineItems']
  if (!Array.isArray(rawItems) || rawItems.length === 0)
    v.push({ field: 'lineItems', violation: 'NOTNULL', message: 'at least one line item is required' })
  else if (rawItems.length > MAX_LINE_ITEMS)
    v.push({ field: 'lineItems', violation: 'SIZE', message: `at most ${MAX_LINE_ITEMS} line items` })
  else {
    rawItems.forEach((raw, i) => {
      const at = `lineItems[${i}]`
      if (!isObject(raw)) {
        v.push({ field: at, violation: 'NOTNULL', message: 'darf nicht leer sein' })
        return
      }
      const type = raw['type']
      if (typeof type !== 'string' || !ITEM_TYPES.includes(type)) {
        v.push({ field: `${at}.type`, violation: 'NOTALLOWED', message: 'one of service, material, custom, text' })
        return
      }
      if (!isText(raw['name'])) v.push({ field: `${at}.name`, violation: 'NOTNULL', message: 'darf nicht leer sein' })
      const item: LineItem = { type, name: typeof raw['name'] === 'string' ? raw['name'] : '' }
      if (typeof raw['description'] === 'string') item.description = raw['description']
      if (type === 'text') {
        lineItems.push(item)
        return
      }
      if (raw['id'] !== undefined && (!isUuid(raw['id']) || !call.org.articles.has(raw['id']))) {
        v.push({ field: `${at}.id`, violation: 'NOTFOUND', message: 'unknown article' })
      } else if (typeof raw['id'] === 'string') item.id = raw['id']
      const quantity = raw['quantity']
      if (!isNumber(quantity) || quantity < 0 || decimals(quantity) > 4)
        v.push({ field: `${at}.quantity`, violation: 'NOTNULL', message: 'a number >= 0 with at most 4 decimals' })
      if (!isText(raw['unitName'])) v.push({ field: `${at}.unitName`, violation: 'NOTNULL', message: 'darf nicht leer sein' })
      const price = raw['unitPrice']
      if (!isObject(price)) {
        v.push({ field: `${at}.unitPrice`, violation: 'NOTNULL', message: 'darf nicht leer sein' })
        return
      }
      if (price['currency'] !== 'EUR')
        v.push({ field: `${at}.unitPrice.currency`, violation: 'NOTALLOWED', message: 'only EUR is supported' })
      const rate = price['taxRatePercentage']
      if (rate === undefined || rate === null)
        v.push({ field: `${at}.unitPrice.taxRatePercentage`, violation: 'NOTNULL', message: 'darf nicht leer sein' })
      else if (!isNumber(rate) || !TAX_RATES.includes(rate))
        v.push({ field: `${at}.unitPrice.taxRatePercentage`, violation: 'NOTALLOWED', message: 'unsupported tax rate' })
      else if (taxFree && rate !== 0)
        v.push({ field: `${at}.unitPrice.taxRatePercentage`, violation: 'NOTALLOWED', message: 'must be 0 for tax-free vouchers' })
      const leading = grossMode ? 'grossAmount' : 'netAmount'
      const amount = price[leading]
      if (!isNumber(amount) || decimals(amount) > 4)
        v.push({ field: `${at}.unitPrice.${leading}`, violation: 'NOTNULL', message: 'a number with at most 4 decimals' })
      const discount = raw['discountPercentage']
      if (discount !== undefined && (!isNumber(discount) || discount < 0 || discount > 100)) {
        v.push({ field: `${at}.discountPercentage`, violation: 'NOTALLOWED', message: 'between 0 and 100' })
      }
      if (isNumber(quantity)) item.quantity = quantity
      if (isText(raw['unitName'])) item.unitName = raw['unitName']
      if (isNumber(rate) && isNumber(amount)) {
        item.unitPrice = grossMode ? completeUnitPrice(undefined, amount, rate) : completeUnitPrice(amount, undefined, rate)
      }
      item.discountPercentage = isNumber(discount) ? discount : 0
      lineItems.push(item)
    })
  }

  const extra: JsonObject = {}
  if (kind.type === 'invoice') {
    const shipping = body['shippingConditions']
    if (!isObject(shipping) || shipping['shippingType'] === undefined)
      v.push({ field: 'shippingConditions.shippingType', violation: 'NOTNULL', message: 'darf nicht leer sein' })
    else if (typeof shipping['shippingType'] !== 'string' || !SHIPPING_TYPES.includes(shipping['shippingType'])) {
      v.push({ field: 'shippingConditions.shippingType', violation: 'NOTALLOWED', message: 'unknown shipping type' })
    } else {
      if (shipping['shippingDate'] !== undefined && !isTimestamp(shipping['shippingDate']))
        v.push({ field: 'shippingConditions.shippingDate', violation: 'PATTERN', message: 'must match yyyy-MM-ddTHH:mm:ss.SSSXXX' })
      extra['shippingConditions'] = pick(shipping, ['shippingDate', 'shippingEndDate', 'shippingType'])
    }
  }
  if (kind.type === 'quotation' && body['expirationDate'] !== undefined) {
    if (!isTimestamp(body['expirationDate']))
      v.push({ field: 'expirationDate', violation: 'PATTERN', message: 'must match yyyy-MM-ddTHH:mm:ss.SSSXXX' })
    else extra['expirationDate'] = body['expirationDate']
  }
  if (kind.type !== 'creditnote' && kind.type !== 'deliverynote' && body['paymentConditions'] !== undefined) {
    const pc = body['paymentConditions']
    if (
      !isObject(pc) ||
      !isText(pc['paymentTermLabel']) ||
      !(isNumber(pc['paymentTermDuration']) && Number.isInteger(pc['paymentTermDuration']) && pc['paymentTermDuration'] >= 0)
    ) {
      v.push({ field: 'paymentConditions', violation: 'NOTNULL', message: 'paymentTermLabel and paymentTermDuration are required' })
    } else
      extra['paymentConditions'] = pick(pc, [
        'paymentTermLabel',
        'paymentTermLabelTemplate',
        'paymentTermDuration',
        'paymentDiscountConditions',
      ])
  }
  if (body['deliveryTerms'] !== undefined && typeof body['deliveryTerms'] === 'string') extra['deliveryTerms'] = body['deliveryTerms']
  const language = body['language']
  if (language !== undefined && language !== 'de' && language !== 'en')
    v.push({ field: 'language', violation: 'NOTALLOWED', message: 'de or en' })
  for (const text of ['title', 'introduction', 'remark'] as const) {
    const value = body[text]
    if (value !== undefined && (typeof value !== 'string' || value.length > 2000))
      v.push({ field: text, violation: 'SIZE', message: 'a string of at most 2000 characters' })
  }
  return {
    violations: v,
    input: {
      voucherDate: String(body['voucherDate']),
      address,
      lineItems,
      taxType: String(taxType),
      ...(language === 'de' || language === 'en' ? { language } : {}),
      ...(typeof body['title'] === 'string' ? { title: body['title'] } : {}),
      ...(typeof body['introduction'] === 'string' ? { introduction: body['introduction'] } : {}),
      ...(typeof body['remark'] === 'string' ? { remark: body['remark'] } : {}),
      extra,
    },
  }
}

function pick(source: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {}
  for (const key of keys) if (source[key] !== undefined && source[key] !== null) out[key] = source[key]
  return out
}

function addDays(timestamp: string, days: number): string {
  const date = timestamp.slice(0, 10)
  const rest = timestamp.slice(10)
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
  return `${next}${rest}`
}

function createHandler(kind: SalesKind) {
  return (req: SandboxRequest, call: ApiCall): SandboxResponse => {
    const finalize = booleanParam(req, 'finalize', call.errors) ?? false
    const preceding = singleParam(req, 'precedingSalesVoucherId', call.errors)
    const body = readJsonObject(req, call.errors)
    const { violations, input } = validateSalesVoucherBody(kind, body, call)
    let precedingVoucher: SalesVoucher | undefined
    if (preceding !== undefined) {
      precedingVoucher = isUuid(preceding) ? call.org.salesVouchers.get(preceding) : undefined
      if (precedingVoucher === undefined)
        violations.push({ field: 'precedingSalesVoucherId', violation: 'NOTFOUND', message: 'unknown sales voucher' })
    }
    if (violations.length > 0) return fail(call.errors.validation(violations))
    const status = finalize ? 'open' : 'draft'
    if (kind.type === 'invoice' && finalize) {
      const pc = input.extra?.['paymentConditions'] as { paymentTermDuration?: number } | undefined
      input.extra = { ...input.extra, dueDate: addDays(input.voucherDate, pc?.paymentTermDuration ?? 14) }
    }
    const voucher = createSalesVoucher(call.org, kind.type, input, status, call.store.timestamp(), call.newId)
    if (precedingVoucher !== undefined) {
      voucher['relatedVouchers'] = [
        { id: precedingVoucher.id, voucherNumber: precedingVoucher.voucherNumber ?? '', voucherType: precedingVoucher.voucherType },
      ]
    }
    call.store.emit(call.organizationId, `${kind.eventPrefix}.created`, voucher.id)
    return actionResult(req, kind.resource, voucher)
  }
}

function find(kind: SalesKind, req: SandboxRequest, call: ApiCall): SalesVoucher {
  const voucher = call.org.salesVouchers.get(req.params['id'] ?? '')
  if (voucher === undefined || voucher.voucherType !== kind.type) return fail(call.errors.notFound(kind.documentName))
  return voucher
}

/** Renders a finalized sales voucher as a one-page PDF. @internal */
export function renderSalesVoucherPdf(voucher: SalesVoucher): Buffer {
  return renderVoucherPdf(voucher, `${salesKind(voucher.voucherType).documentName} ${voucher.voucherNumber ?? 'Entwurf'}`)
}

/** A PDF response for a sales voucher. @internal */
export function pdfResponse(voucher: SalesVoucher): SandboxResponse {
  return voucherPdfResponse(voucher, `${salesKind(voucher.voucherType).documentName} ${voucher.voucherNumber ?? 'Entwurf'}`)
}

function routesOf(kind: SalesKind): ApiRouteDef[] {
  const base = `/v1/${kind.resource}`
  return [
    { method: 'POST', pattern: base, style: 'regular', handler: createHandler(kind) },
    { method: 'GET', pattern: `${base}/:id`, style: 'regular', handler: (req, call) => ok(salesVoucherJson(find(kind, req, call))) },
    {
      method: 'GET',
      pattern: `${base}/:id/file`,
      style: 'regular',
      handler: (req, call) => {
        const voucher = find(kind, req, call)
        requirePdfAccept(req, call, kind.type === 'invoice' || kind.type === 'creditnote')
        if (voucher.voucherStatus === 'draft') return fail(draftHasNoDocument(call, `${kind.documentName} ${voucher.id}`))
        return pdfResponse(voucher)
      },
    },
  ]
}

/** Routes of all five sales-voucher resources. @internal */
export const salesVoucherRoutes: ApiRouteDef[] = SALES_KINDS.flatMap(routesOf)

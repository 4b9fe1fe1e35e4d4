import type { SandboxRequest } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import { createdEntityFields, updatedEntityFields } from './entityFields'
import type { Violation } from './errors'
import {
  decodeSearchString,
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
import { parsePaging, toPage } from './paging'
import { requireCurrentVersion } from './requireCurrentVersion'
import { POSTING_CATEGORIES, TAX_RATES } from './referenceData'
import { saveEntity } from './saveEntity'
import type { BookkeepingVoucher } from './store'

/**
 * `/v1/vouchers` (bookkeeping vouchers): create, read, find by number, update (current `version`; a stale one
 * answers 409, or 406 with the variant `vouchersStaleVersionStatus`).
 * Legacy error shape (`IssueList`).
 *
 * @internal
 * @packageDocumentation
 */

/** Bookkeeping voucher types. @internal */
export const BOOKKEEPING_TYPES = ['salesinvoice', 'salescreditnote', 'purchaseinvoice', 'purchasecreditnote']

function validate(body: JsonObject, call: ApiCall, existing?: BookkeepingVoucher): { violations: Violation[]; fields: JsonObject } {
  const v: Violation[] = []
  const fields: JsonObject = {}
  if (typeof body['type'] !== 'string' || !BOOKKEEPING_TYPES.includes(body['type']))
    v.push({ field: 'type', violation: 'NOTALLOWED', message: BOOKKEEPING_TYPES.join(', ') })
  else fields['type'] = body['type']
  if (!isText(body['voucherNumber']) || body['voucherNumber'].length > 255)
    v.push({ field: 'voucherNumber', violation: 'NOTNULL', message: 'darf nicht leer sein' })
  else fields['voucherNumber'] = body['voucherNumber']
  for (const key of ['voucherDate', 'shippingDate', 'dueDate'] as const) {
    const value = body[key]
    if (value === undefined || value === null) {
      if (key === 'voucherDate') v.push({ field: key, violation: 'NOTNULL', message: 'darf nicht leer sein' })
    } else if (!isTimestamp(value)) v.push({ field: key, violation: 'PATTERN', message: 'must match yyyy-MM-ddTHH:mm:ss.SSSXXX' })
    else fields[key] = value
  }
  for (const key of ['totalGrossAmount', 'totalTaxAmount'] as const) {
    if (!isNumber(body[key])) v.push({ field: key, violation: 'NOTNULL', message: 'a number is required' })
    else fields[key] = body[key]
  }
  if (body['taxType'] !== 'gross' && body['taxType'] !== 'net')
    v.push({ field: 'taxType', violation: 'NOTALLOWED', message: 'gross or net' })
  else fields['taxType'] = body['taxType']
  const collective = body['useCollectiveContact'] === true
  fields['useCollectiveContact'] = collective
  if (!collective) {
    const contactId = body['contactId']
    if (!isUuid(contactId) || !call.org.contacts.has(contactId))
      v.push({ field: 'contactId', violation: 'NOTFOUND', message: 'an existing contact, or useCollectiveContact: true' })
    else fields['contactId'] = contactId
  }
  if (body['remark'] !== undefined && body['remark'] !== null) {
    if (typeof body['remark'] !== 'string') v.push({ field: 'remark', violation: 'PATTERN', message: 'a string' })
    else fields['remark'] = body['remark']
  }
  const items = body['voucherItems']
  if (!Array.isArray(items) || items.length === 0)
    v.push({ field: 'voucherItems', violation: 'NOTNULL', message: 'at least one voucher item' })
  else {
    items.forEach((item, i) => {
      const at = `voucherItems[${i}]`
      if (!isObject(item)) return v.push({ field: at, violation: 'NOTNULL', message: 'darf nicht leer sein' })
      if (!isNumber(item['amount'])) v.push({ field: `${at}.amount`, violation: 'NOTNULL', message: 'a number is required' })
      if (!isNumber(item['taxAmount'])) v.push({ field: `${at}.taxAmount`, violation: 'NOTNULL', message: 'a number is required' })
      if (!isNumber(item['taxRatePercent']) || !TAX_RATES.includes(item['taxRatePercent']))
        v.push({ field: `${at}.taxRatePercent`, violation: 'NOTALLOWED', message: 'unsupported tax rate' })
      if (!POSTING_CATEGORIES.some((c) => c.id === item['categoryId']))
        v.push({ field: `${at}.categoryId`, violation: 'NOTFOUND', message: 'unknown posting category' })
      return undefined
    })
    fields['voucherItems'] = (items as unknown[]).map((item) =>
      isObject(item)
        ? { amount: item['amount'], taxAmount: item['taxAmount'], taxRatePercent: item['taxRatePercent'], categoryId: item['categoryId'] }
        : item,
    )
  }
  const files = body['files']
  if (files !== undefined) {
    if (!Array.isArray(files) || files.some((f) => typeof f !== 'string' || !call.org.files.has(f)))
      v.push({ field: 'files', violation: 'NOTFOUND', message: 'ids of uploaded files' })
    else fields['files'] = files
  } else fields['files'] = existing?.['files'] ?? []
  return { violations: v, fields }
}

function find(req: SandboxRequest, call: ApiCall): BookkeepingVoucher {
  return call.org.vouchers.get(req.params['id'] ?? '') ?? fail(call.errors.notFound('voucher'))
}

function create(req: SandboxRequest, call: ApiCall) {
  const body = readJsonObject(req, call.errors)
  const { violations, fields } = validate(body, call)
  // docs/lexoffice.md §7: vouchers are the exception, a `version` in a POST must be 1.
  if (body['version'] !== undefined && body['version'] !== 1)
    violations.unshift({ field: 'version', violation: 'PATTERN', message: 'version must be 1 (or absent) on creation' })
  if (violations.length > 0) return fail(call.errors.validation(violations))
  const voucher: BookkeepingVoucher = {
    ...createdEntityFields(call, 1),
    voucherStatus: 'open',
    ...(fields as { type: string; voucherDate: string }),
  }
  return saveEntity(req, call, call.org.vouchers, voucher, 'vouchers', 'voucher.created')
}

function update(req: SandboxRequest, call: ApiCall) {
  const existing = find(req, call)
  const body = readJsonObject(req, call.errors)
  requireCurrentVersion(body, existing.version, call, (message) =>
    call.errors.staleVersion(call.options.variants.vouchersStaleVersionStatus, message),
  )
  const { violations, fields } = validate(body, call, existing)
  if (violations.length > 0) return fail(call.errors.validation(violations))
  const updated: BookkeepingVoucher = {
    ...updatedEntityFields(existing, call),
    voucherStatus: existing.voucherStatus === 'unchecked' ? 'open' : existing.voucherStatus,
    ...(fields as { type: string; voucherDate: string }),
  }
  const answer = saveEntity(req, call, call.org.vouchers, updated, 'vouchers', 'voucher.changed')
  if (updated.voucherStatus !== existing.voucherStatus) call.store.emit(call.organizationId, 'voucher.status.changed', updated.id)
  return answer
}

/**
 * `GET /v1/vouchers?voucherNumber=...` (deprecated at lexoffice in favour of the voucherlist): a
 * page of the bookkeeping vouchers with exactly that number (a search string, HTML-decoded).
 */
function findByNumber(req: SandboxRequest, call: ApiCall) {
  const paging = parsePaging(req, call.errors, 250)
  const raw = singleParam(req, 'voucherNumber', call.errors)
  const voucherNumber = raw === undefined ? undefined : decodeSearchString(raw)
  const items = [...call.org.vouchers.values()]
    .filter((v) => voucherNumber === undefined || v['voucherNumber'] === voucherNumber)
    .map((v) => structuredClone(v))
  return ok(toPage(items, paging))
}

/** The vouchers routes. @internal */
export const voucherRoutes: ApiRouteDef[] = [
  { method: 'GET', pattern: '/v1/vouchers', style: 'legacy', handler: findByNumber },
  { method: 'POST', pattern: '/v1/vouchers', style: 'legacy', handler: create },
  { method: 'GET', pattern: '/v1/vouchers/:id', style: 'legacy', handler: (req, call) => ok(structuredClone(find(req, call))) },
  { method: 'PUT', pattern: '/v1/vouchers/:id', style: 'legacy', handler: update },
]

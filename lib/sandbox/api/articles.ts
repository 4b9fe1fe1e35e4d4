import type { SandboxRequest } from '../types'
import { round } from './calc'
import type { ApiCall, ApiRouteDef } from './context'
import { createdEntityFields, updatedEntityFields } from './entityFields'
import type { Violation } from './errors'
import { decodeSearchString, fail, isNumber, isObject, isText, ok, readJsonObject, singleParam, type JsonObject } from './http'
import { parsePaging, toPage } from './paging'
import { requireCurrentVersion } from './requireCurrentVersion'
import { TAX_RATES } from './referenceData'
import { saveEntity } from './saveEntity'
import type { Entity } from './store'

/**
 * `/v1/articles`: list (filters `articleNumber`, `gtin`, `type`; paged, max 250), read, create,
 * update (current `version`, else 409) and delete. Regular error shape.
 *
 * @internal
 * @packageDocumentation
 */

const TYPES = ['PRODUCT', 'SERVICE']

function validate(body: JsonObject): { violations: Violation[]; fields: JsonObject } {
  const v: Violation[] = []
  const fields: JsonObject = {}
  if (!isText(body['title'])) v.push({ field: 'title', violation: 'NOTNULL', message: 'darf nicht leer sein' })
  else fields['title'] = body['title']
  if (typeof body['type'] !== 'string' || !TYPES.includes(body['type']))
    v.push({ field: 'type', violation: 'NOTALLOWED', message: 'PRODUCT or SERVICE' })
  else fields['type'] = body['type']
  if (!isText(body['unitName'])) v.push({ field: 'unitName', violation: 'NOTNULL', message: 'darf nicht leer sein' })
  else fields['unitName'] = body['unitName']
  for (const key of ['description', 'articleNumber', 'note'] as const) {
    const value = body[key]
    if (value === undefined || value === null) continue
    if (typeof value !== 'string' || value.length > 2000)
      v.push({ field: key, violation: 'SIZE', message: 'a string of at most 2000 characters' })
    else fields[key] = value
  }
  const gtin = body['gtin']
  if (gtin !== undefined && gtin !== null) {
    if (typeof gtin !== 'string' || !/^(\d{8}|\d{12,14})$/.test(gtin))
      v.push({ field: 'gtin', violation: 'PATTERN', message: 'a GTIN-8, -12, -13 or -14' })
    else fields['gtin'] = gtin
  }
  const price = body['price']
  if (!isObject(price)) v.push({ field: 'price', violation: 'NOTNULL', message: 'darf nicht leer sein' })
  else {
    const rate = price['taxRate']
    const leading = price['leadingPrice']
    if (!isNumber(rate) || !TAX_RATES.includes(rate))
      v.push({ field: 'price.taxRate', violation: 'NOTALLOWED', message: 'unsupported tax rate' })
    if (leading !== 'NET' && leading !== 'GROSS') v.push({ field: 'price.leadingPrice', violation: 'NOTALLOWED', message: 'NET or GROSS' })
    const key = leading === 'GROSS' ? 'grossPrice' : 'netPrice'
    const amount = price[key]
    if (!isNumber(amount) || amount < 0) v.push({ field: `price.${key}`, violation: 'NOTNULL', message: 'a number >= 0' })
    if (isNumber(rate) && isNumber(amount) && (leading === 'NET' || leading === 'GROSS')) {
      const factor = 1 + rate / 100
      fields['price'] =
        leading === 'NET'
          ? { netPrice: amount, grossPrice: round(amount * factor, 4), leadingPrice: leading, taxRate: rate }
          : { netPrice: round(amount / factor, 4), grossPrice: amount, leadingPrice: leading, taxRate: rate }
    }
  }
  if (body['archived'] !== undefined && typeof body['archived'] !== 'boolean')
    v.push({ field: 'archived', violation: 'PATTERN', message: 'a boolean' })
  else if (typeof body['archived'] === 'boolean') fields['archived'] = body['archived']
  return { violations: v, fields }
}

function find(req: SandboxRequest, call: ApiCall): Entity {
  const article = call.org.articles.get(req.params['id'] ?? '')
  return article ?? fail(call.errors.notFound('article'))
}

function list(req: SandboxRequest, call: ApiCall) {
  const paging = parsePaging(req, call.errors, 250)
  const rawNumber = singleParam(req, 'articleNumber', call.errors)
  const articleNumber = rawNumber === undefined ? undefined : decodeSearchString(rawNumber)
  const gtin = singleParam(req, 'gtin', call.errors)
  const type = singleParam(req, 'type', call.errors)
  if (type !== undefined && !TYPES.includes(type)) fail(call.errors.badRequest(`Invalid type '${type}'`, 'type'))
  const items = [...call.org.articles.values()].filter(
    (a) =>
      (articleNumber === undefined || a['articleNumber'] === articleNumber) &&
      (gtin === undefined || a['gtin'] === gtin) &&
      (type === undefined || a['type'] === type),
  )
  return ok(
    toPage(
      items.map((a) => structuredClone(a)),
      paging,
    ),
  )
}

function create(req: SandboxRequest, call: ApiCall) {
  const body = readJsonObject(req, call.errors)
  const { violations, fields } = validate(body)
  if (body['version'] !== undefined && body['version'] !== 0)
    violations.unshift({ field: 'version', violation: 'PATTERN', message: 'version must be 0 on creation' })
  if (violations.length > 0) return fail(call.errors.validation(violations))
  const article: Entity = {
    ...createdEntityFields(call, 1),
    archived: false,
    ...fields,
  }
  return saveEntity(req, call, call.org.articles, article, 'articles', 'article.created')
}

function update(req: SandboxRequest, call: ApiCall) {
  const existing = find(req, call)
  const body = readJsonObject(req, call.errors)
  requireCurrentVersion(body, existing.version, call, (message) => call.errors.conflict(message, 'version'))
  const { violations, fields } = validate(body)
  if (violations.length > 0) return fail(call.errors.validation(violations))
  const updated: Entity = {
    ...updatedEntityFields(existing, call),
    archived: existing['archived'] ?? false,
    ...fields,
  }
  return saveEntity(req, call, call.org.articles, updated, 'articles', 'article.changed')
}

function remove(req: SandboxRequest, call: ApiCall) {
  const article = find(req, call)
  call.org.articles.delete(article.id)
  call.store.emit(call.organizationId, 'article.deleted', article.id)
  return { status: 204 }
}

/** The articles routes. @internal */
export const articleRoutes: ApiRouteDef[] = [
  { method: 'GET', pattern: '/v1/articles', style: 'regular', handler: list },
  { method: 'GET', pattern: '/v1/articles/:id', style: 'regular', handler: (req, call) => ok(structuredClone(find(req, call))) },
  { method: 'POST', pattern: '/v1/articles', style: 'regular', handler: create },
  { method: 'PUT', pattern: '/v1/articles/:id', style: 'regular', handler: update },
  { method: 'DELETE', pattern: '/v1/articles/:id', style: 'regular', handler: remove },
]

import type { SandboxRequest, SandboxResponse } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import { fail, ok, type JsonObject } from './http'
import { parsePaging, parseSort, sortEntry, toPage } from './paging'
import type { Entity } from './store'

/**
 * `/v1/recurring-templates` (read-only; scope `recurring-templates.read`; regular error shape):
 *
 * - `GET` list, paged (size at most 100, variant `recurringTemplatesMaxPageSize`) and sortable by `createdDate`, `updatedDate`,
 *   `lastExecutionDate` or `nextExecutionDate` (lexoffice names `nextExecutionDate`; the others
 *   come from a third-party catalogue of its docs, UNVERIFIED). Default order `createdDate,DESC`,
 *   as in lexoffice's sample page. Templates without the date (a paused template has no
 *   `nextExecutionDate`) come last in ascending and first in descending order (the sandbox's
 *   choice). Entries are summaries: id, organization, dates, contact (id and name), title, total
 *   price (currency, net, gross), payment conditions and the settings, as lexoffice documents.
 * - `GET /{id}`: the whole template.
 *
 * @internal
 * @packageDocumentation
 */

const SORTABLE = ['createdDate', 'updatedDate', 'lastExecutionDate', 'nextExecutionDate']
const IN_SETTINGS = ['lastExecutionDate', 'nextExecutionDate']

function sortValue(template: Entity, property: string): string | undefined {
  const source = IN_SETTINGS.includes(property) ? ((template['recurringTemplateSettings'] ?? {}) as JsonObject) : template
  const value = source[property]
  return typeof value === 'string' ? value : undefined
}

/** The list entry lexoffice shows for a template. */
function summary(template: Entity): JsonObject {
  const address = (template['address'] ?? {}) as JsonObject
  const total = (template['totalPrice'] ?? {}) as JsonObject
  return structuredClone({
    id: template.id,
    organizationId: template.organizationId,
    createdDate: template.createdDate,
    updatedDate: template.updatedDate,
    address: { contactId: address['contactId'], name: address['name'] },
    ...(template['paymentConditions'] !== undefined ? { paymentConditions: template['paymentConditions'] } : {}),
    recurringTemplateSettings: template['recurringTemplateSettings'],
    title: template['title'],
    totalPrice: { currency: total['currency'], totalGrossAmount: total['totalGrossAmount'], totalNetAmount: total['totalNetAmount'] },
  })
}

function list(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const paging = parsePaging(req, call.errors, call.options.variants.recurringTemplatesMaxPageSize)
  const sort = parseSort(req, call.errors, SORTABLE, sortEntry('createdDate', 'DESC'))
  const direction = sort.direction === 'ASC' ? 1 : -1
  const items = [...call.org.recurringTemplates.values()].sort((a, b) => {
    const x = sortValue(a, sort.property)
    const y = sortValue(b, sort.property)
    if (x === undefined || y === undefined) {
      if (x !== y) return (x === undefined ? 1 : -1) * direction
    } else if (x !== y) return (x < y ? -1 : 1) * direction
    return a.id < b.id ? -1 : 1
  })
  return ok(toPage(items.map(summary), paging, [sort]))
}

function get(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const template = call.org.recurringTemplates.get(req.params['id'] ?? '')
  return template === undefined ? fail(call.errors.notFound('recurring template')) : ok(structuredClone(template))
}

/** The recurring-templates routes. @internal */
export const recurringTemplateRoutes: ApiRouteDef[] = [
  { method: 'GET', pattern: '/v1/recurring-templates', style: 'regular', handler: list },
  { method: 'GET', pattern: '/v1/recurring-templates/:id', style: 'regular', handler: get },
]

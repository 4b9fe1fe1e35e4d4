import type { SandboxRequest } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import { createdEntityFields, updatedEntityFields } from './entityFields'
import type { Violation } from './errors'
import {
  booleanParam,
  decodeSearchString,
  fail,
  isObject,
  isText,
  likeMatcher,
  ok,
  readJsonObject,
  singleParam,
  type JsonObject,
} from './http'
import { parsePaging, toPage } from './paging'
import { requireCurrentVersion } from './requireCurrentVersion'
import { isKnownCountry } from './referenceData'
import { contactName } from './salesModel'
import { saveEntity } from './saveEntity'
import type { Entity } from './store'

/**
 * `/v1/contacts`: list with filters and paging, read, create (`version: 0`) and update (current
 * `version`; a stale one answers 406 `invalid_value` at `version`, or 409, see the variant
 * `contactsStaleVersionStatus`). Legacy error shape (`IssueList`).
 *
 * @internal
 * @packageDocumentation
 */

const EMAIL_KINDS = ['business', 'office', 'private', 'other'] as const
const COMPANY_FIELDS = ['name', 'taxNumber', 'vatRegistrationId', 'allowTaxFreeInvoices']
const CONTACT_PERSON_FIELDS = ['salutation', 'firstName', 'lastName', 'primary', 'emailAddress', 'phoneNumber']
const PERSON_FIELDS = ['salutation', 'firstName', 'lastName']
const ADDRESS_FIELDS = ['supplement', 'street', 'zip', 'city', 'countryCode']

/** Copies the known scalar fields of an object (unknown or nested input is dropped, as lexoffice ignores it). */
function known(source: JsonObject, fields: readonly string[]): JsonObject {
  const out: JsonObject = {}
  for (const f of fields) {
    const value = source[f]
    if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') out[f] = value
  }
  return out
}
const PHONE_KINDS = ['business', 'office', 'mobile', 'private', 'fax', 'other'] as const

/** The public JSON of a contact (lexoffice shows no created/updated dates on contacts). */
export function contactJson(contact: Entity): JsonObject {
  const { createdDate: _c, updatedDate: _u, ...json } = structuredClone(contact)
  return json
}

function emailsOf(contact: Entity): string[] {
  const out: string[] = []
  const emails = contact['emailAddresses']
  if (isObject(emails))
    for (const list of Object.values(emails)) if (Array.isArray(list)) out.push(...list.filter((e): e is string => typeof e === 'string'))
  const company = contact['company']
  if (isObject(company) && Array.isArray(company['contactPersons'])) {
    for (const p of company['contactPersons']) if (isObject(p) && typeof p['emailAddress'] === 'string') out.push(p['emailAddress'])
  }
  return out
}

function rolesOf(contact: Entity): { customer?: number; vendor?: number } {
  const roles = (contact['roles'] ?? {}) as { customer?: { number?: number }; vendor?: { number?: number } }
  return {
    ...(roles.customer !== undefined ? { customer: roles.customer.number ?? -1 } : {}),
    ...(roles.vendor !== undefined ? { vendor: roles.vendor.number ?? -1 } : {}),
  }
}

/** Reads a search filter: HTML-decoded, at least 3 characters (400 otherwise). */
function searchParam(req: SandboxRequest, call: ApiCall, name: string): string | undefined {
  const raw = singleParam(req, name, call.errors)
  if (raw === undefined) return undefined
  const value = decodeSearchString(raw)
  if (Array.from(value).length < 3) fail(call.errors.badRequest(`The filter '${name}' needs at least 3 characters`, name))
  return value
}

function list(req: SandboxRequest, call: ApiCall) {
  const paging = parsePaging(req, call.errors, 250)
  const email = searchParam(req, call, 'email')
  const name = searchParam(req, call, 'name')
  const rawNumber = singleParam(req, 'number', call.errors)
  if (rawNumber !== undefined && !/^\d{1,9}$/.test(rawNumber)) fail(call.errors.badRequest(`Invalid number '${rawNumber}'`, 'number'))
  const number = rawNumber === undefined ? undefined : Number(rawNumber)
  const customer = booleanParam(req, 'customer', call.errors)
  const vendor = booleanParam(req, 'vendor', call.errors)
  const emailMatch = email === undefined ? undefined : likeMatcher(email)
  const nameMatch = name === undefined ? undefined : likeMatcher(name)

  const items = [...call.org.contacts.values()].filter((c) => {
    const roles = rolesOf(c)
    if (customer !== undefined && (roles.customer !== undefined) !== customer) return false
    if (vendor !== undefined && (roles.vendor !== undefined) !== vendor) return false
    if (number !== undefined && roles.customer !== number && roles.vendor !== number) return false
    if (emailMatch !== undefined && !emailsOf(c).some(emailMatch)) return false
    if (nameMatch !== undefined) {
      const person = (c['person'] ?? {}) as { lastName?: string }
      if (!nameMatch(contactName(c)) && !(typeof person.lastName === 'string' && nameMatch(person.lastName))) return false
    }
    return true
  })
  return ok(toPage(items.map(contactJson), paging))
}

function get(req: SandboxRequest, call: ApiCall) {
  const contact = call.org.contacts.get(req.params['id'] ?? '')
  if (contact === undefined) return fail(call.errors.notFound('contact'))
  return ok(contactJson(contact))
}

/** Validates a contact body; returns the writable fields. */
function validate(body: JsonObject): { violations: Violation[]; fields: JsonObject } {
  const v: Violation[] = []
  const fields: JsonObject = {}
  const roles = body['roles']
  if (!isObject(roles) || (!isObject(roles['customer']) && !isObject(roles['vendor']))) {
    v.push({ field: 'roles', violation: 'NOTNULL', message: 'a contact needs the role customer and/or vendor' })
  }
  const company = body['company']
  const person = body['person']
  if ((company === undefined || company === null) === (person === undefined || person === null)) {
    v.push({ field: 'company and person', violation: 'NOTNULL', message: 'exactly one of company and person is required' })
  } else if (company !== undefined && company !== null) {
    if (!isObject(company) || !isText(company['name']))
      v.push({ field: 'company.name', violation: 'NOTNULL', message: 'darf nicht leer sein' })
    else {
      const persons = company['contactPersons']
      if (persons !== undefined && (!Array.isArray(persons) || persons.some((p) => !isObject(p) || !isText(p['lastName'])))) {
        v.push({ field: 'company.contactPersons', violation: 'NOTNULL', message: 'each contact person needs a lastName' })
      }
      fields['company'] = {
        ...known(company, COMPANY_FIELDS),
        ...(Array.isArray(persons) ? { contactPersons: persons.map((p) => known(p as JsonObject, CONTACT_PERSON_FIELDS)) } : {}),
      }
    }
  } else if (!isObject(person) || !isText(person['lastName'])) {
    v.push({ field: 'person.lastName', violation: 'NOTNULL', message: 'darf nicht leer sein' })
  } else if (person['salutation'] !== undefined && (typeof person['salutation'] !== 'string' || person['salutation'].length > 25)) {
    v.push({ field: 'person.salutation', violation: 'SIZE', message: 'at most 25 characters' })
  } else {
    fields['person'] = known(person, PERSON_FIELDS)
  }

  const addresses = body['addresses']
  if (addresses !== undefined) {
    if (!isObject(addresses)) v.push({ field: 'addresses', violation: 'PATTERN', message: 'must be an object' })
    else {
      for (const kind of ['billing', 'shipping']) {
        const entries = addresses[kind]
        if (entries === undefined) continue
        if (!Array.isArray(entries)) {
          v.push({ field: `addresses.${kind}`, violation: 'PATTERN', message: 'must be a list' })
          continue
        }
        entries.forEach((a, i) => {
          if (!isObject(a) || !isKnownCountry(a['countryCode'])) {
            v.push({
              field: `addresses.${kind}[${i}].countryCode`,
              violation: 'NOTNULL',
              message: 'a known ISO 3166 alpha-2 country code is required',
            })
          }
        })
      }
      const copy: JsonObject = {}
      for (const kind of ['billing', 'shipping']) {
        const entries = addresses[kind]
        if (Array.isArray(entries)) copy[kind] = (entries as unknown[]).map((a) => (isObject(a) ? known(a, ADDRESS_FIELDS) : a))
      }
      fields['addresses'] = copy
    }
  }
  const listField = (name: string, kinds: readonly string[], check: (s: string) => boolean): void => {
    const value = body[name]
    if (value === undefined) return
    if (!isObject(value)) {
      v.push({ field: name, violation: 'PATTERN', message: 'must be an object' })
      return
    }
    for (const [kind, entries] of Object.entries(value)) {
      if (!kinds.includes(kind)) v.push({ field: `${name}.${kind}`, violation: 'NOTALLOWED', message: `unknown kind '${kind}'` })
      else if (!Array.isArray(entries) || entries.some((e) => typeof e !== 'string' || !check(e))) {
        v.push({ field: `${name}.${kind}`, violation: 'PATTERN', message: 'must be a list of valid entries' })
      }
    }
    fields[name] = value
  }
  listField('emailAddresses', EMAIL_KINDS, (e) => /^[^\s@]+@[^\s@]+$/.test(e))
  listField('phoneNumbers', PHONE_KINDS, (p) => p.trim() !== '' && p.length <= 30)
  if (body['note'] !== undefined) {
    if (typeof body['note'] !== 'string' || body['note'].length > 1000)
      v.push({ field: 'note', violation: 'SIZE', message: 'a string of at most 1000 characters' })
    else fields['note'] = body['note']
  }
  if (body['archived'] !== undefined) {
    if (typeof body['archived'] !== 'boolean') v.push({ field: 'archived', violation: 'PATTERN', message: 'must be a boolean' })
    else fields['archived'] = body['archived']
  }
  return { violations: v, fields }
}

/** Assigns numbers to the requested roles, keeping numbers the contact already had. */
function assignRoles(call: ApiCall, requested: JsonObject, existing: { customer?: number; vendor?: number }): JsonObject {
  const out: JsonObject = {}
  if (isObject(requested['customer'])) out['customer'] = { number: existing.customer ?? call.org.next('customer', 10000) }
  if (isObject(requested['vendor'])) out['vendor'] = { number: existing.vendor ?? call.org.next('vendor', 70000) }
  return out
}

function create(req: SandboxRequest, call: ApiCall) {
  const body = readJsonObject(req, call.errors)
  const { violations, fields } = validate(body)
  if (body['version'] !== 0) violations.unshift({ field: 'version', violation: 'PATTERN', message: 'version must be 0 on creation' })
  if (violations.length > 0) return fail(call.errors.validation(violations))
  const contact: Entity = {
    ...createdEntityFields(call, 0),
    roles: assignRoles(call, body['roles'] as JsonObject, {}),
    ...fields,
    archived: fields['archived'] ?? false,
  }
  return saveEntity(req, call, call.org.contacts, contact, 'contacts', 'contact.created')
}

function update(req: SandboxRequest, call: ApiCall) {
  const existing = call.org.contacts.get(req.params['id'] ?? '')
  if (existing === undefined) return fail(call.errors.notFound('contact'))
  const body = readJsonObject(req, call.errors)
  requireCurrentVersion(body, existing.version, call, (message) =>
    call.errors.staleVersion(call.options.variants.contactsStaleVersionStatus, message),
  )
  const { violations, fields } = validate(body)
  if (violations.length > 0) return fail(call.errors.validation(violations))
  const updated: Entity = {
    ...updatedEntityFields(existing, call),
    roles: assignRoles(call, body['roles'] as JsonObject, rolesOf(existing)),
    ...fields,
    archived: fields['archived'] ?? existing['archived'] ?? false,
  }
  return saveEntity(req, call, call.org.contacts, updated, 'contacts', 'contact.changed')
}

/** The contacts routes. @internal */
export const contactRoutes: ApiRouteDef[] = [
  { method: 'GET', pattern: '/v1/contacts', style: 'legacy', handler: list },
  { method: 'GET', pattern: '/v1/contacts/:id', style: 'legacy', handler: get },
  { method: 'POST', pattern: '/v1/contacts', style: 'legacy', handler: create },
  { method: 'PUT', pattern: '/v1/contacts/:id', style: 'legacy', handler: update },
]

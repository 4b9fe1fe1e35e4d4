import type { SandboxRequest, SandboxResponse } from '../types'
import { requireCurrentVersion } from './requireCurrentVersion'
import type { ApiCall, ApiRouteDef } from './context'
import type { Violation } from './errors'
import { baseUrl, fail, isText, ok, readJsonObject } from './http'
import type { ContactBankAccount, Entity } from './store'

/**
 * `/v1/contacts/{id}/bankaccounts` (partner API; scopes `contacts.bankaccounts.read` /
 * `contacts.bankaccounts.write`; legacy error shape, as the contacts endpoint): list (a bare
 * array, possibly empty), read, create, update and delete a contact's bank accounts.
 *
 * As the docs say, an account's `version` is its contact's: every write raises the contact's
 * version (and emits `contact.changed`); POST ignores `version`; PUT requires the current one (a
 * stale one answers like a stale contact: variant `contactsStaleVersionStatus`). `accountHolder`,
 * `bankName`, `iban` and `bic` are required (IBAN and BIC are checked for their shape only).
 * DELETE → 204. POST answers 200 with the action result (the docs give no status).
 *
 * @internal
 * @packageDocumentation
 */

const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/
const BIC = /^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$/

function contactOf(req: SandboxRequest, call: ApiCall): Entity {
  return call.org.contacts.get(req.params['id'] ?? '') ?? fail(call.errors.notFound('contact'))
}

function accountsOf(call: ApiCall, contact: Entity): ContactBankAccount[] {
  return call.org.bankAccounts.get(contact.id) ?? []
}

function accountOf(req: SandboxRequest, call: ApiCall, contact: Entity): ContactBankAccount {
  return accountsOf(call, contact).find((a) => a.id === req.params['accountId']) ?? fail(call.errors.notFound('bank account'))
}

function view(account: ContactBankAccount, contact: Entity): Record<string, unknown> {
  return { ...account, version: contact.version }
}

function validate(body: Record<string, unknown>): { violations: Violation[]; account: Omit<ContactBankAccount, 'id'> } {
  const v: Violation[] = []
  for (const key of ['accountHolder', 'bankName', 'iban', 'bic'] as const) {
    if (!isText(body[key]) || body[key].length > 255) v.push({ field: key, violation: 'NOTNULL', message: 'darf nicht leer sein' })
  }
  const iban = typeof body['iban'] === 'string' ? body['iban'].replace(/\s+/g, '').toUpperCase() : ''
  const bic = typeof body['bic'] === 'string' ? body['bic'].trim().toUpperCase() : ''
  if (iban !== '' && !IBAN.test(iban)) v.push({ field: 'iban', violation: 'PATTERN', message: 'not an IBAN' })
  if (bic !== '' && !BIC.test(bic)) v.push({ field: 'bic', violation: 'PATTERN', message: 'not a BIC' })
  return {
    violations: v,
    account: {
      accountHolder: typeof body['accountHolder'] === 'string' ? body['accountHolder'] : '',
      bankName: typeof body['bankName'] === 'string' ? body['bankName'] : '',
      iban,
      bic,
    },
  }
}

/** Raises the contact's version for a change to its accounts and answers the action result. */
function written(req: SandboxRequest, call: ApiCall, contact: Entity, accountId: string): SandboxResponse {
  contact.version += 1
  contact.updatedDate = call.store.timestamp()
  call.store.emit(call.organizationId, 'contact.changed', contact.id)
  const resourceUri = `${baseUrl(req)}/v1/contacts/${contact.id}/bankaccounts/${accountId}`
  return {
    status: 200,
    headers: { 'content-type': 'application/json', location: resourceUri },
    body: { id: accountId, resourceUri, createdDate: contact.createdDate, updatedDate: contact.updatedDate, version: contact.version },
  }
}

function create(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const contact = contactOf(req, call)
  const { violations, account } = validate(readJsonObject(req, call.errors))
  if (violations.length > 0) return fail(call.errors.validation(violations))
  const stored: ContactBankAccount = { id: call.newId(), ...account }
  call.org.bankAccounts.set(contact.id, [...accountsOf(call, contact), stored])
  return written(req, call, contact, stored.id)
}

function update(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const contact = contactOf(req, call)
  const existing = accountOf(req, call, contact)
  const body = readJsonObject(req, call.errors)
  requireCurrentVersion(body, contact.version, call, (message) =>
    call.errors.staleVersion(call.options.variants.contactsStaleVersionStatus, message),
  )
  const { violations, account } = validate(body)
  if (violations.length > 0) return fail(call.errors.validation(violations))
  call.org.bankAccounts.set(
    contact.id,
    accountsOf(call, contact).map((a) => (a.id === existing.id ? { id: a.id, ...account } : a)),
  )
  return written(req, call, contact, existing.id)
}

function remove(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const contact = contactOf(req, call)
  const existing = accountOf(req, call, contact)
  call.org.bankAccounts.set(
    contact.id,
    accountsOf(call, contact).filter((a) => a.id !== existing.id),
  )
  written(req, call, contact, existing.id)
  return { status: 204 }
}

/** The contact bank-account routes. @internal */
export const contactBankAccountRoutes: ApiRouteDef[] = [
  {
    method: 'GET',
    pattern: '/v1/contacts/:id/bankaccounts',
    style: 'legacy',
    handler: (req, call) => {
      const contact = contactOf(req, call)
      return ok(accountsOf(call, contact).map((a) => view(a, contact)))
    },
  },
  {
    method: 'GET',
    pattern: '/v1/contacts/:id/bankaccounts/:accountId',
    style: 'legacy',
    handler: (req, call) => {
      const contact = contactOf(req, call)
      return ok(view(accountOf(req, call, contact), contact))
    },
  },
  { method: 'POST', pattern: '/v1/contacts/:id/bankaccounts', style: 'legacy', handler: create },
  { method: 'PUT', pattern: '/v1/contacts/:id/bankaccounts/:accountId', style: 'legacy', handler: update },
  { method: 'DELETE', pattern: '/v1/contacts/:id/bankaccounts/:accountId', style: 'legacy', handler: remove },
]

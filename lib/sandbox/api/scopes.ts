/**
 * The OAuth scopes each sandbox API route needs, from the "Required OAuth scopes" section of
 * every endpoint in lexoffice's partner docs (`docs/lexoffice-api-sources.md`). One table, so
 * that every route's rule is stated once and a route without a rule cannot be mounted.
 *
 * A rule lists alternatives; each alternative is a set of scopes that must all be granted.
 * `[]` means no scope is needed; `[['a'], ['b']]` means a or b; `[['a', 'b']]` means a and b
 * (lexoffice writes that as "POST (of file) -> vouchers.write files.write").
 *
 * @internal
 * @packageDocumentation
 */

/** Alternatives of scope sets; an empty list means "no scope needed". @internal */
export type ScopeRule = readonly (readonly string[])[]

const one = (scope: string): ScopeRule => [[scope]]

/** Any sales-voucher read scope (print layouts, partner docs). */
const SALES_READ: ScopeRule = [
  'credit-notes.read',
  'invoices.read',
  'order-confirmations.read',
  'quotations.read',
  'delivery-notes.read',
  'recurring-templates.read',
  'dunnings.read',
].map((s) => [s])

/** The sales-voucher endpoints with their own scope names (`invoices.read`, `quotations.write`, ...). */
const SALES = ['invoices', 'quotations', 'credit-notes', 'order-confirmations', 'delivery-notes', 'dunnings']

const RULES: Partial<Record<string, ScopeRule>> = {
  'GET /v1/profile': one('profile.read'),
  'GET /v1/organization': one('organization.read'),
  'GET /v1/partner-integrations': [],
  'PUT /v1/partner-integrations': [],

  'GET /v1/contacts': one('contacts.read'),
  'GET /v1/contacts/:id': one('contacts.read'),
  'POST /v1/contacts': one('contacts.write'),
  'PUT /v1/contacts/:id': one('contacts.write'),
  'GET /v1/contacts/:id/bankaccounts': one('contacts.bankaccounts.read'),
  'GET /v1/contacts/:id/bankaccounts/:accountId': one('contacts.bankaccounts.read'),
  'POST /v1/contacts/:id/bankaccounts': one('contacts.bankaccounts.write'),
  'PUT /v1/contacts/:id/bankaccounts/:accountId': one('contacts.bankaccounts.write'),
  'DELETE /v1/contacts/:id/bankaccounts/:accountId': one('contacts.bankaccounts.write'),

  'GET /v1/articles': one('articles.read'),
  'GET /v1/articles/:id': one('articles.read'),
  'POST /v1/articles': one('articles.write'),
  'PUT /v1/articles/:id': one('articles.write'),
  'DELETE /v1/articles/:id': one('articles.write'),

  'GET /v1/invoices/:id/interaction-status': one('invoices.read'),
  'PUT /v1/invoices/:id/interaction-status': one('invoices.read'),
  'GET /v1/down-payment-invoices/:id': one('invoices.read'),
  'GET /v1/down-payment-invoices/:id/file': one('invoices.read'),
  'GET /v1/recurring-templates': one('recurring-templates.read'),
  'GET /v1/recurring-templates/:id': one('recurring-templates.read'),
  'GET /v1/payments/:id': one('payments.read'),
  'GET /v1/voucherlist': one('voucherlist.read'),

  'GET /v1/vouchers': one('vouchers.read'),
  'GET /v1/vouchers/:id': one('vouchers.read'),
  'POST /v1/vouchers': one('vouchers.write'),
  'PUT /v1/vouchers/:id': one('vouchers.write'),
  'POST /v1/vouchers/:id/files': [['vouchers.write', 'files.write']],

  'POST /v1/files': one('files.write'),
  'GET /v1/files/:id': one('files.read'),
  'GET /v1/files/:id/status': one('files.status'),

  'GET /v1/event-subscriptions': [],
  'GET /v1/event-subscriptions/:id': [],
  'POST /v1/event-subscriptions': [],
  'DELETE /v1/event-subscriptions/:id': [],

  'GET /v1/countries': [],
  'GET /v1/payment-conditions': [],
  'GET /v1/posting-categories': [],
  'GET /v1/print-layouts': SALES_READ,

  'GET /v1/cash-boxes': one('cashbox.read'),
  'GET /v1/cash-boxes/:id': one('cashbox.read'),
  'GET /v1/cash-boxes/:id/balances': one('cashbox.read'),

  'GET /v1/finance/accounts': one('finance.read'),
  'GET /v1/finance/accounts/:id': one('finance.read'),
  'GET /v1/finance/transactions/latest-transaction': one('finance.read'),
  'GET /v1/finance/transactions/:id': one('finance.read'),
  'GET /v1/finance/transactions/:id/assignments': one('finance.read'),
}
for (const resource of SALES) {
  RULES[`POST /v1/${resource}`] = one(`${resource}.write`)
  RULES[`GET /v1/${resource}/:id`] = one(`${resource}.read`)
  RULES[`GET /v1/${resource}/:id/file`] = one(`${resource}.read`)
  RULES[`POST /v1/${resource}/:id/sendmail`] = one('vouchers.sendmail')
}

/**
 * The scope rule of a route.
 *
 * @throws Error when the route has no rule (a programming error: add it to the table).
 * @internal
 */
export function scopeRuleFor(method: string, pattern: string): ScopeRule {
  const rule = RULES[`${method} ${pattern}`]
  if (rule === undefined) throw new Error(`sandbox: no scope rule for ${method} ${pattern}`)
  return rule
}

/** Whether `granted` satisfies `rule`. @internal */
export function scopesAllow(rule: ScopeRule, granted: readonly string[]): boolean {
  return rule.length === 0 || rule.some((all) => all.every((s) => granted.includes(s)))
}

/** `a or b`, `a and b`, for the 403 message. @internal */
export function describeScopeRule(rule: ScopeRule): string {
  return rule.map((all) => all.join(' and ')).join(' or ')
}

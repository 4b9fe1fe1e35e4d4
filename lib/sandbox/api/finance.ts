import type { SandboxRequest, SandboxResponse } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import { fail, isUuid, ok, singleParam } from './http'

/**
 * `/v1/finance` (partner API, scope `finance.read`; regular error shape), the reading half:
 *
 * - `GET /v1/finance/accounts[?iban=...|?externalReference=...]` → a bare array (empty when
 *   nothing matches); the two filters cannot be combined (400, the sandbox's answer to what the
 *   docs forbid);
 * - `GET /v1/finance/accounts/{id}`;
 * - `GET /v1/finance/transactions/latest-transaction?financialAccountId=...` → the account's
 *   transaction with the latest `transactionDate` (the parameter is required: 400 without it or
 *   when it is not a UUID; 404 for an unknown account or one without transactions);
 * - `GET /v1/finance/transactions/{id}`;
 * - `GET /v1/finance/transactions/{id}/assignments` → `[{ id, type }]` (`invoice` or `voucher`).
 *
 * Financial accounts use `lockVersion`, not `version`. The writes (accounts, transactions) are
 * not built. The demo data holds a giro and a payment-provider account with five transactions.
 *
 * @internal
 * @packageDocumentation
 */

const normalIban = (iban: string): string => iban.replace(/\s+/g, '').toUpperCase()

function accounts(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const iban = singleParam(req, 'iban', call.errors)
  const externalReference = singleParam(req, 'externalReference', call.errors)
  if (iban !== undefined && externalReference !== undefined) {
    return fail(call.errors.badRequest('The filters iban and externalReference cannot be combined', 'iban'))
  }
  const matches = [...call.org.financialAccounts.values()].filter(
    (a) =>
      (iban === undefined || (typeof a['iban'] === 'string' && normalIban(a['iban']) === normalIban(iban))) &&
      (externalReference === undefined || a['externalReference'] === externalReference),
  )
  return ok(structuredClone(matches))
}

function transactionOf(req: SandboxRequest, call: ApiCall): Record<string, unknown> {
  return call.org.financialTransactions.get(req.params['id'] ?? '') ?? fail(call.errors.notFound('financial transaction'))
}

function latest(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const accountId = singleParam(req, 'financialAccountId', call.errors)
  if (accountId === undefined || !isUuid(accountId)) {
    return fail(call.errors.badRequest("Required request parameter 'financialAccountId' (a UUID) is not present", 'financialAccountId'))
  }
  if (!call.org.financialAccounts.has(accountId)) return fail(call.errors.notFound('financial account'))
  const newest = [...call.org.financialTransactions.values()]
    .filter((t) => t['financialAccountId'] === accountId)
    .sort((a, b) => (String(a['transactionDate']) < String(b['transactionDate']) ? 1 : -1))
    .at(0)
  return newest === undefined ? fail(call.errors.notFound('financial transaction')) : ok(structuredClone(newest))
}

/** The finance routes (`latest-transaction` before `{id}`: the router takes the first match). @internal */
export const financeRoutes: ApiRouteDef[] = [
  { method: 'GET', pattern: '/v1/finance/accounts', style: 'regular', handler: accounts },
  {
    method: 'GET',
    pattern: '/v1/finance/accounts/:id',
    style: 'regular',
    handler: (req, call) =>
      ok(structuredClone(call.org.financialAccounts.get(req.params['id'] ?? '') ?? fail(call.errors.notFound('financial account')))),
  },
  { method: 'GET', pattern: '/v1/finance/transactions/latest-transaction', style: 'regular', handler: latest },
  {
    method: 'GET',
    pattern: '/v1/finance/transactions/:id',
    style: 'regular',
    handler: (req, call) => ok(structuredClone(transactionOf(req, call))),
  },
  {
    method: 'GET',
    pattern: '/v1/finance/transactions/:id/assignments',
    style: 'regular',
    handler: (req, call) => {
      const tx = transactionOf(req, call)
      return ok(structuredClone(call.org.transactionAssignments.get(String(tx['financialTransactionId'])) ?? []))
    },
  },
]

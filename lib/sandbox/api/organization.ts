import { formatLexofficeDate } from '../http'
import type { SandboxRequest, SandboxResponse } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import type { Violation } from './errors'
import { fail, isNumber, ok, readJsonObject } from './http'
import type { PartnerIntegration } from './store'

/**
 * Two partner-API resources about the caller (regular error shape):
 *
 * - `GET /v1/organization` (scope `organization.read`): company master data. `companyName` is the
 *   sandbox organisation's; the rest comes from `organization(id).details` (demo values a test
 *   may change).
 * - `GET /v1/partner-integrations` / `PUT` (no scope needed): the integration record of the
 *   calling connection, created as `OAUTH_CONNECTED` (version 1) with the connection. PUT
 *   `{ status, version }` answers the updated record; a stale `version` → 409. The docs' list of
 *   valid status values is not in the public copies: the sandbox accepts any upper-case
 *   identifier (`ACTIVE`, `OAUTH_CONNECTED`, ...) and refuses anything else with 406.
 *
 * @internal
 * @packageDocumentation
 */

const STATUS = /^[A-Z][A-Z0-9_]{1,63}$/

function integrationOf(call: ApiCall): PartnerIntegration {
  let record = call.org.partnerIntegrations.get(call.connectionId)
  if (record === undefined) {
    const created = formatLexofficeDate(call.auth.connection.createdAt)
    record = { organizationId: call.organizationId, createdDate: created, updatedDate: created, version: 1, status: 'OAUTH_CONNECTED' }
    call.org.partnerIntegrations.set(call.connectionId, record)
  }
  return record
}

function updateIntegration(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const current = integrationOf(call)
  const body = readJsonObject(req, call.errors)
  const v: Violation[] = []
  if (typeof body['status'] !== 'string' || !STATUS.test(body['status']))
    v.push({ field: 'status', violation: 'NOTALLOWED', message: 'an upper-case status such as ACTIVE' })
  if (!isNumber(body['version'])) v.push({ field: 'version', violation: 'NOTNULL', message: 'the current version is required' })
  if (v.length > 0) return fail(call.errors.validation(v))
  if (body['version'] !== current.version) {
    return fail(call.errors.conflict(`stale version ${String(body['version'])}, current is ${current.version}`, 'version'))
  }
  const updated: PartnerIntegration = {
    ...current,
    status: body['status'] as string,
    version: current.version + 1,
    updatedDate: call.store.timestamp(),
  }
  call.org.partnerIntegrations.set(call.connectionId, updated)
  return ok({ ...updated })
}

/** The organization and partner-integration routes. @internal */
export const organizationRoutes: ApiRouteDef[] = [
  {
    method: 'GET',
    pattern: '/v1/organization',
    style: 'regular',
    handler: (_req, call) => ok({ ...structuredClone(call.org.details), companyName: call.auth.organization.companyName }),
  },
  { method: 'GET', pattern: '/v1/partner-integrations', style: 'regular', handler: (_req, call) => ok({ ...integrationOf(call) }) },
  { method: 'PUT', pattern: '/v1/partner-integrations', style: 'regular', handler: updateIntegration },
]

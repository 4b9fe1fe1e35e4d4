import type { ApiCall } from './context'
import { fail, isNumber, type JsonObject } from './http'
import type { SandboxResponse } from '../types'

/**
 * lexoffice's optimistic locking on a PUT (docs/lexoffice.md §7): the body must carry the
 * resource's current `version`. A missing one is a validation error; a stale one is answered by
 * `stale`, whose status differs between resources.
 * @internal
 */
export function requireCurrentVersion(body: JsonObject, current: number, call: ApiCall, stale: (message: string) => SandboxResponse): void {
  const given = body['version']
  if (!isNumber(given))
    fail(call.errors.validation([{ field: 'version', violation: 'NOTNULL', message: 'the current version is required' }]))
  if (given !== current) fail(stale(`stale version ${given}, current is ${current}`))
}

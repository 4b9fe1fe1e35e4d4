import type { SandboxRequest, SandboxResponse } from '../types'
import type { ApiCall } from './context'
import { actionResult, type Versioned } from './http'

/**
 * Stores `entity` in `records`, announces `event` (`contact.created`, `article.changed`, ...) to the
 * webhook deliveries and answers lexoffice's action result for `/v1/<resource>/<id>`: the ending of
 * every create and update handler.
 *
 * @internal
 */
export function saveEntity<T extends Versioned>(
  req: SandboxRequest,
  call: ApiCall,
  records: Map<string, T>,
  entity: T,
  resource: string,
  event: string,
): SandboxResponse {
  records.set(entity.id, entity)
  call.store.emit(call.organizationId, event, entity.id)
  return actionResult(req, resource, entity)
}

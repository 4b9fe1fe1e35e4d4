import type { ApiCall } from './context'
import type { EntityFields } from './OrganizationData'

/**
 * The fields the sandbox (like lexoffice) sets itself on the versioned resources it stores, so that
 * every create and update handler stamps id, organisation, dates and `version` the same way.
 *
 * @packageDocumentation
 */

/**
 * The fields of a resource created now: a new id, the caller's organisation, both dates `now`, and
 * the first `version` (lexoffice starts contacts at 0, the other resources at 1). @internal
 */
export function createdEntityFields(call: ApiCall, version: number, now = call.store.timestamp()): EntityFields {
  return { id: call.newId(), organizationId: call.organizationId, createdDate: now, updatedDate: now, version }
}

/** The fields of `existing` after an update: id, organisation and creation date kept, `updatedDate` now, `version` one up. @internal */
export function updatedEntityFields(existing: EntityFields, call: ApiCall): EntityFields {
  return {
    id: existing.id,
    organizationId: existing.organizationId,
    createdDate: existing.createdDate,
    updatedDate: call.store.timestamp(),
    version: existing.version + 1,
  }
}

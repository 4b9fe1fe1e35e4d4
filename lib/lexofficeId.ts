/**
 * lexoffice ids (organisations, connections, resources, subscriptions) are UUIDs. Any version and
 * variant is accepted: lexoffice does not document which version it generates.
 * @internal
 */
const LEXOFFICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Whether `value` has the form of a lexoffice id (a UUID, any case).
 * @internal
 */
export function isLexofficeId(value: unknown): value is string {
  return typeof value === 'string' && LEXOFFICE_ID.test(value)
}

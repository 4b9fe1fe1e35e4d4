/**
 * Table names of the PostgreSQL stores: one option (`tables`), validated once, and turned into
 * quoted SQL identifiers here only. Nothing else builds an identifier, and values never go
 * into SQL text: they travel as query parameters.
 *
 * @internal
 */
import { invalidArg } from '../options/assert'

/**
 * Names of the tables the PostgreSQL stores use (the migration creates them). Each is a
 * lower-case SQL identifier (`a-z`, `0-9`, `_`, starting with a letter or `_`, at most 50
 * characters), optionally qualified by a schema (`myschema.lexoffice_tokens`).
 *
 * @example
 * ```ts
 * const tables: PostgresTableNames = { tokens: 'billing.lexoffice_tokens', locks: 'billing.lexoffice_locks' }
 * ```
 */
export interface PostgresTableNames {
  /** The token records (`PostgresTokenStore`). Default `lexoffice_tokens`. */
  tokens?: string
  /** The refresh lock leases (`PostgresLock`). Default `lexoffice_locks`. */
  locks?: string
  /** The webhook claims (`PostgresWebhookDedupeStore`). Default `lexoffice_webhook_claims`. */
  webhookClaims?: string
}

/** The defaults, which are also the names written in the shipped SQL file. @internal */
export const DEFAULT_POSTGRES_TABLES = {
  tokens: 'lexoffice_tokens',
  locks: 'lexoffice_locks',
  webhookClaims: 'lexoffice_webhook_claims',
} as const satisfies Required<PostgresTableNames>

/** A checked table name. @internal */
export interface PostgresTable {
  /** The quoted, possibly schema-qualified name to write into SQL, e.g. `"billing"."lexoffice_tokens"`. */
  readonly sql: string
  /** The unqualified name, from which index names are derived. */
  readonly name: string
}

/** Index names append a suffix of up to 13 characters (`_expires_idx`) within PostgreSQL's 63. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,49}$/
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/
const KEYS = ['tokens', 'locks', 'webhookClaims'] as const

/**
 * Checks the `tables` option and resolves every name (defaults for the missing ones).
 * @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) naming the bad entry.
 * @internal
 */
export function resolvePostgresTables(tables: unknown): Record<(typeof KEYS)[number], PostgresTable> {
  if (tables !== undefined && (tables === null || typeof tables !== 'object'))
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"tables" must be an object')
  const given = (tables ?? {}) as Record<string, unknown>
  for (const key of Object.keys(given)) {
    if (!(KEYS as readonly string[]).includes(key)) throw invalidArg('ERR_INVALID_ARG_VALUE', `unknown "tables" entry "${key}"`)
  }
  return {
    tokens: toTable(given.tokens ?? DEFAULT_POSTGRES_TABLES.tokens, 'tables.tokens'),
    locks: toTable(given.locks ?? DEFAULT_POSTGRES_TABLES.locks, 'tables.locks'),
    webhookClaims: toTable(given.webhookClaims ?? DEFAULT_POSTGRES_TABLES.webhookClaims, 'tables.webhookClaims'),
  }
}

function toTable(value: unknown, option: string): PostgresTable {
  if (typeof value !== 'string') throw invalidArg('ERR_INVALID_ARG_TYPE', `"${option}" must be a string`)
  const parts = value.split('.')
  const name = parts[parts.length - 1]
  const schema = parts.length === 2 ? parts[0] : undefined
  if (parts.length > 2 || !IDENTIFIER.test(name) || (schema !== undefined && !SCHEMA.test(schema)))
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `"${option}" must be a lower-case SQL identifier (a-z, 0-9, _; at most 50 characters), optionally "schema.table"`,
    )
  // Safe to quote: the patterns above admit no quote character.
  return { sql: schema === undefined ? `"${name}"` : `"${schema}"."${name}"`, name }
}

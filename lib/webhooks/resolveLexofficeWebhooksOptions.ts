/**
 * The one place where the options of `lexofficeWebhooks` are checked and given their defaults.
 * @internal
 */
import type { KeyObject } from 'node:crypto'
import { assertFunction, assertInteger, assertKnownKeys, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { MemoryWebhookDedupeStore } from './dedupe/MemoryWebhookDedupeStore'
import type { WebhookDedupeStore } from './dedupe/WebhookDedupeStore'
import type { LexofficeWebhooksOptions } from './LexofficeWebhooksOptions'
import { toRsaPublicKey } from './signatureInternals'

const OPTION_KEYS = optionKeys<LexofficeWebhooksOptions>()([
  'publicKey',
  'onEvent',
  'onTokenRevoked',
  'resolveConnection',
  'onUnknownOrganization',
  'onError',
  'onRejected',
  'maxBodyBytes',
  'dedupe',
  'dedupeTtlMs',
])
const OPTIONAL_CALLBACKS = ['onTokenRevoked', 'resolveConnection', 'onUnknownOrganization', 'onError', 'onRejected'] as const

const DEFAULT_MAX_BODY_BYTES = 64 * 1024
/** 48 h: lexoffice's retries of one delivery span about 40 hours (see `dedupeTtlMs`). */
const DEFAULT_DEDUPE_TTL_MS = 48 * 60 * 60 * 1000
const MAX_DEDUPE_TTL_MS = 30 * 24 * 60 * 60 * 1000

/**
 * {@link LexofficeWebhooksOptions} checked, with defaults applied and the key parsed.
 * @example
 * ```ts
 * const resolved: ResolvedLexofficeWebhooksOptions<string> = resolveLexofficeWebhooksOptions(options)
 * ```
 * @internal
 */
export type ResolvedLexofficeWebhooksOptions<TConnection> = {
  readonly [K in 'onEvent' | (typeof OPTIONAL_CALLBACKS)[number]]: K extends 'onEvent'
    ? LexofficeWebhooksOptions<TConnection>[K]
    : LexofficeWebhooksOptions<TConnection>[K] | undefined
} & {
  readonly key: KeyObject
  readonly maxBodyBytes: number
  /** `undefined` for `dedupe: false`. */
  readonly dedupe: { readonly store: WebhookDedupeStore; readonly ttlMs: number } | undefined
}

/**
 * Checks the options and applies the defaults; a bad key fails here, at start-up, not at the
 * first delivery.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) naming the option.
 * @example
 * ```ts
 * const { key, maxBodyBytes, dedupe } = resolveLexofficeWebhooksOptions({ onEvent })
 * ```
 * @internal
 */
export function resolveLexofficeWebhooksOptions<TConnection>(
  options: LexofficeWebhooksOptions<TConnection>,
): ResolvedLexofficeWebhooksOptions<TConnection> {
  if (options === null || typeof options !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', '"options" must be an object')
  assertKnownKeys(options, OPTION_KEYS, 'lexofficeWebhooks')
  assertFunction(options.onEvent, 'onEvent')
  for (const name of OPTIONAL_CALLBACKS) {
    if (options[name] !== undefined) assertFunction(options[name], name)
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  assertInteger(maxBodyBytes, 'maxBodyBytes', 256, 10 * 1024 * 1024)
  const store = resolveDedupeStore(options.dedupe ?? true)
  const ttlMs = options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS
  assertInteger(ttlMs, 'dedupeTtlMs', 1, MAX_DEDUPE_TTL_MS)
  const { onEvent, onTokenRevoked, resolveConnection, onUnknownOrganization, onError, onRejected } = options
  return {
    onEvent,
    onTokenRevoked,
    resolveConnection,
    onUnknownOrganization,
    onError,
    onRejected,
    key: toRsaPublicKey(options.publicKey),
    maxBodyBytes,
    dedupe: store ? { store, ttlMs } : undefined,
  }
}

function resolveDedupeStore(dedupe: unknown): WebhookDedupeStore | undefined {
  if (dedupe === false) return undefined
  if (dedupe === true) return new MemoryWebhookDedupeStore()
  if (typeof dedupe === 'number') {
    assertInteger(dedupe, 'dedupe', 1, 1_000_000)
    return new MemoryWebhookDedupeStore({ maxEntries: dedupe })
  }
  if (dedupe !== null && typeof dedupe === 'object' && typeof (dedupe as Partial<WebhookDedupeStore>).claim === 'function') {
    return dedupe as WebhookDedupeStore
  }
  throw invalidArg('ERR_INVALID_ARG_TYPE', '"dedupe" must be a boolean, an integer or a store with a claim(eventId, ttlMs) method')
}

/**
 * The one place where the options of `lexofficeWebhooks` are checked and given their defaults.
 * @internal
 */
import type { KeyObject } from 'node:crypto'
import { assertFunction, assertInteger, assertKnownKeys, assertObject, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import { MemoryWebhookDedupeStore } from './dedupe/MemoryWebhookDedupeStore'
import type { WebhookDedupeStore } from './dedupe/WebhookDedupeStore'
import type { EventFreshness } from './eventFreshness'
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
  'maxEventAgeMs',
  'maxClockSkewMs',
  'now',
])
const OPTIONAL_CALLBACKS = ['onTokenRevoked', 'resolveConnection', 'onUnknownOrganization', 'onError', 'onRejected'] as const

const DEFAULT_MAX_BODY_BYTES = 64 * 1024
const MINUTE = 60 * 1000
const HOUR = 60 * MINUTE
/** 48 h: lexoffice's retries of one delivery span about 40 hours (docs/lexoffice.md §6). */
const DEFAULT_MAX_EVENT_AGE_MS = 48 * HOUR
const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * MINUTE
const MAX_DEDUPE_TTL_MS = 30 * 24 * HOUR

/**
 * {@link LexofficeWebhooksOptions} checked, with defaults applied and the key parsed.
 * @internal
 */
export type ResolvedLexofficeWebhooksOptions<TConnection> = {
  readonly [K in 'onEvent' | (typeof OPTIONAL_CALLBACKS)[number]]: K extends 'onEvent'
    ? LexofficeWebhooksOptions<TConnection>[K]
    : LexofficeWebhooksOptions<TConnection>[K] | undefined
} & {
  readonly key: KeyObject
  readonly maxBodyBytes: number
  /** The accepted `eventDate` window and its clock. */
  readonly freshness: EventFreshness
  /** `undefined` for `dedupe: false`. */
  readonly dedupe: { readonly store: WebhookDedupeStore; readonly ttlMs: number } | undefined
}

/**
 * Checks the options and applies the defaults; a bad key fails here, at start-up, not at the
 * first delivery.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) naming the option.
 * @internal
 */
export function resolveLexofficeWebhooksOptions<TConnection>(
  options: LexofficeWebhooksOptions<TConnection>,
): ResolvedLexofficeWebhooksOptions<TConnection> {
  assertObject(options, 'options')
  assertKnownKeys(options, OPTION_KEYS, 'lexofficeWebhooks')
  assertFunction(options.onEvent, 'onEvent')
  for (const name of OPTIONAL_CALLBACKS) {
    if (options[name] !== undefined) assertFunction(options[name], name)
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  assertInteger(maxBodyBytes, 'maxBodyBytes', 256, 10 * 1024 * 1024)
  const maxAgeMs = options.maxEventAgeMs ?? DEFAULT_MAX_EVENT_AGE_MS
  assertInteger(maxAgeMs, 'maxEventAgeMs', MINUTE, MAX_DEDUPE_TTL_MS)
  const maxSkewMs = options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS
  assertInteger(maxSkewMs, 'maxClockSkewMs', 0, HOUR)
  if (options.now !== undefined) assertFunction(options.now, 'now')
  const store = resolveDedupeStore(options.dedupe ?? true)
  // A claim must outlive the window in which its event is accepted (an event dated `maxSkewMs` in
  // the future stays acceptable for `maxAgeMs + maxSkewMs`), or a replay after the claim ended runs again.
  const minTtlMs = maxAgeMs + maxSkewMs
  const ttlMs = options.dedupeTtlMs ?? minTtlMs
  assertInteger(ttlMs, 'dedupeTtlMs', 1, MAX_DEDUPE_TTL_MS)
  if (store && ttlMs < minTtlMs) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      `"dedupeTtlMs" must be at least maxEventAgeMs + maxClockSkewMs (${minTtlMs} ms): a claim must last as long as its event is accepted`,
    )
  }
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
    freshness: { maxAgeMs, maxSkewMs, now: options.now ?? Date.now },
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

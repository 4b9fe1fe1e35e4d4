import { createPrivateKey, KeyObject } from 'node:crypto'
import { invalidArg } from '../../options/assert'
import { optionKeys } from '../../options/optionKeys'

/**
 * Options of the sandbox's webhook delivery (`createSandbox({ webhooks: { ... } })`) and their
 * one-time validation.
 *
 * @packageDocumentation
 */

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/**
 * lexoffice's retry schedule for a failed webhook delivery (docs/lexoffice.md §6), as the delays
 * in milliseconds before each retry: phase 1 retries after 10, 20, 40, 80 and 160 s; phase 2,
 * after a 30-minute pause, makes 20 retries 2 h apart (read here as: the first phase-2 retry 30
 * minutes after the last phase-1 attempt, the other 19 at 2 h intervals). 25 retries, 26 attempts.
 *
 * @example
 * ```ts
 * // lexoffice's schedule, 1000 times faster:
 * const sandbox = await createSandbox({ webhooks: { retryScale: 0.001 } })
 * expect(LEXOFFICE_WEBHOOK_RETRY_DELAYS_MS).toHaveLength(25)
 * ```
 */
export const LEXOFFICE_WEBHOOK_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  10 * SECOND,
  20 * SECOND,
  40 * SECOND,
  80 * SECOND,
  160 * SECOND,
  30 * MINUTE,
  ...Array.from({ length: 19 }, () => 2 * HOUR),
])

/**
 * Options of the sandbox's webhook delivery. Every option is optional.
 *
 * @example
 * ```ts
 * // Tests: two quick retries, a short read timeout.
 * const sandbox = await createSandbox({ autoApprove: true, webhooks: { retryDelaysMs: [10, 20], timeoutMs: 300 } })
 * ```
 */
export interface SandboxWebhookOptions {
  /** `false` turns delivery off (subscriptions are still stored). Default `true`. */
  enabled?: boolean
  /**
   * Delay before each retry, in ms; its length is the number of retries (`[]`: no retry).
   * Default {@link LEXOFFICE_WEBHOOK_RETRY_DELAYS_MS}, lexoffice's real schedule.
   */
  retryDelaysMs?: readonly number[]
  /** Multiplies every retry delay (e.g. `0.001` makes lexoffice's 10 s a 10 ms delay). Default `1`. */
  retryScale?: number
  /** Read timeout of one delivery attempt in ms (lexoffice: 5000). Default `5000`. */
  timeoutMs?: number
  /**
   * The RSA private key that signs webhooks (PEM or `KeyObject`). Default: a 2048-bit key pair
   * generated in-process on first use (see `sandbox.webhookPublicKey`). Pass one to share a key
   * between sandboxes or to skip the generation.
   */
  privateKey?: string | KeyObject
}

/** {@link SandboxWebhookOptions} with defaults applied. */
export interface ResolvedSandboxWebhookOptions {
  enabled: boolean
  /** Already scaled and rounded. */
  retryDelaysMs: readonly number[]
  timeoutMs: number
  privateKey: KeyObject | undefined
}

const KEYS: readonly string[] = optionKeys<SandboxWebhookOptions>()(['enabled', 'retryDelaysMs', 'retryScale', 'timeoutMs', 'privateKey'])
const MAX_DELAY_MS = 7 * 24 * HOUR

/**
 * Validates the `webhooks` option once; throws a `TypeError` naming the bad option.
 *
 * @internal
 */
export function resolveSandboxWebhookOptions(input: unknown = {}): ResolvedSandboxWebhookOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"webhooks" must be an object')
  const o = input as Record<string, unknown>
  for (const key of Object.keys(o))
    if (!KEYS.includes(key)) throw invalidArg('ERR_INVALID_ARG_VALUE', `"webhooks.${key}" is not a sandbox webhook option`)
  const enabled = o['enabled'] ?? true
  if (typeof enabled !== 'boolean') throw invalidArg('ERR_INVALID_ARG_TYPE', '"webhooks.enabled" must be a boolean')
  const delays = o['retryDelaysMs'] ?? LEXOFFICE_WEBHOOK_RETRY_DELAYS_MS
  if (!Array.isArray(delays) || delays.length > 100)
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"webhooks.retryDelaysMs" must be an array of at most 100 numbers')
  delays.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isFinite(d) || d < 0 || d > MAX_DELAY_MS) {
      throw invalidArg('ERR_INVALID_ARG_VALUE', `"webhooks.retryDelaysMs[${i}]" must be a number of ms between 0 and 7 days`)
    }
  })
  const scale = o['retryScale'] ?? 1
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0 || scale > 1000) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"webhooks.retryScale" must be a number between 0 and 1000')
  }
  const timeoutMs = o['timeoutMs'] ?? 5000
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 120_000) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"webhooks.timeoutMs" must be an integer between 1 and 120000')
  }
  let privateKey: KeyObject | undefined
  if (o['privateKey'] !== undefined) {
    const k = o['privateKey']
    try {
      privateKey = k instanceof KeyObject ? k : typeof k === 'string' ? createPrivateKey(k) : undefined
    } catch {
      privateKey = undefined
    }
    if (privateKey === undefined || privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"webhooks.privateKey" must be an RSA private key (PEM or KeyObject)')
    }
  }
  return {
    enabled,
    retryDelaysMs: Object.freeze((delays as number[]).map((d) => Math.round(d * scale))),
    timeoutMs,
    privateKey,
  }
}

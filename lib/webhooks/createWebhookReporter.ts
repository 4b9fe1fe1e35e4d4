/**
 * Where the webhook handler's failures go: `onError`, or one console line.
 * @internal
 */
import type { LexofficeWebhookErrorInfo, LexofficeWebhooksOptions } from './LexofficeWebhooksOptions'

/** Reports one failure; never rejects. @internal */
export type WebhookReporter = (err: unknown, info: LexofficeWebhookErrorInfo) => Promise<void>

/**
 * A reporter that calls `onError` (its own errors swallowed) or, without one, logs one line per
 * failure (name, code, message; no stack, no payload), and each misconfiguration (raw body, mounting) only once.
 * @internal
 */
export function createWebhookReporter(onError: LexofficeWebhooksOptions['onError'] | undefined): WebhookReporter {
  const loggedMisconfigurations = new Set<unknown>()
  return async (err, info) => {
    if (onError) {
      try {
        await onError(err, info)
      } catch {
        // onError must not take the process down; there is nowhere left to report to.
      }
      return
    }
    if (info.stage === 'configuration') {
      // Each misconfiguration once (the raw-body one would otherwise repeat on every delivery).
      const code = (err as { code?: unknown } | null)?.code
      if (loggedMisconfigurations.has(code)) return
      loggedMisconfigurations.add(code)
    }
    console.error(`passport-lexoffice webhooks: ${info.stage} failed: ${describe(err)}`)
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return `${err.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${err.message}`
  }
  return typeof err
}

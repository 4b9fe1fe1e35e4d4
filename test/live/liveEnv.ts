/**
 * What `npm run test:live` needs from the environment, read and checked in one place (the runner
 * refuses to start without it; the live suite reads it again).
 */

/** The settings of a live run (no secret is ever printed). */
export interface LiveEnv {
  /** A Public API key (Bearer) of a lexoffice account. */
  apiKey?: string
  /** A partner OAuth access token (valid 4 hours); enables the partner-API checks. */
  accessToken?: string
  /** The API base URL; default lexoffice's production API, or its partner sandbox. */
  apiURL?: string
  environment: 'production' | 'sandbox'
  /** An https URL with a valid certificate, for the event-subscription check. */
  callbackUrl?: string
}

/** What to set, printed when something is missing. */
export const LIVE_ENV_HELP = `npm run test:live runs the API contract (test/contract/lexofficeApi.contract.ts) against real lexoffice.
Use a test account: the run reads, and creates only records it deletes again.

Set one of:
  LEXOFFICE_TEST_API_KEY       a Public API key (app.lexware.de/addons/public-api)
  LEXOFFICE_TEST_ACCESS_TOKEN  a partner OAuth access token (also runs the partner-API checks)
Optional:
  LEXOFFICE_TEST_ENVIRONMENT   production (default) or sandbox (api.lexware-sandbox.io, partner accounts)
  LEXOFFICE_TEST_API_URL       another API base URL (overrides LEXOFFICE_TEST_ENVIRONMENT)
  LEXOFFICE_TEST_CALLBACK_URL  an https webhook URL lexoffice can reach (enables the event-subscription check)
Extra arguments go to jest, e.g. npm run test:live -- -t profile`

/** Reads and checks the live settings. */
export function readLiveEnv(env: NodeJS.ProcessEnv): { ok: true; value: LiveEnv } | { ok: false; problem: string } {
  const apiKey = env['LEXOFFICE_TEST_API_KEY']?.trim() || undefined
  const accessToken = env['LEXOFFICE_TEST_ACCESS_TOKEN']?.trim() || undefined
  if (apiKey === undefined && accessToken === undefined) return { ok: false, problem: 'no lexoffice credentials are set.' }
  if (apiKey !== undefined && accessToken !== undefined) {
    return { ok: false, problem: 'set LEXOFFICE_TEST_API_KEY or LEXOFFICE_TEST_ACCESS_TOKEN, not both.' }
  }
  const environment = env['LEXOFFICE_TEST_ENVIRONMENT']?.trim() || 'production'
  if (environment !== 'production' && environment !== 'sandbox') {
    return { ok: false, problem: 'LEXOFFICE_TEST_ENVIRONMENT must be production or sandbox.' }
  }
  const callbackUrl = env['LEXOFFICE_TEST_CALLBACK_URL']?.trim() || undefined
  if (callbackUrl !== undefined && !/^https:\/\/[^\s/]+/.test(callbackUrl)) {
    return { ok: false, problem: 'LEXOFFICE_TEST_CALLBACK_URL must be an https URL.' }
  }
  const apiURL = env['LEXOFFICE_TEST_API_URL']?.trim() || undefined
  return {
    ok: true,
    value: {
      environment,
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(accessToken !== undefined ? { accessToken } : {}),
      ...(apiURL !== undefined ? { apiURL } : {}),
      ...(callbackUrl !== undefined ? { callbackUrl } : {}),
    },
  }
}

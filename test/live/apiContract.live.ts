/**
 * The API contract against real lexoffice (`npm run test:live`; not part of `npm test`). The
 * client is the one users get, with its default pacing; a fetch guard refuses, before sending,
 * any write other than those of records the suite deletes again.
 */
import { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { LexofficeClientOptions } from '../../lib/client/LexofficeClientOptions'
import type { FetchLike } from '../../lib/http/httpRequest'
import { describeApiContract } from '../contract/lexofficeApi.contract'
import { LIVE_ENV_HELP, readLiveEnv } from './liveEnv'

const settings = readLiveEnv(process.env)
if (!settings.ok) throw new Error(`${settings.problem}\n\n${LIVE_ENV_HELP}`)
const env = settings.value

/** The writes a live run may make: records it creates and deletes again. */
const ALLOWED_WRITES = [
  /^POST \/v1\/articles$/,
  /^(PUT|DELETE) \/v1\/articles\/[^/]+$/,
  /^POST \/v1\/event-subscriptions$/,
  /^DELETE \/v1\/event-subscriptions\/[^/]+$/,
  /^POST \/v1\/contacts\/[^/]+\/bankaccounts$/,
  /^DELETE \/v1\/contacts\/[^/]+\/bankaccounts\/[^/]+$/,
]

const guardedFetch: FetchLike = async (input, init) => {
  const method = (init?.method ?? 'GET').toUpperCase()
  if (method !== 'GET') {
    const pathname = new URL(String(input)).pathname
    const apiPath = pathname.slice(pathname.indexOf('/v1/'))
    if (!ALLOWED_WRITES.some((allowed) => allowed.test(`${method} ${apiPath}`))) {
      throw new Error(`live run: ${method} ${apiPath} is not a write a live run may make`)
    }
  }
  return fetch(input, init)
}

const common = {
  ...(env.apiURL !== undefined ? { apiURL: env.apiURL } : { environment: env.environment }),
  fetch: guardedFetch,
} as const
const options: LexofficeClientOptions =
  env.apiKey !== undefined
    ? { ...common, apiKey: env.apiKey }
    : { ...common, tokenProvider: { getAccessToken: () => Promise.resolve(env.accessToken ?? '') } }

describeApiContract(
  'API contract: live lexoffice',
  { kind: 'live', partner: env.accessToken !== undefined, callbackUrl: env.callbackUrl },
  () => Promise.resolve({ client: new LexofficeClient(options) }),
)

import { createSandbox } from '../../lib/sandbox'
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import { describeApiContract } from '../contract/lexofficeApi.contract'
import { sandboxProvider } from './helpers/sandboxProvider'

/**
 * The API contract against the sandbox (the same suite `npm run test:live` runs against
 * lexoffice). The sandbox's rate limit is on, the client paces itself below it: no 429 may occur.
 */
describeApiContract(
  'API contract: sandbox',
  { kind: 'sandbox', partner: true, callbackUrl: 'http://127.0.0.1:9/lexoffice-webhook' },
  async () => {
    const sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: { perSecond: 40, burst: 2 } } })
    const client = createLexofficeClient(await sandboxProvider(sandbox), {
      apiURL: sandbox.endpoints.apiURL,
      rateLimit: { ratePerSecond: 30 },
    })
    return {
      client,
      finish: async () => {
        const limited = sandbox.api.rateLimitStats().limited
        await sandbox.close()
        expect(limited).toBe(0)
      },
    }
  },
)

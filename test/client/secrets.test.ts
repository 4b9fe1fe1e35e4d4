import { inspect } from 'node:util'
import { LexofficeClient } from '../../lib/client/LexofficeClient'
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import type { LexofficeRequestInfo, LexofficeResponseInfo } from '../../lib/client/LexofficeClientOptions'
import { startTestServer, type TestServer } from './helpers/testServer'

const API_KEY = 'apikey-SECRET-9f8e7d6c5b4a'
const TOKEN = 'oauth-SECRET-0a1b2c3d4e5f'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer((req) => (req.path === '/v1/profile' ? 'hang' : { status: 500, body: { message: 'boom' } }))
})
afterAll(() => server.close())

function dumps(value: unknown): string[] {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined and functions
  return [JSON.stringify(value) ?? '', inspect(value, { depth: 20, showHidden: true, getters: true }), String(value)]
}

describe('secrets stay out of the client, errors and hooks', () => {
  test('util.inspect / JSON.stringify of clients and resources show no key or token', () => {
    const a = new LexofficeClient({ apiKey: API_KEY, apiURL: server.url })
    const b = createLexofficeClient({ getAccessToken: async () => TOKEN }, { apiURL: server.url })
    for (const value of [a, b, a.contacts, b.invoices, a.files, { nested: a }]) {
      for (const text of dumps(value)) {
        expect(text).not.toContain(API_KEY)
        expect(text).not.toContain(TOKEN)
        expect(text).not.toContain('SECRET')
      }
    }
    expect(JSON.parse(JSON.stringify(a))).toEqual({ apiURL: server.url })
  })

  test('API errors, network errors and hook payloads carry no secret, no query', async () => {
    const infos: Array<LexofficeRequestInfo | LexofficeResponseInfo> = []
    const client = new LexofficeClient({
      apiKey: API_KEY,
      apiURL: server.url,
      timeoutMs: 200,
      rateLimit: false,
      retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 },
      hooks: { onRequest: (i) => infos.push(i), onResponse: (i) => infos.push(i) },
    })
    const apiErr = await client.contacts.list({ email: 'SECRET@example.com' }).catch((e: unknown) => e)
    const netErr = await client.contacts.create({ version: 0, roles: {} }).catch((e: unknown) => e)
    expect((apiErr as { code: string }).code).toBe('API_SERVER_ERROR')
    expect((netErr as { code: string }).code).toBe('API_SERVER_ERROR')
    const hanging = new LexofficeClient({ apiKey: API_KEY, apiURL: server.url, timeoutMs: 100, rateLimit: false, retry: false })
    // The server never answers /v1/profile: a TIMEOUT LexofficeError.
    const timeout = await hanging.profile
      .get()
      .then(() => undefined)
      .catch((e: unknown) => e)
    expect((timeout as { code: string }).code).toBe('TIMEOUT')
    for (const value of [apiErr, netErr, timeout, infos]) {
      for (const text of dumps(value)) {
        expect(text).not.toContain('SECRET')
        expect(text).not.toContain('Bearer')
      }
    }
    expect(infos.length).toBeGreaterThan(0)
  })
})

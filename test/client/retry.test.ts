import { inspect } from 'node:util'
import { LexofficeApiError, LexofficeError } from '../../lib/errors'
import { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { LexofficeClientOptions, LexofficeRequestInfo, LexofficeResponseInfo } from '../../lib/client/LexofficeClientOptions'
import type { RateLimiter } from '../../lib/client/rateLimit/RateLimiter'
import { startTestServer, type Reply, type Seen, type TestServer } from './helpers/testServer'

const CONTACT_ID = 'be2b6a4e-3f8e-4a47-9d5c-0c2c6d3f1a01'
const ARTICLE_ID = '0d4a3c1e-7b2f-4c9a-8e6d-5f1b2a3c4d02'

const FAST = { baseDelayMs: 1, maxDelayMs: 4 }
let server: TestServer
let script: Reply[] = []
let fallback: Reply = { status: 200, body: { ok: true } }

beforeAll(async () => {
  server = await startTestServer((_req: Seen) => script.shift() ?? fallback)
})
afterAll(() => server.close())
beforeEach(() => {
  server.seen.length = 0
  script = []
  fallback = { status: 200, body: { ok: true } }
})

function apiKeyClient(extra: Partial<LexofficeClientOptions> = {}): LexofficeClient {
  return new LexofficeClient({
    apiKey: 'static-key-123456',
    apiURL: server.url,
    rateLimit: false,
    retry: FAST,
    ...extra,
  } as LexofficeClientOptions)
}
const contact = { version: 0, roles: { customer: {} }, person: { lastName: 'Doe' } }

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )
}

describe('401: refresh exactly once, then retry once', () => {
  function oauthClient(tokens: { current: string; next: string }, refresh: jest.Mock): LexofficeClient {
    return new LexofficeClient({
      tokenProvider: { getAccessToken: async () => tokens.current, refreshAfterUnauthorized: refresh },
      apiURL: server.url,
      rateLimit: false,
      retry: FAST,
    })
  }

  test('401 -> refreshAfterUnauthorized(rejected) -> retry with the new token succeeds', async () => {
    const refresh = jest.fn(async () => 'fresh-token-2')
    script = [{ status: 401, body: { message: 'Unauthorized' } }]
    const client = oauthClient({ current: 'stale-token-1', next: 'fresh-token-2' }, refresh)
    await expect(client.profile.get()).resolves.toEqual({ ok: true })
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(refresh).toHaveBeenCalledWith('stale-token-1')
    expect(server.seen.map((s) => s.headers.authorization)).toEqual(['Bearer stale-token-1', 'Bearer fresh-token-2'])
  })

  test('a POST is also retried after 401 (lexoffice did not perform it)', async () => {
    const refresh = jest.fn(async () => 'fresh-token-2')
    script = [
      { status: 401, body: { message: 'Unauthorized' } },
      { status: 201, body: { id: 'c' } },
    ]
    const client = oauthClient({ current: 'stale-token-1', next: 'fresh-token-2' }, refresh)
    await expect(client.contacts.create(contact)).resolves.toEqual({ id: 'c' })
    expect(server.seen.map((s) => s.method)).toEqual(['POST', 'POST'])
  })

  test('a second 401 is a typed API_UNAUTHORIZED error; no second refresh', async () => {
    const refresh = jest.fn(async () => 'fresh-token-2')
    fallback = { status: 401, body: { message: 'Unauthorized' } }
    const client = oauthClient({ current: 'stale-token-1', next: 'fresh-token-2' }, refresh)
    const err = await rejection(client.profile.get())
    expect(err).toBeInstanceOf(LexofficeApiError)
    expect((err as LexofficeApiError).code).toBe('API_UNAUTHORIZED')
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(server.seen).toHaveLength(2)
    expect(inspect(err)).not.toContain('fresh-token-2')
  })

  test('a static API key has no refresh: one request, typed error', async () => {
    fallback = { status: 401, body: { message: 'Unauthorized' } }
    const err = await rejection(apiKeyClient().profile.get())
    expect((err as LexofficeApiError).code).toBe('API_UNAUTHORIZED')
    expect(server.seen).toHaveLength(1)
  })
})

describe('writes are never repeated once they may have reached lexoffice', () => {
  test('POST is not retried after a timeout: the server sees exactly one POST', async () => {
    fallback = 'hang'
    const err = await rejection(apiKeyClient({ timeoutMs: 300 }).contacts.create(contact))
    expect(err).toBeInstanceOf(LexofficeError)
    expect((err as LexofficeError).code).toBe('TIMEOUT')
    expect(server.seen.filter((s) => s.method === 'POST')).toHaveLength(1)
  })

  test('POST is not retried after a 504 (lexoffice: it may have succeeded)', async () => {
    fallback = { status: 504, body: { message: 'Endpoint request timed out' } }
    const err = await rejection(apiKeyClient().invoices.create({} as never, { finalize: true }))
    expect((err as LexofficeApiError).code).toBe('API_SERVER_ERROR')
    expect((err as LexofficeApiError).upstreamStatus).toBe(504)
    expect(server.seen).toHaveLength(1)
  })

  test('POST is not retried after a 503 or 500 either', async () => {
    fallback = { status: 503 }
    await rejection(apiKeyClient().vouchers.create({} as never))
    expect(server.seen).toHaveLength(1)
  })

  test('POST is not retried when the connection drops after the request was sent', async () => {
    fallback = 'destroy'
    const err = await rejection(apiKeyClient().contacts.create(contact))
    expect((err as LexofficeError).code).toBe('NETWORK_ERROR')
    expect(server.seen).toHaveLength(1)
  })

  test('POST is retried when the connection was refused before sending', async () => {
    let calls = 0
    const refusingOnce = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      calls++
      if (calls === 1)
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })
      return fetch(input, init)
    }
    fallback = { status: 201, body: { id: 'c' } }
    await expect(apiKeyClient({ fetch: refusingOnce }).contacts.create(contact)).resolves.toEqual({ id: 'c' })
    expect(calls).toBe(2)
    expect(server.seen).toHaveLength(1)
  })
})

describe('reads and idempotent writes are retried (bounded)', () => {
  test('GET retried on 503, then succeeds', async () => {
    script = [{ status: 503, body: { message: null } }]
    await expect(apiKeyClient().contacts.get(CONTACT_ID)).resolves.toEqual({ ok: true })
    expect(server.seen.map((s) => s.method)).toEqual(['GET', 'GET'])
  })

  test('PUT retried on 500; DELETE retried after a dropped connection', async () => {
    script = [{ status: 500 }]
    await apiKeyClient().contacts.update(CONTACT_ID, { ...contact, version: 2 })
    expect(server.seen.map((s) => s.method)).toEqual(['PUT', 'PUT'])
    server.seen.length = 0
    script = ['destroy']
    fallback = { status: 204 }
    await apiKeyClient().articles.delete(ARTICLE_ID)
    expect(server.seen.map((s) => s.method)).toEqual(['DELETE', 'DELETE'])
  })

  test('GET retried after a timeout', async () => {
    script = ['hang']
    await expect(apiKeyClient({ timeoutMs: 300 }).profile.get()).resolves.toEqual({ ok: true })
    expect(server.seen).toHaveLength(2)
  })

  test('retries are bounded: 1 try + `retries` retries, then the typed error', async () => {
    fallback = { status: 503 }
    const err = await rejection(apiKeyClient({ retry: { ...FAST, retries: 3 } }).profile.get())
    expect((err as LexofficeApiError).code).toBe('API_SERVER_ERROR')
    expect(server.seen).toHaveLength(4)
  })

  test('retry: false sends once', async () => {
    fallback = { status: 503 }
    await rejection(apiKeyClient({ retry: false }).profile.get())
    expect(server.seen).toHaveLength(1)
  })
})

describe('429: back off and retry (any method), bounded', () => {
  function spyLimiter(): RateLimiter & { penalties: number[] } {
    const penalties: number[] = []
    return { penalties, acquire: async () => 0, penalize: async (_key: string, ms: number) => void penalties.push(ms) }
  }

  test('server answers 429 twice, then 200: the call succeeds after growing, jittered backoff', async () => {
    script = [{ status: 429 }, { status: 429 }]
    const limiter = spyLimiter()
    const client = apiKeyClient({ rateLimit: { limiter }, retry: { baseDelayMs: 100, maxDelayMs: 1000 } })
    await expect(client.contacts.create(contact)).resolves.toEqual({ ok: true })
    expect(server.seen.map((s) => s.method)).toEqual(['POST', 'POST', 'POST'])
    // Backoff goes to the shared limiter: equal jitter within [cap/2, cap], cap = 100 * 2^n.
    expect(limiter.penalties).toHaveLength(2)
    expect(limiter.penalties[0]).toBeGreaterThanOrEqual(50)
    expect(limiter.penalties[0]).toBeLessThanOrEqual(100)
    expect(limiter.penalties[1]).toBeGreaterThanOrEqual(100)
    expect(limiter.penalties[1]).toBeLessThanOrEqual(200)
  })

  test('without a limiter the client sleeps the backoff itself', async () => {
    script = [{ status: 429 }, { status: 429 }]
    await expect(apiKeyClient().profile.get()).resolves.toEqual({ ok: true })
    expect(server.seen).toHaveLength(3)
  })

  test('Retry-After (seconds) is honoured, clamped to 1-60 s', async () => {
    script = [
      { status: 429, headers: { 'retry-after': '3' } },
      { status: 429, headers: { 'retry-after': '600' } },
    ]
    const limiter = spyLimiter()
    await apiKeyClient({ rateLimit: { limiter } }).profile.get()
    expect(limiter.penalties).toEqual([3000, 60_000])
  })

  test('when 429 persists: LexofficeApiError API_RATE_LIMITED after rateLimitRetries', async () => {
    fallback = { status: 429, body: { message: 'Rate limit exceeded' } }
    const err = await rejection(apiKeyClient({ retry: { ...FAST, rateLimitRetries: 2 } }).profile.get())
    expect(err).toBeInstanceOf(LexofficeApiError)
    expect((err as LexofficeApiError).code).toBe('API_RATE_LIMITED')
    expect(server.seen).toHaveLength(3)
  })
})

describe('hooks', () => {
  test('onRequest/onResponse per attempt with method, path (no query), status, attempt, timings; never secrets', async () => {
    const requests: LexofficeRequestInfo[] = []
    const responses: LexofficeResponseInfo[] = []
    script = [{ status: 503 }]
    const refresh = jest.fn(async () => 'hook-fresh-token')
    const client = new LexofficeClient({
      tokenProvider: { getAccessToken: async () => 'hook-stale-token', refreshAfterUnauthorized: refresh },
      apiURL: server.url,
      connectionKey: 'conn-hooks',
      rateLimit: { ratePerSecond: 1000 },
      retry: FAST,
      hooks: { onRequest: (i) => requests.push(i), onResponse: (i) => responses.push(i) },
    })
    await client.contacts.list({ email: 'secret-mail@example.com' })
    expect(requests.map((r) => [r.method, r.path, r.attempt])).toEqual([
      ['GET', '/v1/contacts', 1],
      ['GET', '/v1/contacts', 2],
    ])
    expect(responses.map((r) => [r.status, r.attempt, r.errorCode, r.willRetry])).toEqual([
      [503, 1, 'API_SERVER_ERROR', true],
      [200, 2, undefined, false],
    ])
    for (const r of responses) {
      expect(typeof r.durationMs).toBe('number')
      expect(typeof r.rateLimitWaitMs).toBe('number')
    }
    const dump = JSON.stringify([requests, responses])
    expect(dump).not.toContain('hook-stale-token')
    expect(dump).not.toContain('secret-mail')
  })

  test('a throwing hook does not break the request', async () => {
    const client = apiKeyClient({
      hooks: {
        onRequest: () => {
          throw new Error('boom')
        },
        onResponse: () => {
          throw new Error('boom')
        },
      },
    })
    await expect(client.profile.get()).resolves.toEqual({ ok: true })
  })
})

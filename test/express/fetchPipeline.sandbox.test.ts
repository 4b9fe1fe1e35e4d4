import type { IncomingMessage, ServerResponse } from 'node:http'
import express from 'express'
import { MemoryRateLimiter } from '../../lib/client/rateLimit/MemoryRateLimiter'
import { ErrorCodes } from '../../lib/errors'
import { lexoffice, type LexofficeMiddlewareOptions } from '../../lib/express/lexofficeMiddleware'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import { connectViaSandbox, oauthClientFor } from '../helpers/connect'
import { expectedWaits, scheduleClock } from '../helpers/scheduleClock'
import { listen } from './helpers'

const KEY = 'user-1'

/** Runs `route` inside an Express request that has `req.lexoffice`; resolves what it returned (or threw). */
async function inRequest<T>(
  manager: TokenManager,
  route: (ctx: NonNullable<Express.Request['lexoffice']>) => Promise<T>,
  client?: LexofficeMiddlewareOptions['client'],
): Promise<{ value?: T; error?: unknown }> {
  const app = express()
  app.use(lexoffice({ manager, key: () => KEY, ...(client && { client }) }))
  let outcome: { value?: T; error?: unknown } = {}
  app.get('/run', async (req, res) => {
    outcome = await route(req.lexoffice).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    )
    res.end()
  })
  const server = await listen(app)
  try {
    await fetch(`${server.url}/run`)
  } finally {
    await server.close()
  }
  return outcome
}

describe('req.lexoffice.fetch goes through the one request pipeline', () => {
  // Pacing is proven on the limiter's schedule (an injected clock: no real-time wait), against a
  // sandbox whose bucket holds exactly the calls made (a budget computed, not timed): the answers
  // cannot depend on the machine's speed. Real-time pacing against the 2 req/s sandbox is
  // test/client/resources.sandbox.test.ts ("default client pacing").
  const CALLS = 12
  let sb: Sandbox
  let manager: TokenManager
  beforeEach(async () => {
    sb = await createSandbox({ autoApprove: true, api: { rateLimit: { perSecond: 2, burst: CALLS } } })
    manager = new TokenManager({ store: new MemoryTokenStore(), oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL })
    await manager.connect(KEY, await connectViaSandbox(sb))
  })
  afterEach(async () => {
    await sb.close()
  })

  /** Client options with lexoffice's pacing (2 req/s, burst 2) on a schedule clock. */
  function pacedAt2PerSecond(): { client: LexofficeMiddlewareOptions['client']; waits: number[] } {
    const clock = scheduleClock()
    const limiter = new MemoryRateLimiter({ ratePerSecond: 2, burst: 2 }, { now: clock.now, sleep: clock.sleep })
    return { client: { rateLimit: { limiter } }, waits: clock.waits }
  }

  it('12 concurrent fetches of one connection are paced to 2 req/s: the sandbox answers none 429', async () => {
    const { client, waits } = pacedAt2PerSecond()
    const { value, error } = await inRequest(
      manager,
      (ctx) => Promise.all(Array.from({ length: CALLS }, () => ctx.fetch('/v1/contacts').then((r) => r.status))),
      client,
    )
    expect(error).toBeUndefined()
    expect(value).toEqual(Array(CALLS).fill(200))
    expect(waits).toEqual(expectedWaits(CALLS, 2, 2)) // 0, 0, 500, 1000, ... 5000 ms
    expect(sb.api.rateLimitStats()).toEqual({ allowed: CALLS, limited: 0 })
  })

  it('fetch and the typed client of one connection share one rate budget', async () => {
    const { client, waits } = pacedAt2PerSecond()
    const { value, error } = await inRequest(
      manager,
      (ctx) =>
        Promise.all([
          ...Array.from({ length: 5 }, () => ctx.fetch('/v1/contacts?page=0&size=1').then((r) => r.status)),
          ...Array.from({ length: 5 }, () => ctx.client.contacts.list({ page: 0, size: 1 }).then(() => 200)),
        ]),
      client,
    )
    expect(error).toBeUndefined()
    expect(value).toEqual(Array(10).fill(200))
    // One schedule for all ten: two budgets would start again at 0 for the client's calls.
    expect(waits).toEqual(expectedWaits(10, 2, 2))
    expect(sb.api.rateLimitStats()).toEqual({ allowed: 10, limited: 0 })
  })

  it('resolves a standard Response for a final non-401 status (a 404 here), with headers and body', async () => {
    const { value } = await inRequest(manager, async (ctx) => {
      const res = await ctx.fetch('/v1/contacts/00000000-0000-4000-8000-000000000000')
      const body: unknown = await res.json()
      return { ok: res.ok, status: res.status, json: res.headers.get('content-type')?.startsWith('application/json'), body: typeof body }
    })
    expect(value).toEqual({ ok: false, status: 404, json: true, body: 'object' })
  })
})

describe('req.lexoffice.fetch: retries, size cap, timeouts and bodies (a stand-in API)', () => {
  let sb: Sandbox
  beforeEach(async () => {
    sb = await createSandbox({ autoApprove: true })
  })
  afterEach(async () => {
    await sb.close()
  })

  /** A manager whose API is `handler`; the token endpoint is the sandbox. */
  async function withApi<T>(
    handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
    run: (manager: TokenManager) => Promise<T>,
  ): Promise<T> {
    const api = await listen((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')))
    })
    try {
      const manager = new TokenManager({ store: new MemoryTokenStore(), oauth: oauthClientFor(sb), apiURL: api.url })
      await manager.connect(KEY, await connectViaSandbox(sb))
      return await run(manager)
    } finally {
      await api.close()
    }
  }

  const fast: LexofficeMiddlewareOptions['client'] = { rateLimit: false, retry: { baseDelayMs: 1, maxDelayMs: 5 } }

  it('a 429 is backed off and retried; a GET is retried after a 503', async () => {
    const statuses = [429, 503, 200]
    const seen: number[] = []
    const result = await withApi(
      (_req, res) => {
        const status = statuses.shift() ?? 200
        seen.push(status)
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}')
      },
      (manager) => inRequest(manager, async (ctx) => (await ctx.fetch('/v1/profile')).status, fast),
    )
    expect(result).toEqual({ value: 200 })
    expect(seen).toEqual([429, 503, 200])
  })

  it('a POST is not repeated after a 5xx (lexoffice may have performed it): the 502 is the answer', async () => {
    let calls = 0
    const result = await withApi(
      (_req, res) => {
        calls++
        res.writeHead(502).end()
      },
      (manager) => inRequest(manager, async (ctx) => (await ctx.fetch('/v1/contacts', { method: 'POST', body: '{}' })).status, fast),
    )
    expect(result).toEqual({ value: 502 })
    expect(calls).toBe(1)
  })

  it('an answer larger than maxResponseBytes is RESPONSE_TOO_LARGE; a slow one TIMEOUT (the client options)', async () => {
    const big = await withApi(
      (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pad: 'x'.repeat(4096) })),
      (manager) => inRequest(manager, (ctx) => ctx.fetch('/v1/profile'), { ...fast, maxResponseBytes: 1024, retry: false }),
    )
    expect(big.error).toMatchObject({ code: ErrorCodes.RESPONSE_TOO_LARGE, status: 502 })
    const slow = await withApi(
      () => undefined,
      (manager) => inRequest(manager, (ctx) => ctx.fetch('/v1/profile'), { ...fast, timeoutMs: 50, retry: false }),
    )
    expect(slow.error).toMatchObject({ code: ErrorCodes.TIMEOUT, status: 504 })
  })

  it('sends re-sendable bodies with their headers, refuses streams, and rethrows the abort reason of its signal', async () => {
    const got: Array<{ method: string | undefined; type: string | undefined; body: string; auth: string | undefined }> = []
    const result = await withApi(
      (req, res, body) => {
        got.push({ method: req.method, type: req.headers['content-type'], body, auth: req.headers.authorization })
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"1"}')
      },
      (manager) =>
        inRequest(
          manager,
          async (ctx) => {
            const form = await ctx.fetch('/v1/x', {
              method: 'put',
              body: new URLSearchParams({ a: '1' }),
              headers: { authorization: 'mine' },
            })
            const bytes = await ctx.fetch('/v1/x', { method: 'POST', body: Buffer.from('raw'), headers: { 'content-type': 'text/plain' } })
            const stream = await ctx
              .fetch('/v1/x', { method: 'POST', body: new ReadableStream(), duplex: 'half' } as RequestInit)
              .catch((err: unknown) => (err as { code?: string }).code)
            const reason = new Error('client went away')
            const aborted = await ctx.fetch('/v1/x', { signal: AbortSignal.abort(reason) }).catch((err: unknown) => err === reason)
            return { statuses: [form.status, bytes.status], stream, aborted }
          },
          fast,
        ),
    )
    expect(result.value).toEqual({ statuses: [201, 201], stream: 'ERR_INVALID_ARG_TYPE', aborted: true })
    expect(got.map(({ method, type, body }) => ({ method, type, body }))).toEqual([
      { method: 'PUT', type: 'application/x-www-form-urlencoded;charset=UTF-8', body: 'a=1' },
      { method: 'POST', type: 'text/plain', body: 'raw' },
    ])
    // The caller's authorization header never replaces the connection's token.
    expect(got.every((g) => g.auth?.startsWith('Bearer ') && g.auth !== 'Bearer mine')).toBe(true)
  })
})

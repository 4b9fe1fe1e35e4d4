import type { IncomingMessage, ServerResponse } from 'node:http'
import type { NextFunction, Request, Response } from 'express'
import { ErrorCodes, LexofficeError } from '../../lib/errors'
import { lexoffice, type LexofficeMiddlewareOptions } from '../../lib/express/lexofficeMiddleware'
import { lexofficeAuthErrorHandler, requireLexoffice } from '../../lib/express/requireLexoffice'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import { connectViaSandbox, expiring, oauthClientFor } from '../helpers/connect'
import { EXPRESS_VERSIONS, listen, stubApi } from './helpers'
import { errorWith } from '../helpers/errorWith'

const KEY = 'user-1'

/** Sends errors as JSON with their status (a typical app error handler). */
function jsonErrors(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  const status = err instanceof LexofficeError ? err.status : 500
  res.status(status).json({ code: err instanceof LexofficeError ? err.code : 'INTERNAL' })
}

describe.each(EXPRESS_VERSIONS)('lexoffice() and requireLexoffice() on %s', (_name, makeApp) => {
  let sb: Sandbox
  let store: MemoryTokenStore
  let manager: TokenManager
  let closeApp: (() => Promise<void>) | undefined
  beforeEach(async () => {
    sb = await createSandbox({ autoApprove: true })
    store = new MemoryTokenStore()
    manager = new TokenManager({ store, oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL, retry: { minDelayMs: 10, maxDelayMs: 50 } })
  })
  afterEach(async () => {
    await closeApp?.()
    closeApp = undefined
    await sb.close()
  })

  /** An app whose user is given by the `x-user` header. */
  async function startApp(
    configure?: (app: ReturnType<(typeof EXPRESS_VERSIONS)[0][1]>) => void,
    client?: LexofficeMiddlewareOptions['client'],
  ): Promise<string> {
    const app = makeApp()
    app.use(lexoffice({ manager, key: (req) => (req.headers['x-user'] as string | undefined) || undefined, ...(client && { client }) }))
    app.get('/profile', requireLexoffice(), async (req, res, next) => {
      try {
        const r = await req.lexoffice.fetch('/v1/profile')
        res.status(r.status).json(await r.json())
      } catch (err) {
        next(err)
      }
    })
    app.get('/auth/lexoffice', requireLexoffice(), (_req, res) => {
      res.send('login page (reached only when connected)')
    })
    configure?.(app)
    app.use(lexofficeAuthErrorHandler())
    app.use(jsonErrors)
    const server = await listen(app)
    closeApp = server.close
    return server.url
  }

  it('attaches req.lexoffice without any I/O until it is used', async () => {
    const keyFn = jest.fn(() => KEY)
    const get = jest.spyOn(store, 'get')
    const app = makeApp()
    app.use(lexoffice({ manager, key: keyFn }))
    let attached = false
    app.get('/plain', (req, res) => {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- typed as always set; this checks that the middleware sets it
      attached = req.lexoffice !== undefined
      const { client: _client } = req.lexoffice // building the client is lazy and does no I/O either
      res.send('ok')
    })
    const server = await listen(app)
    closeApp = server.close
    expect((await fetch(`${server.url}/plain`)).status).toBe(200)
    expect(attached).toBe(true)
    expect(keyFn).not.toHaveBeenCalled()
    expect(get).not.toHaveBeenCalled()
    expect(sb.requests).toHaveLength(0)
  })

  it('200 concurrent requests on an expired token: exactly 1 refresh, every request served with the new token', async () => {
    // The API side is a stub that records the Bearer token of each call (the sandbox API would
    // rate-limit 200 calls of one connection, as lexoffice does); the token endpoint is the sandbox.
    const seen = new Map<string, number>()
    const api = await listen((req: IncomingMessage, res: ServerResponse) => {
      const auth = req.headers.authorization ?? ''
      seen.set(auth, (seen.get(auth) ?? 0) + 1)
      res.setHeader('content-type', 'application/json')
      res.end('{"ok":true}')
    })
    try {
      manager = new TokenManager({ store, oauth: oauthClientFor(sb), apiURL: api.url })
      const first = await connectViaSandbox(sb)
      await manager.connect(KEY, expiring(first, -1_000))
      sb.resetLog()
      // The stub does not rate-limit: pacing off, so 200 calls need not take 100 s at 2 req/s.
      const url = await startApp(undefined, { rateLimit: false })
      const responses = await Promise.all(
        Array.from({ length: 200 }, () => fetch(`${url}/profile`, { headers: { 'x-user': KEY, accept: 'application/json' } })),
      )
      const counts: Record<number, number> = {}
      for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1
      expect(counts).toEqual({ 200: 200 })
      expect(sb.tokenCalls('refresh_token')).toBe(1)
      const stored = (await store.get(KEY))!.tokens!.accessToken
      expect(stored).not.toBe(first.access_token)
      expect([...seen.entries()]).toEqual([[`Bearer ${stored}`, 200]])
      expect((await fetch(`${sb.endpoints.apiURL}/v1/profile`, { headers: { authorization: `Bearer ${stored}` } })).status).toBe(200)
    } finally {
      await api.close()
    }
  })

  it('fetch refreshes once after an API 401 and retries once', async () => {
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, first) // locally fresh, but lexoffice invalidated it early
    sb.expireAccessTokens()
    sb.resetLog()
    const url = await startApp(undefined, { rateLimit: false }) // the 401 path, not pacing: no real-time slot waits
    const res = await fetch(`${url}/profile`, { headers: { 'x-user': KEY } })
    expect(res.status).toBe(200)
    expect(sb.tokenCalls('refresh_token')).toBe(1)
    expect(sb.requests.filter((r) => r.path === '/v1/profile').map((r) => r.status)).toEqual([401, 200])
  })

  it('a second 401 is a typed API_UNAUTHORIZED error, not a loop', async () => {
    const api = await stubApi(401, { message: 'Unauthorized' })
    try {
      manager = new TokenManager({ store, oauth: oauthClientFor(sb), apiURL: api.url })
      await manager.connect(KEY, await connectViaSandbox(sb))
      sb.resetLog()
      const url = await startApp(undefined, { rateLimit: false })
      const res = await fetch(`${url}/profile`, { headers: { 'x-user': KEY, accept: 'application/json' } })
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ code: ErrorCodes.API_UNAUTHORIZED })
      expect(api.calls()).toBe(2)
      expect(sb.tokenCalls('refresh_token')).toBe(1)
    } finally {
      await api.close()
    }
  })

  it('not connected: a browser is redirected to the login route with returnTo; an API call gets 401 JSON', async () => {
    const url = await startApp()
    const page = await fetch(`${url}/profile?tab=2`, {
      redirect: 'manual',
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    })
    expect(page.status).toBe(302)
    expect(page.headers.get('location')).toBe('/auth/lexoffice?returnTo=%2Fprofile%3Ftab%3D2')
    const api = await fetch(`${url}/profile`, { headers: { accept: 'application/json' } })
    expect(api.status).toBe(401)
    expect(await api.json()).toEqual({ error: 'lexoffice_not_connected', reason: 'not_connected' })
    const noAccept = await fetch(`${url}/profile`, { headers: { 'x-user': 'nobody-stored' } })
    expect(noAccept.status).toBe(401)
  })

  it('the login route itself is never redirected to itself (no loop)', async () => {
    const url = await startApp()
    const res = await fetch(`${url}/auth/lexoffice`, { redirect: 'manual', headers: { accept: 'text/html' } })
    expect(res.status).toBe(401)
  })

  it('auth lost (invalid_grant): browser redirect, API 401 lexoffice_auth_lost, no further token calls', async () => {
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, expiring(first, -1_000))
    sb.failNextTokenCalls([{ kind: 'invalid_grant' }])
    sb.resetLog()
    const url = await startApp()
    // The guard sees an active record; the refresh inside the route loses the grant.
    const first401 = await fetch(`${url}/profile`, { headers: { 'x-user': KEY, accept: 'application/json' } })
    expect(first401.status).toBe(401)
    expect(await first401.json()).toEqual({ error: 'lexoffice_auth_lost', reason: 'invalid_grant' })
    const page = await fetch(`${url}/profile`, { redirect: 'manual', headers: { 'x-user': KEY, accept: 'text/html' } })
    expect(page.status).toBe(302)
    expect(page.headers.get('location')).toBe('/auth/lexoffice?returnTo=%2Fprofile')
    const again = await fetch(`${url}/profile`, { headers: { 'x-user': KEY, accept: 'application/json' } })
    expect(await again.json()).toEqual({ error: 'lexoffice_auth_lost', reason: 'invalid_grant' })
    expect(sb.tokenCalls('refresh_token')).toBe(1)
  })

  it('onAuthLost runs first and may answer itself', async () => {
    await manager.connect(KEY, await connectViaSandbox(sb))
    await manager.markLost(KEY, 'token.revoked')
    const seen: unknown[] = []
    const url = await startApp((app) => {
      app.get(
        '/custom',
        requireLexoffice({
          loginPath: '/connect',
          onAuthLost: (_req, res, problem) => {
            seen.push(problem)
            if (problem.reason === 'token.revoked') res.writeHead(409).end('reconnect please')
          },
        }),
        (_req, res) => {
          res.send('never')
        },
      )
    })
    const res = await fetch(`${url}/custom`, { headers: { 'x-user': KEY } })
    expect(res.status).toBe(409)
    expect(seen).toEqual([{ error: 'lexoffice_auth_lost', reason: 'token.revoked' }])
  })

  it('req.lexoffice.client is the typed API client by default, refreshing through the one refresh path', async () => {
    // Five requests on an expired token, two API calls each. Not a pacing test (that is
    // fetchPipeline.sandbox.test.ts): the client does not pace, the sandbox's bucket holds exactly the ten
    // calls, so its count proves that no call was repeated around the refresh, without real-time waits.
    await sb.close()
    sb = await createSandbox({ autoApprove: true, api: { rateLimit: { perSecond: 2, burst: 10 } } })
    manager = new TokenManager({ store, oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL, retry: { minDelayMs: 10, maxDelayMs: 50 } })
    await manager.connect(KEY, expiring(await connectViaSandbox(sb), -1000))
    const url = await startApp(
      (app) => {
        app.get('/contacts', requireLexoffice(), async (req, res, next) => {
          try {
            // Typed: req.lexoffice.client is a LexofficeClient (no cast needed).
            const page = await req.lexoffice.client.contacts.list({ page: 0, size: 5 })
            const profile = await req.lexoffice.client.profile.get()
            res.json({ count: page.content.length, total: page.totalElements, org: profile.organizationId })
          } catch (err) {
            next(err)
          }
        })
      },
      { rateLimit: false },
    )
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => fetch(`${url}/contacts`, { headers: { 'x-user': KEY, accept: 'application/json' } })),
    )
    const bodies = await Promise.all(answers.map((r) => r.json() as Promise<{ count: number; total: number; org: string }>))
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    expect(bodies[0]).toEqual({ count: 5, total: expect.any(Number), org: sb.organization.organizationId })
    expect(sb.tokenCalls('refresh_token')).toBe(1)
    expect(sb.api.rateLimitStats()).toEqual({ allowed: 10, limited: 0 })
  })

  it('rejects client options that would bypass the token layer', () => {
    expect(() => lexoffice({ manager, key: () => KEY, client: { apiKey: 'x' } as never })).toThrow(TypeError)
  })

  it('req.lexoffice exposes status and disconnect, never tokens', async () => {
    const first = await connectViaSandbox(sb)
    await manager.connect(KEY, first, { connectionId: sb.connections()[0].connectionId })
    const url = await startApp((app) => {
      app.get('/status', async (req, res) => {
        res.json({ connected: await req.lexoffice.isConnected(), info: await req.lexoffice.tokenInfo(), ctx: req.lexoffice })
      })
      app.post('/disconnect', async (req, res) => {
        res.json(await req.lexoffice.disconnect())
      })
    })
    const status = await (await fetch(`${url}/status`, { headers: { 'x-user': KEY } })).text()
    expect(JSON.parse(status)).toMatchObject({
      connected: true,
      info: { state: 'active', scope: 'profile.read contacts.read', connectionId: sb.connections()[0].connectionId },
      ctx: { apiURL: sb.endpoints.apiURL },
    })
    expect(status).not.toContain(first.access_token)
    expect(status).not.toContain(first.refresh_token)
    expect(await (await fetch(`${url}/disconnect`, { method: 'POST', headers: { 'x-user': KEY } })).json()).toEqual({ revoked: true })
    expect(sb.connections()[0].state).toBe('revoked')
    expect(await store.get(KEY)).toBeUndefined()
  })
})

describe('typing and options', () => {
  it('fits Express 4 and 5 apps with their own types, and req.lexoffice is typed', async () => {
    const sb = await createSandbox({ autoApprove: true })
    try {
      const manager = new TokenManager({ store: new MemoryTokenStore(), oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL })
      await manager.connect(KEY, await connectViaSandbox(sb))
      const express4 = (await import('express4')).default
      const express5 = (await import('express')).default
      // Each app with its own major's types: the middleware and req.lexoffice must type-check in both.
      const app4 = express4()
      app4.use(lexoffice({ manager, key: (req) => (req.headers['x-user'] as string | undefined) ?? KEY }))
      // Express 4 does not handle a handler's rejection: it goes to next().
      app4.get('/k', requireLexoffice(), (req, res, next) => {
        req.lexoffice
          .tokenInfo()
          .then(async (info) => {
            res.json({ key: await req.lexoffice.key(), state: info?.state })
          })
          .catch(next)
      })
      const app5 = express5()
      app5.use(lexoffice({ manager, key: (req) => (req.headers['x-user'] as string | undefined) ?? KEY }))
      app5.get('/k', requireLexoffice(), async (req, res) => {
        const info = await req.lexoffice.tokenInfo()
        res.json({ key: await req.lexoffice.key(), state: info?.state })
      })
      for (const app of [app4, app5]) {
        const server = await listen(app as Parameters<typeof listen>[0])
        try {
          expect(await (await fetch(`${server.url}/k`)).json()).toEqual({ key: KEY, state: 'active' })
        } finally {
          await server.close()
        }
      }
    } finally {
      await sb.close()
    }
  })

  it('validates options once', async () => {
    const sb = await createSandbox()
    try {
      const manager = new TokenManager({ store: new MemoryTokenStore(), oauth: oauthClientFor(sb) })
      expect(() => lexoffice({ manager: {} as never, key: () => KEY })).toThrow(errorWith({ code: 'ERR_INVALID_ARG_TYPE' }))
      expect(() => lexoffice({ manager, key: 'user' as unknown as () => string })).toThrow(TypeError)
      expect(() => lexoffice({ manager, key: () => KEY, extra: 1 } as never)).toThrow(/unknown lexoffice\(\) option "extra"/)
      expect(() => requireLexoffice({ loginPath: '//evil.example' })).toThrow(TypeError)
      expect(() => requireLexoffice({ loginPath: 'https://evil.example/login' })).toThrow(TypeError)
      const req = { headers: {}, lexoffice: undefined } as never
      const next = jest.fn()
      requireLexoffice()(req, {} as never, next)
      expect(next).toHaveBeenCalledWith(expect.any(TypeError))
    } finally {
      await sb.close()
    }
  })

  it('fetch refuses absolute URLs (the token never leaves for another host)', async () => {
    const sb = await createSandbox({ autoApprove: true })
    try {
      const manager = new TokenManager({ store: new MemoryTokenStore(), oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL })
      await manager.connect(KEY, await connectViaSandbox(sb))
      const app = (await import('express')).default()
      app.use(lexoffice({ manager, key: () => KEY }))
      const results: string[] = []
      app.get('/x', async (req, res) => {
        for (const path of ['https://evil.example/v1/profile', '//evil.example/x', 'v1/profile', '/\\evil.example']) {
          await req.lexoffice.fetch(path).then(
            () => results.push('sent'),
            (err: unknown) => results.push((err as { code?: string }).code ?? 'error'),
          )
        }
        res.end()
      })
      const server = await listen(app)
      try {
        await fetch(`${server.url}/x`)
      } finally {
        await server.close()
      }
      expect(results).toEqual(['ERR_INVALID_ARG_VALUE', 'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_ARG_VALUE'])
      expect(sb.requests.filter((r) => r.path.startsWith('/v1'))).toHaveLength(0)
    } finally {
      await sb.close()
    }
  })
})

import type { IncomingMessage, ServerResponse } from 'node:http'
import { inspect } from 'node:util'
import express from 'express'
import { lexoffice } from '../../lib/express/lexofficeMiddleware'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { MemoryLock } from '../../lib/tokens/locks/MemoryLock'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import { connectViaSandbox, expiring, oauthClientFor } from '../helpers/connect'
import { FlakyStore, recordEvents } from '../tokens/manager/helpers'
import { listen } from './helpers'

/**
 * Secret-leak harness (docs/security.md §8): everything the token layer and the middleware
 * hand out (events, errors, the manager, req.lexoffice, its client and provider, log lines) is
 * serialised with JSON.stringify, util.inspect (hidden members, full depth), String() and the
 * stack, and searched for every token the sandbox issued, the client secret and Basic credentials.
 */
describe('no token or secret in anything the token layer exposes', () => {
  let sb: Sandbox
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when a test failed before starting it
  afterEach(() => sb?.close())

  function views(value: unknown): string[] {
    const out = [inspect(value, { depth: Infinity, showHidden: true, getters: false }), String(value)]
    try {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for undefined and functions
      out.push(JSON.stringify(value) ?? '')
    } catch {
      out.push('')
    }
    for (let e: unknown = value, i = 0; e instanceof Error && i < 5; e = (e as { cause?: unknown }).cause, i++) {
      out.push(e.stack ?? '', e.message, inspect(e, { depth: Infinity, showHidden: true }))
    }
    return out
  }

  it('events, errors, the manager, req.lexoffice and log lines show no secret', async () => {
    sb = await createSandbox({ autoApprove: true })
    const secrets = new Set<string>([
      sb.client.clientSecret,
      Buffer.from(`${sb.client.clientID}:${sb.client.clientSecret}`).toString('base64'),
    ])
    const inner = new MemoryTokenStore()
    const store = new FlakyStore(inner)
    const lock = new MemoryLock()
    const manager = new TokenManager({
      store,
      lock,
      oauth: oauthClientFor(sb, { timeoutMs: 200 }),
      apiURL: sb.endpoints.apiURL,
      lockWaitMs: 50,
      retry: { attempts: 2, minDelayMs: 5, maxDelayMs: 10 },
    })
    const events = recordEvents(manager)
    const errors: unknown[] = []
    const logLines: string[] = []
    const log = (obj: Record<string, unknown>): void =>
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a logger serialises an error's own fields, as here
      void logLines.push(JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? { ...v, message: v.message, stack: v.stack } : v)))
    manager.on('refreshFailed', (e) => log({ msg: 'refresh failed', ...e, manager }))
    const collect = async (): Promise<void> => {
      for (const key of await inner.list()) {
        const t = (await inner.get(key))?.tokens
        if (t) {
          secrets.add(t.accessToken)
          secrets.add(t.refreshToken)
        }
      }
    }
    const expectFailure = async (p: Promise<unknown>): Promise<void> => {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(Error)
      errors.push(err)
      log({ msg: 'request failed', err })
    }

    // Connect, refresh, transient failure, lock timeout, store outage, persist failure, invalid_grant, not connected.
    const first = await connectViaSandbox(sb)
    secrets.add(first.access_token).add(first.refresh_token!)
    await manager.connect('a', expiring(first, -1_000), { connectionId: 'c-1', organizationId: 'o-1' })
    await manager.getAccessToken('a')
    await collect()
    await manager.connect('b', expiring(await connectViaSandbox(sb), -1_000))
    await collect()
    sb.failNextTokenCalls([
      { kind: 'status', status: 500 },
      { kind: 'delay', ms: 1_000, thenProcess: false },
    ])
    await expectFailure(manager.getAccessToken('b'))
    const held = await lock.tryAcquire('b', 5_000)
    await expectFailure(manager.getAccessToken('b'))
    await held!.release()
    store.failGet = 1
    await expectFailure(manager.getAccessToken('b'))
    store.failSetWhen = (r) => r.refreshCount > 0
    await manager.getAccessToken('b')
    const recovered = new Promise((resolve) => manager.once('persistRecovered', resolve))
    store.failSetWhen = undefined
    await recovered
    await collect()
    await manager.connect('c', expiring(await connectViaSandbox(sb), -1_000))
    await collect()
    sb.failNextTokenCalls([{ kind: 'invalid_grant' }])
    await expectFailure(manager.getAccessToken('c'))
    await expectFailure(manager.getAccessToken('c'))
    await expectFailure(manager.getAccessToken('nobody'))
    await expectFailure(manager.refreshAfterUnauthorized('a', 'x'.repeat(10)).then(() => manager.getAccessToken('c')))
    await manager.markLost('b', 'token.revoked')

    // The request context, its client and provider, and a typed API error from a stub that echoes the token.
    const echo = await listen((req: IncomingMessage, res: ServerResponse) => {
      res.statusCode = 401
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ message: `Unauthorized: ${req.headers.authorization}` }))
    })
    const apiManager = new TokenManager({ store: inner, lock: false, oauth: oauthClientFor(sb), apiURL: echo.url })
    const contexts: unknown[] = []
    const app = express()
    app.use(lexoffice({ manager: apiManager, key: () => 'a' }))
    app.get('/', async (req, res) => {
      const ctx = req.lexoffice
      await ctx.getAccessToken()
      contexts.push(ctx, ctx.client, ctx.provider, await ctx.tokenInfo())
      log({ msg: 'request', lexoffice: ctx })
      await expectFailure(ctx.fetch('/v1/profile'))
      res.end()
    })
    const server = await listen(app)
    try {
      await fetch(server.url)
    } finally {
      await server.close()
      await echo.close()
    }
    await collect()

    expect(events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['connected', 'refreshed', 'refreshFailed', 'persistFailed', 'persistRecovered', 'authLost']),
    )
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual([
      'REFRESH_FAILED',
      'LOCK_TIMEOUT',
      'STORE_UNAVAILABLE',
      'AUTH_LOST',
      'AUTH_LOST',
      'NOT_CONNECTED',
      'AUTH_LOST',
      'API_UNAUTHORIZED',
    ])
    expect(secrets.size).toBeGreaterThanOrEqual(10)
    const haystacks = [
      ...events.flatMap((e) => views(e.payload)),
      ...errors.flatMap(views),
      ...views(manager),
      ...views(apiManager),
      ...contexts.flatMap(views),
      ...logLines,
    ]
    for (const secret of secrets) {
      for (const text of haystacks) {
        if (text.includes(secret)) throw new Error(`a secret leaked into: ${text.slice(0, 200)}`)
      }
    }
    // The harness can fail: a token set does contain them.
    expect(views((await inner.get('a'))!).some((t) => [...secrets].some((s) => t.includes(s)))).toBe(true)
  })
})

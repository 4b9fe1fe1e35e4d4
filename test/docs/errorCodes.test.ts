import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { LexofficeSearchWindowError } from '../../lib/client/LexofficeSearchWindowError'
import { parseApiError } from '../../lib/client/parseApiError'
import { ErrorCodes, LexofficeError, type LexofficeErrorCode, isLexofficeError } from '../../lib/errors'
import { httpRequest } from '../../lib/http/httpRequest'
import { LexofficeOAuthClient, tokenEndpointError } from '../../lib/oauth/LexofficeOAuthClient'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import type { TokenStore } from '../../lib/tokens/TokenStore'
import { assertLexofficeSignature } from '../../lib/webhooks/assertLexofficeSignature'
import { staleEventError } from '../../lib/webhooks/eventFreshness'
import { parseLexofficeEvent } from '../../lib/webhooks/parseLexofficeEvent'
import { UnmanagedOAuth2 } from '../../lib/strategy/UnmanagedOAuth2'

const ORG_ID = 'aa93e8a8-2aa3-470b-b914-caad8a255dd8'

/** Codes thrown only by the login (the strategy, being rewritten): checked against the docs, not triggered here. */
const LOGIN_ONLY: readonly LexofficeErrorCode[] = [
  'STATE_MISSING',
  'STATE_MISMATCH',
  'TRANSACTION_EXPIRED',
  'DUPLICATE_PARAMETER',
  'INVALID_PARAMETER',
  'ACCESS_DENIED',
  'AUTHORIZATION_ERROR',
  'SESSION_MISSING',
  'OWNER_MISMATCH',
  'CONNECTION_REFUSED',
  'ISSUER_MISMATCH',
]

interface Documented {
  classes: string[]
  statuses: number[]
}

/** The README's Errors table: code -> the classes and statuses documented for it. */
function readmeTable(): Map<string, Documented> {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8')
  // From its heading to the next section's (whichever section comes next).
  const start = readme.indexOf('## Errors')
  const section = readme.slice(start, readme.indexOf('\n## ', start))
  const table = new Map<string, Documented>()
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim())
    if (cells.length < 5 || !cells[1].startsWith('`')) continue
    const ticks = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1])
    const documented = { classes: ticks(cells[2]), statuses: [...cells[3].matchAll(/\d{3}/g)].map((m) => Number(m[0])) }
    for (const code of ticks(cells[1])) {
      expect(table.has(code)).toBe(false) // each code in one row
      table.set(code, documented)
    }
  }
  return table
}

/** The first `status N` of each code's TSDoc on `ErrorCodes` in lib/errors.ts. */
function tsdocStatuses(): Map<string, number> {
  const source = readFileSync(join(__dirname, '..', '..', 'lib', 'errors.ts'), 'utf8')
  const out = new Map<string, number>()
  for (const m of source.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*\n\s*([A-Z_]+): '\2',/g)) {
    const status = /status (\d{3})/i.exec(m[1])
    if (status) out.set(m[2], Number(status[1]))
  }
  return out
}

async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

/** A local server answering with `handler`; resolves its URL and a close function. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

describe('documented error codes and statuses', () => {
  const codes = Object.values(ErrorCodes)

  it('the README table, the ErrorCodes TSDoc and the default status of each code agree', () => {
    const table = readmeTable()
    expect([...table.keys()].sort()).toEqual([...codes].sort())
    const tsdoc = tsdocStatuses()
    for (const code of codes) {
      const status = new LexofficeError(code, 'x').status
      expect({ code, tsdoc: tsdoc.get(code) }).toEqual({ code, tsdoc: status })
      expect({ code, documented: table.get(code)!.statuses[0] }).toEqual({ code, documented: status })
    }
  })

  it('what the code throws carries a documented status and class, for every code outside the login', async () => {
    const table = readmeTable()
    const samples: unknown[] = []
    const add = (err: unknown): void => void samples.push(err)

    // Token and revoke endpoints.
    add(tokenEndpointError(400, '{"error":"invalid_grant"}', 'token'))
    add(tokenEndpointError(401, '{"error":"invalid_client"}', 'token'))
    add(tokenEndpointError(500, '', 'token'))
    add(tokenEndpointError(429, '', 'token'))
    let tokenStatus = 500
    const endpoint = await serve((req, res) => {
      if (req.url === '/html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>')
      if (req.url === '/big') return void res.writeHead(200).end('x'.repeat(2048))
      if (req.url === '/slow') return // never answers
      res.writeHead(req.url === '/token' ? tokenStatus : 500, { 'content-type': 'application/json' }).end('{}')
    })
    try {
      const oauth = (tokenURL: string): LexofficeOAuthClient =>
        new LexofficeOAuthClient({ clientID: 'id', clientSecret: 'secret', tokenURL, revokeURL: `${endpoint.url}/revoke`, timeoutMs: 200 })
      add(await thrown(() => oauth(`${endpoint.url}/html`).refresh('rt')))
      add(await thrown(() => oauth(`${endpoint.url}/token`).revoke('rt')))

      // Any call to lexoffice.
      add(await thrown(() => httpRequest({ method: 'GET', url: `${endpoint.url}/slow`, timeoutMs: 50 })))
      // Port 9 (discard) has no listener here: connection refused.
      add(await thrown(() => httpRequest({ method: 'GET', url: 'http://127.0.0.1:9/x', timeoutMs: 1_000 })))
      add(await thrown(() => httpRequest({ method: 'GET', url: `${endpoint.url}/big`, timeoutMs: 1_000, maxBodyBytes: 1024 })))

      // The token layer.
      const expired = { access_token: 'at', refresh_token: 'rt', token_type: 'Bearer', expires_in: 1 }
      const memory = new TokenManager({ store: new MemoryTokenStore(), oauth: oauth(`${endpoint.url}/token`) })
      add(await thrown(() => memory.getAccessToken('nobody')))
      await memory.connect('lost', expired)
      await memory.markLost('lost', 'token.revoked')
      add(await thrown(() => memory.getAccessToken('lost')))
      const racing: TokenStore = {
        get: () => Promise.resolve(undefined),
        set: () => Promise.resolve(false),
        destroy: () => Promise.resolve(),
      }
      add(await thrown(() => new TokenManager({ store: racing, oauth: oauth(`${endpoint.url}/token`) }).connect('k', expired)))
      const down: TokenStore = {
        get: () => Promise.reject(new Error('ECONNREFUSED')),
        set: () => Promise.resolve(false),
        destroy: () => Promise.resolve(),
      }
      add(await thrown(() => new TokenManager({ store: down, oauth: oauth(`${endpoint.url}/token`) }).tokenInfo('k')))
      const busy = new TokenManager({
        store: new MemoryTokenStore(),
        oauth: oauth(`${endpoint.url}/token`),
        lock: { tryAcquire: () => Promise.resolve(undefined) },
        lockTtlMs: 400,
        lockWaitMs: 30,
      })
      await busy.connect('k', { ...expired, expires_in: undefined, expiresAt: Date.now() - 1_000 } as never)
      add(await thrown(() => busy.getAccessToken('k')))
      tokenStatus = 503
      const failing = new TokenManager({ store: new MemoryTokenStore(), oauth: oauth(`${endpoint.url}/token`), retry: { attempts: 1 } })
      await failing.connect('k', { ...expired, expires_in: undefined, expiresAt: Date.now() - 1_000 } as never)
      add(await thrown(() => failing.getAccessToken('k')))
    } finally {
      await endpoint.close()
    }

    // The API.
    for (const status of [400, 401, 402, 403, 404, 406, 409, 429, 500, 504, 418]) {
      add(parseApiError(status, '{}', { method: 'GET', path: '/v1/x' }))
    }
    add(new LexofficeSearchWindowError('/v1/voucherlist', 10_000, 12_000))

    // The strategy's stand-in for node-oauth refuses every token request.
    add(
      await new Promise<unknown>((resolve) => {
        new UnmanagedOAuth2('id', '', '', 'https://a.example/authorize', 'https://a.example/token').getOAuthAccessToken('rt', {}, resolve)
      }),
    )

    // Webhooks.
    add(await thrown(() => assertLexofficeSignature('{}', undefined)))
    add(await thrown(() => assertLexofficeSignature('{}', Buffer.from('not a signature').toString('base64'))))
    add(await thrown(() => parseLexofficeEvent({})))
    const event = parseLexofficeEvent({
      organizationId: ORG_ID,
      eventType: 'invoice.created',
      resourceId: ORG_ID,
      eventDate: '2019-01-01T00:00:00Z',
    })
    add(staleEventError(event, { maxAgeMs: 60_000, maxSkewMs: 0, now: Date.now }))

    const seen = new Set<string>()
    for (const err of samples) {
      expect(isLexofficeError(err)).toBe(true)
      const e = err as LexofficeError
      const documented = table.get(e.code)!
      expect({ code: e.code, status: documented.statuses.includes(e.status), cls: documented.classes.includes(e.name) }).toEqual({
        code: e.code,
        status: true,
        cls: true,
      })
      seen.add(e.code)
    }
    expect(codes.filter((c) => !seen.has(c) && !LOGIN_ONLY.includes(c))).toEqual([])
  })

  it('isLexofficeError recognises errors of another copy of the package by their brand, not instanceof', () => {
    const foreign: unknown = runInNewContext(`
      class LexofficeError extends Error {}
      Object.defineProperty(LexofficeError.prototype, Symbol.for('passport-lexoffice.error'), { value: true })
      Object.assign(new LexofficeError('from the other copy'), { code: 'AUTH_LOST' })
    `)
    expect(foreign instanceof LexofficeError).toBe(false)
    expect(isLexofficeError(foreign)).toBe(true)
    expect(isLexofficeError(foreign, 'AUTH_LOST')).toBe(true)
    expect(isLexofficeError(foreign, 'NOT_CONNECTED')).toBe(false)
    expect(isLexofficeError(Object.assign(new Error('look-alike'), { code: 'AUTH_LOST' }))).toBe(false)
  })
})

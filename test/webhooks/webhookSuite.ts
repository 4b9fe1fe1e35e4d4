/**
 * The Express-level webhook tests, run once per Express major (see express5/express4 test files).
 * Every request goes through a real server on 127.0.0.1, port 0 (supertest or node:http).
 * No sleeps: "no handler ran" is proven by sending a valid sentinel event afterwards and awaiting
 * its handler; handlers are dispatched in order, so anything a refused request scheduled would
 * have run first.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import type { LexofficeEvent } from '../../lib/webhooks/events'
import { lexofficeRawBody } from '../../lib/webhooks/lexofficeRawBody'
import { lexofficeWebhooks, type LexofficeWebhooksOptions } from '../../lib/webhooks/lexofficeWebhooks'
import { signLexofficePayload } from '../../lib/webhooks/signLexofficePayload'
import { OTHER_PRIVATE_KEY, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, VECTOR_INVOICE_CREATED, VECTOR_TOKEN_REVOKED } from './fixtures/testKeys'
import { Calls, ORG, PATH } from './dedupe/helpers'
import { withoutUndefined } from '../helpers/withoutUndefined'

/** The part of Express 4 and 5 these tests use. */
export interface ExpressLike {
  (): ExpressApp
  json(options?: { verify?: (req: http.IncomingMessage, res: http.ServerResponse, buf: Buffer, encoding: string) => void }): unknown
  raw(options?: { type?: string }): unknown
}
interface ExpressApp extends http.RequestListener {
  use(...handlers: unknown[]): ExpressApp
  listen(port: number, host: string, cb: () => void): http.Server
}

const OTHER_ORG = '11111111-2222-4333-8444-555555555555'

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

function eventBody(overrides: Record<string, string> = {}): string {
  return JSON.stringify({
    organizationId: ORG,
    eventType: 'contact.changed',
    resourceId: '4d43ad14-2c4d-4b2a-a8a3-1b4c5d6e7f80',
    eventDate: '2023-04-11T12:30:00.000+02:00',
    ...overrides,
  })
}

/**
 * The handlers' clock: the date of the last event posted, so that the signed vectors (fixed
 * bodies dated 2023 and 2024) stay inside the accepted eventDate window. The window itself is
 * attacked in test/security/webhooks.sandbox.test.ts.
 */
let clockMs = Date.parse('2023-04-11T12:30:00.000+02:00')
function clockAt(body: string | Buffer): void {
  try {
    const { eventDate } = JSON.parse(String(body)) as { eventDate?: unknown }
    if (typeof eventDate === 'string' && !Number.isNaN(Date.parse(eventDate))) clockMs = Date.parse(eventDate)
  } catch {
    // not an event: the clock stays
  }
}

let sentinelCounter = 0
/** A fresh valid event (unique date, so dedupe never swallows it). */
function sentinelBody(): string {
  sentinelCounter += 1
  return eventBody({
    eventType: 'article.changed',
    eventDate: `2025-01-01T00:00:${String(sentinelCounter % 60).padStart(2, '0')}.${String(sentinelCounter).padStart(3, '0')}Z`,
  })
}

export function webhookSuite(label: string, express: ExpressLike): void {
  describe(`lexofficeWebhooks on ${label}`, () => {
    let onEvent: Calls<Parameters<LexofficeWebhooksOptions['onEvent']>>
    let onError: Calls<[unknown, unknown]>
    let onRejected: Calls<[unknown]>
    let onTokenRevoked: Calls<[unknown]>
    let onUnknownOrganization: Calls<[unknown]>
    let unhandled: unknown[]
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason)
    }

    beforeEach(() => {
      onEvent = new Calls()
      onError = new Calls()
      onRejected = new Calls()
      onTokenRevoked = new Calls()
      onUnknownOrganization = new Calls()
      unhandled = []
      process.on('unhandledRejection', onUnhandled)
    })
    afterEach(() => {
      process.off('unhandledRejection', onUnhandled)
      expect(unhandled).toEqual([])
    })

    /** The handler with recording callbacks; an option set to `undefined` here is left out. */
    function makeApp(
      options: { [K in keyof LexofficeWebhooksOptions<string>]?: LexofficeWebhooksOptions<string>[K] | undefined } = {},
      before: unknown[] = [],
    ): ExpressApp {
      const merged = withoutUndefined({
        publicKey: TEST_PUBLIC_KEY,
        now: () => clockMs,
        onEvent: onEvent.fn,
        onError: onError.fn,
        onRejected: onRejected.fn,
        onTokenRevoked: onTokenRevoked.fn,
        onUnknownOrganization: onUnknownOrganization.fn,
        ...options,
      })
      const app = express()
      for (const middleware of before) app.use(middleware)
      app.use(PATH, lexofficeWebhooks<string>(merged as unknown as LexofficeWebhooksOptions<string>))
      return app
    }

    function post(app: ExpressApp, body: string | Buffer, signature: string | undefined, contentType = 'application/json') {
      clockAt(body)
      let req = request(app).post(PATH).set('Content-Type', contentType)
      if (signature !== undefined) req = req.set('X-Lxo-Signature', signature)
      return req.send(body)
    }

    /** Sends a valid event and waits until its onEvent ran: every earlier dispatch has run by then. */
    async function drain(app: ExpressApp): Promise<void> {
      const before = onEvent.calls.length
      const body = sentinelBody()
      await post(app, body, signLexofficePayload(body, TEST_PRIVATE_KEY)).expect(204)
      await onEvent.call(before + 1)
    }

    it('acknowledges a valid signed event with 204 and calls onEvent with the typed event', async () => {
      const app = makeApp()
      const res = await post(app, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature)
      expect(res.status).toBe(204)
      const [event, context] = await onEvent.call(1)
      expect(event).toEqual({ ...JSON.parse(VECTOR_INVOICE_CREATED.body), known: true })
      expect(context).toEqual({ connection: undefined })
      expect(onRejected.calls).toEqual([])
    })

    it('accepts a charset parameter and surrounding whitespace in the signature header', async () => {
      const app = makeApp()
      await post(app, VECTOR_INVOICE_CREATED.body, `  ${VECTOR_INVOICE_CREATED.signature} `, 'application/json; charset=UTF-8').expect(204)
      await onEvent.call(1)
    })

    describe('refuses bad requests and runs no handler', () => {
      const body = VECTOR_INVOICE_CREATED.body
      const signature = VECTOR_INVOICE_CREATED.signature
      const oneByteChanged = body.replace('invoice.created', 'invoice.creates')
      const reserialised = JSON.stringify(JSON.parse(body), null, 1)
      const malformed = '{"organizationId":"not-a-uuid","eventType":"invoice.created"}'

      it.each<[string, number, string, () => { body: string | Buffer; signature: string | undefined; contentType?: string }]>([
        ['no X-Lxo-Signature header', 401, 'WEBHOOK_SIGNATURE_MISSING', () => ({ body, signature: undefined })],
        [
          'a signature made with another key',
          401,
          'WEBHOOK_SIGNATURE_INVALID',
          () => ({ body, signature: signLexofficePayload(body, OTHER_PRIVATE_KEY) }),
        ],
        ['a body changed by one byte', 401, 'WEBHOOK_SIGNATURE_INVALID', () => ({ body: oneByteChanged, signature })],
        ['the same JSON re-serialised with other whitespace', 401, 'WEBHOOK_SIGNATURE_INVALID', () => ({ body: reserialised, signature })],
        ['a signature that is not base64', 401, 'WEBHOOK_SIGNATURE_INVALID', () => ({ body, signature: `%%${signature.slice(2)}` })],
        ['an absurdly long signature', 401, 'WEBHOOK_SIGNATURE_INVALID', () => ({ body, signature: 'QUFB'.repeat(1100) })],
        ['a body over maxBodyBytes', 413, 'BODY_TOO_LARGE', () => ({ body: Buffer.alloc(200 * 1024, 0x20), signature })],
        ['a text/plain content type', 415, 'UNSUPPORTED_MEDIA_TYPE', () => ({ body, signature, contentType: 'text/plain' })],
        [
          'a form content type',
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          () => ({ body, signature, contentType: 'application/x-www-form-urlencoded' }),
        ],
        [
          'a non-UTF-8 charset',
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          () => ({ body, signature, contentType: 'application/json; charset=latin1' }),
        ],
        [
          'a validly signed body that is not an event',
          400,
          'WEBHOOK_PAYLOAD_INVALID',
          () => ({ body: malformed, signature: signLexofficePayload(malformed, TEST_PRIVATE_KEY) }),
        ],
      ])('%s: %i %s', async (_name, status, reason, make) => {
        const app = makeApp()
        const input = make()
        const res = await post(app, input.body, input.signature, input.contentType)
        expect(res.status).toBe(status)
        expect(res.text).not.toContain('BEGIN')
        await drain(app)
        expect(onEvent.calls).toHaveLength(1) // the sentinel only
        expect(onTokenRevoked.calls).toEqual([])
        expect(onUnknownOrganization.calls).toEqual([])
        expect(onError.calls).toEqual([])
        expect(onRejected.calls).toEqual([[expect.objectContaining({ status, reason })]])
      })

      it('GET: 405 with Allow: POST, HEAD', async () => {
        const app = makeApp()
        const res = await request(app).get(PATH).set('X-Lxo-Signature', signature)
        expect(res.status).toBe(405)
        expect(res.headers['allow']).toBe('POST, HEAD')
        await drain(app)
        expect(onEvent.calls).toHaveLength(1)
        expect(onRejected.calls).toEqual([[expect.objectContaining({ status: 405, reason: 'METHOD_NOT_ALLOWED' })]])
      })

      it('HEAD (lexoffice checks the callback URL with it): 200, nothing run', async () => {
        const app = makeApp()
        await request(app).head(PATH).expect(200)
        await drain(app)
        expect(onEvent.calls).toHaveLength(1)
        expect(onRejected.calls).toEqual([])
      })

      it('a gzip Content-Encoding: 415', async () => {
        const app = makeApp()
        await request(app)
          .post(PATH)
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', 'gzip')
          .set('X-Lxo-Signature', signature)
          .send(body)
          .expect(415)
        await drain(app)
        expect(onEvent.calls).toHaveLength(1)
      })

      it('a chunked body without Content-Length that grows over the limit: 413 and reading stops', async () => {
        const app = makeApp({ maxBodyBytes: 1024 })
        const server = app.listen(0, '127.0.0.1', () => undefined)
        await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())))
        try {
          const { port } = server.address() as AddressInfo
          const status = await new Promise<number>((resolve, reject) => {
            const req = http.request(
              {
                host: '127.0.0.1',
                port,
                method: 'POST',
                path: PATH,
                headers: { 'Content-Type': 'application/json', 'X-Lxo-Signature': signature },
              },
              (res) => {
                res.resume()
                resolve(res.statusCode ?? 0)
                req.destroy()
              },
            )
            req.on('error', (err) => (req.destroyed ? undefined : reject(err)))
            // Keep sending 512-byte chunks until the server answers; it must answer after ~1 KiB.
            const pump = (): void => {
              if (req.destroyed) return
              req.write(Buffer.alloc(512, 0x20), () => setImmediate(pump))
            }
            pump()
          })
          expect(status).toBe(413)
        } finally {
          server.closeAllConnections()
          await new Promise((resolve) => server.close(resolve))
        }
        expect(onRejected.calls).toEqual([[expect.objectContaining({ status: 413, reason: 'BODY_TOO_LARGE' })]])
        expect(onEvent.calls).toEqual([])
      })
    })

    it('maxBodyBytes is inclusive: exactly the limit passes, one byte more is 413', async () => {
      const exact = (size: number): string => {
        const body = eventBody({ padding: '' })
        return eventBody({ padding: 'x'.repeat(size - Buffer.byteLength(body)) })
      }
      const app = makeApp({ maxBodyBytes: 300 })
      const atLimit = exact(300)
      expect(Buffer.byteLength(atLimit)).toBe(300)
      await post(app, atLimit, signLexofficePayload(atLimit, TEST_PRIVATE_KEY)).expect(204)
      await onEvent.call(1)
      const overLimit = exact(301)
      await post(app, overLimit, signLexofficePayload(overLimit, TEST_PRIVATE_KEY)).expect(413)
    })

    it('token.revoked: onTokenRevoked gets the connectionId (= resourceId), then onEvent gets the event', async () => {
      const app = makeApp()
      await post(app, VECTOR_TOKEN_REVOKED.body, VECTOR_TOKEN_REVOKED.signature).expect(204)
      const [revocation] = await onTokenRevoked.call(1)
      const parsed = JSON.parse(VECTOR_TOKEN_REVOKED.body)
      expect(revocation).toEqual({
        connectionId: parsed.resourceId,
        organizationId: parsed.organizationId,
        connection: undefined,
        event: { ...parsed, known: true },
      })
      const [event] = await onEvent.call(1)
      expect(event.eventType).toBe('token.revoked')
    })

    it('resolveConnection: known organisation -> handlers get the connection; unknown -> 204 + onUnknownOrganization only', async () => {
      const THIRD_ORG = '99999999-8888-4777-a666-555555555555'
      // undefined (e.g. Map.get) and null (e.g. a database lookup) both mean "not ours".
      const resolveConnection = jest.fn((event: LexofficeEvent) =>
        event.organizationId === ORG ? 'user-1' : event.organizationId === OTHER_ORG ? undefined : null,
      )
      const app = makeApp({ resolveConnection })
      const unknown = eventBody({ organizationId: OTHER_ORG })
      await post(app, unknown, signLexofficePayload(unknown, TEST_PRIVATE_KEY)).expect(204)
      const [unknownEvent] = await onUnknownOrganization.call(1)
      expect(unknownEvent).toEqual(expect.objectContaining({ organizationId: OTHER_ORG }))
      const third = eventBody({ organizationId: THIRD_ORG })
      await post(app, third, signLexofficePayload(third, TEST_PRIVATE_KEY)).expect(204)
      const [thirdEvent] = await onUnknownOrganization.call(2)
      expect(thirdEvent).toEqual(expect.objectContaining({ organizationId: THIRD_ORG }))

      await post(app, VECTOR_TOKEN_REVOKED.body, VECTOR_TOKEN_REVOKED.signature).expect(204)
      const [revocation] = await onTokenRevoked.call(1)
      expect(revocation).toEqual(expect.objectContaining({ connection: 'user-1' }))
      const [, context] = await onEvent.call(1)
      expect(context).toEqual({ connection: 'user-1' })
      expect(onEvent.calls).toHaveLength(1) // not for the unknown organisations
      expect(onUnknownOrganization.calls).toHaveLength(2)
    })

    it('resolveConnection that rejects: 204, onError (stage resolveConnection), no other handler', async () => {
      const app = makeApp({ resolveConnection: () => Promise.reject(new Error('db down')) })
      await post(app, VECTOR_TOKEN_REVOKED.body, VECTOR_TOKEN_REVOKED.signature).expect(204)
      const [err, info] = await onError.call(1)
      expect(err).toEqual(new Error('db down'))
      expect(info).toEqual({ stage: 'resolveConnection', event: expect.objectContaining({ eventType: 'token.revoked' }) })
      expect(onTokenRevoked.calls).toEqual([])
      expect(onEvent.calls).toEqual([])
    })

    it('the lead can wire token.revoked to a TokenManager in one line', async () => {
      const markLost = jest.fn(async (_key: string, _reason: string) => undefined)
      const connections = new Map([[JSON.parse(VECTOR_TOKEN_REVOKED.body).resourceId as string, 'user-42']])
      const done = deferred()
      const app = makeApp({
        resolveConnection: (event) => (event.eventType === 'token.revoked' ? connections.get(event.resourceId) : 'user-x'),
        onTokenRevoked: async ({ connection }) => {
          await markLost(connection!, 'token.revoked')
          done.resolve()
        },
      })
      await post(app, VECTOR_TOKEN_REVOKED.body, VECTOR_TOKEN_REVOKED.signature).expect(204)
      await done.promise
      expect(markLost).toHaveBeenCalledWith('user-42', 'token.revoked')
    })

    it.each([
      [
        'throws',
        () => {
          throw new Error('handler broke')
        },
      ],
      ['rejects', () => Promise.reject(new Error('handler broke'))],
    ])('onEvent that %s: still 204, onError gets the error, no unhandled rejection', async (_name, impl) => {
      onEvent.impl = impl
      const app = makeApp()
      await post(app, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature).expect(204)
      const [err, info] = await onError.call(1)
      expect(err).toEqual(new Error('handler broke'))
      expect(info).toEqual({ stage: 'onEvent', event: expect.objectContaining({ eventType: 'invoice.created' }) })
      // The handler keeps working afterwards.
      onEvent.impl = () => undefined
      await drain(app)
    })

    it('an onError that itself throws is swallowed', async () => {
      onEvent.impl = () => Promise.reject(new Error('first'))
      onError.impl = () => {
        throw new Error('second')
      }
      const app = makeApp()
      await post(app, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature).expect(204)
      await onError.call(1)
      onEvent.impl = () => undefined
      await drain(app)
    })

    it('answers before a slow onEvent finishes', async () => {
      const gate = deferred()
      const order: string[] = []
      onEvent.impl = () => gate.promise.then(() => order.push('handler finished'))
      const app = makeApp()
      const res = await post(app, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature)
      order.push(`response ${res.status}`)
      await onEvent.call(1) // the handler has started and is still waiting on the gate
      expect(order).toEqual(['response 204'])
      gate.resolve()
      await gate.promise
      await Promise.resolve()
      expect(order).toEqual(['response 204', 'handler finished'])
    }, 10_000)

    it('drops a repeated delivery of the same event (dedupe on by default), and not with dedupe: false', async () => {
      const app = makeApp()
      await post(app, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature).expect(204)
      await post(app, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature).expect(204)
      await drain(app)
      expect(onEvent.calls.map(([e]) => e.eventType)).toEqual(['invoice.created', 'article.changed'])

      const noDedupe = makeApp({ dedupe: false })
      await post(noDedupe, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature).expect(204)
      await post(noDedupe, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature).expect(204)
      await onEvent.call(4)
      expect(onEvent.calls.slice(2).map(([e]) => e.eventType)).toEqual(['invoice.created', 'invoice.created'])
    })

    describe('with a body parser mounted before', () => {
      it('express.json({ verify: lexofficeRawBody() }): verifies the raw bytes', async () => {
        const app = makeApp({}, [express.json({ verify: lexofficeRawBody() })])
        await post(app, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature).expect(204)
        const [event] = await onEvent.call(1)
        expect(event.eventType).toBe('invoice.created')
        // ...and still refuses a re-serialised body, although the parsed objects are equal.
        await post(app, JSON.stringify(JSON.parse(VECTOR_INVOICE_CREATED.body), null, 2), VECTOR_INVOICE_CREATED.signature).expect(401)
      })

      it('express.json({ verify: lexofficeRawBody() }) with a body over maxBodyBytes: 413', async () => {
        const app = makeApp({ maxBodyBytes: 256 }, [express.json({ verify: lexofficeRawBody() })])
        const big = eventBody({ padding: 'x'.repeat(400) })
        await post(app, big, signLexofficePayload(big, TEST_PRIVATE_KEY)).expect(413)
      })

      it("express.raw({ type: 'application/json' }): verifies the Buffer body", async () => {
        const app = makeApp({}, [express.raw({ type: 'application/json' })])
        await post(app, VECTOR_TOKEN_REVOKED.body, VECTOR_TOKEN_REVOKED.signature).expect(204)
        await onTokenRevoked.call(1)
      })

      it('express.json() without the hook: 500 without details, onError names the fix, no handler ran', async () => {
        const app = makeApp({}, [express.json()])
        const res = await post(app, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature)
        expect(res.status).toBe(500)
        expect(res.text).toBe('Internal Server Error')
        const [err, info] = await onError.call(1)
        expect(err).toEqual(
          expect.objectContaining({ code: 'ERR_LEXOFFICE_RAW_BODY_UNAVAILABLE', message: expect.stringContaining('lexofficeRawBody()') }),
        )
        expect(info).toEqual({ stage: 'configuration', event: undefined })
        expect(onEvent.calls).toEqual([])
      })

      it('express.json() without the hook and without onError: logs one clear line, once', async () => {
        const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined)
        try {
          const app = makeApp({ onError: undefined }, [express.json()])
          await post(app, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature).expect(500)
          await post(app, VECTOR_INVOICE_CREATED.body, VECTOR_INVOICE_CREATED.signature).expect(500)
          expect(spy).toHaveBeenCalledTimes(1)
          expect(String(spy.mock.calls[0]?.[0])).toMatch(
            /configuration failed: TypeError \[ERR_LEXOFFICE_RAW_BODY_UNAVAILABLE\].*express\.json/,
          )
        } finally {
          spy.mockRestore()
        }
      })
    })
  })
}

/**
 * Helpers of the dedupe tests: a webhook "process" (an Express app with its own handler,
 * listening on 127.0.0.1 port 0), signed deliveries to it, and call recorders that let a test
 * wait for the n-th call instead of sleeping.
 */
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import type { LexofficeEvent } from '../../../lib/webhooks/events'
import { lexofficeWebhooks, type LexofficeWebhookErrorInfo, type LexofficeWebhooksOptions } from '../../../lib/webhooks/lexofficeWebhooks'
import { signLexofficePayload } from '../../../lib/webhooks/signLexofficePayload'
import { TEST_PRIVATE_KEY, TEST_PUBLIC_KEY } from '../fixtures/testKeys'
import { withoutUndefined } from '../../helpers/withoutUndefined'

export const PATH = '/hooks/lexoffice'
export const ORG = 'aa93e8a8-2aa3-470b-b914-caad8a255dd8'

/** Records calls and lets a test await the n-th one. */
export class Calls<A extends unknown[]> {
  readonly calls: A[] = []
  #waiters: Array<{ n: number; resolve: (args: A) => void }> = []
  impl: (...args: A) => unknown = () => undefined
  readonly fn = (...args: A): unknown => {
    this.calls.push(args)
    for (const w of this.#waiters.filter((w) => w.n === this.calls.length)) w.resolve(args)
    return this.impl(...args)
  }
  /** Resolves with the arguments of call number `n` (1-based). */
  call(n: number): Promise<A> {
    if (this.calls.length >= n) return Promise.resolve(this.calls[n - 1])
    return new Promise((resolve) => this.#waiters.push({ n, resolve }))
  }
}

/** One signed lexoffice delivery. */
export interface Delivery {
  body: string
  signature: string
  /** The id the handler claims: organizationId|eventType|resourceId|eventDate. */
  eventId: string
  resourceId: string
}

/** A fresh, validly signed event (a new resource id each time, so it never collides with another test), dated now unless `eventDate` is given. */
export function makeDelivery(eventType = 'invoice.changed', eventDate = new Date().toISOString()): Delivery {
  const fields = { organizationId: ORG, eventType, resourceId: randomUUID(), eventDate }
  const body = JSON.stringify(fields)
  return {
    body,
    signature: signLexofficePayload(body, TEST_PRIVATE_KEY),
    eventId: `${fields.organizationId}|${fields.eventType}|${fields.resourceId}|${fields.eventDate}`,
    resourceId: fields.resourceId,
  }
}

/** A webhook receiver as one process of a deployment would run it. */
export interface Instance {
  readonly onEvent: Calls<Parameters<LexofficeWebhooksOptions['onEvent']>>
  readonly onError: Calls<[unknown, LexofficeWebhookErrorInfo]>
  readonly onTokenRevoked: Calls<[unknown]>
  /** POSTs a delivery; resolves the status. */
  deliver(delivery: Delivery): Promise<number>
  /** Sends a fresh event and waits for its onEvent: every delivery made before has been decided by then. */
  drain(): Promise<void>
  /** onEvent calls for this resource. */
  handled(delivery: Delivery): number
  close(): Promise<void>
}

/** Options of {@link startInstance}; a callback set to `undefined` is left out (e.g. `onError: undefined`). */
export type InstanceOptions = { [K in keyof LexofficeWebhooksOptions]?: LexofficeWebhooksOptions[K] | undefined }

/** Starts an Express app on 127.0.0.1:0 with `lexofficeWebhooks(options)` at {@link PATH}. */
export async function startInstance(options: InstanceOptions = {}): Promise<Instance> {
  const onEvent = new Calls<Parameters<LexofficeWebhooksOptions['onEvent']>>()
  const onError = new Calls<[unknown, LexofficeWebhookErrorInfo]>()
  const onTokenRevoked = new Calls<[unknown]>()
  const app = express()
  const merged = withoutUndefined({
    publicKey: TEST_PUBLIC_KEY,
    onEvent: onEvent.fn,
    onError: onError.fn,
    onTokenRevoked: onTokenRevoked.fn,
    ...options,
  })
  app.use(PATH, lexofficeWebhooks(merged as unknown as LexofficeWebhooksOptions))
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const deliver = (delivery: Delivery): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: PATH,
          agent: false,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(delivery.body),
            'X-Lxo-Signature': delivery.signature,
          },
        },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      )
      req.on('error', reject)
      req.end(delivery.body)
    })
  return {
    onEvent,
    onError,
    onTokenRevoked,
    deliver,
    drain: async () => {
      const before = onEvent.calls.length
      const sentinel = makeDelivery('article.changed')
      expect(await deliver(sentinel)).toBe(204)
      // Wait for the sentinel itself (an earlier event may still be counted in between).
      for (let n = before + 1; ; n += 1) {
        const [event] = await onEvent.call(n)
        if (event.resourceId === sentinel.resourceId) return
      }
    },
    handled: (delivery) => onEvent.calls.filter(([event]) => event.resourceId === delivery.resourceId).length,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The event of an onEvent/onError call, narrowed for assertions. */
export function resourceOf(event: LexofficeEvent | undefined): string | undefined {
  return event?.resourceId
}

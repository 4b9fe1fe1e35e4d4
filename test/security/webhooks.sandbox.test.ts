/**
 * Attacks on the webhook receiver: forged and re-serialised signatures, oversized bodies, and
 * replays of captured genuine deliveries: right away, after the in-memory dedupe store filled up,
 * and days later (outside the accepted eventDate window). Plus lexoffice's own HEAD check of the
 * callback URL, in the example app and with the README's mounting.
 */
import express from 'express'
import request from 'supertest'
import type { LexofficeWebhookRejection } from '../../lib/webhooks/lexofficeWebhooks'
import { lexofficeWebhooks } from '../../lib/webhooks/lexofficeWebhooks'
import { signLexofficePayload } from '../../lib/webhooks/signLexofficePayload'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { readConfig } from '../../example-app/src/config'
import { type StartedExample, startExample } from '../../example-app/src/startExample'
import { OTHER_PRIVATE_KEY, TEST_PRIVATE_KEY } from '../webhooks/fixtures/testKeys'
import { unpaced } from '../exampleApp/helpers'
import { Calls, type Delivery, type Instance, makeDelivery, startInstance } from '../webhooks/dedupe/helpers'
import { useSecretScan } from './helpers/secretScan'
import { thrown } from './helpers/thrown'

const HOUR = 3_600_000
const scan = useSecretScan()
let instance: Instance | undefined
let rejections: Calls<[LexofficeWebhookRejection]>

beforeAll(() => {
  scan.secrets(TEST_PRIVATE_KEY)
})
beforeEach(() => {
  rejections = new Calls()
})
afterEach(async () => {
  await instance?.close()
  instance = undefined
})

/** A receiver as an app would mount it, recording rejections and errors (as log lines). */
async function receiver(options: Parameters<typeof startInstance>[0] = {}): Promise<Instance> {
  const started = await startInstance({ onRejected: rejections.fn, ...options })
  started.onError.impl = (err, info) => console.error('webhook', info.stage, err)
  return started
}

/** Delivers, then waits until everything sent before was decided (a sentinel event was handled). */
async function deliverAndSettle(target: Instance, delivery: Delivery): Promise<number> {
  const status = await target.deliver(delivery)
  await target.drain()
  return status
}

describe('signatures', () => {
  test('a missing, forged, foreign-key or re-serialised signature is 401 and runs nothing', async () => {
    instance = await receiver()
    const genuine = makeDelivery()
    const pretty = JSON.stringify(JSON.parse(genuine.body), null, 2)
    const attempts: Delivery[] = [
      { ...genuine, signature: '' },
      { ...genuine, signature: Buffer.from('forged').toString('base64') },
      { ...genuine, signature: signLexofficePayload(genuine.body, OTHER_PRIVATE_KEY) },
      { ...genuine, body: pretty },
      { ...genuine, body: genuine.body.replace('invoice.changed', 'invoice.deleted') },
    ]
    for (const attempt of attempts) expect(await instance.deliver(attempt)).toBe(401)
    await instance.drain()
    expect(instance.handled(genuine)).toBe(0)
    expect(rejections.calls.map(([r]) => r.status)).toEqual([401, 401, 401, 401, 401])
  })

  test('a body over maxBodyBytes is 413 before its signature is even checked', async () => {
    instance = await receiver({ maxBodyBytes: 1024 })
    const big = makeDelivery()
    const body = big.body.replace('{', `{"pad":"${'x'.repeat(2048)}",`)
    expect(await instance.deliver({ ...big, body, signature: signLexofficePayload(body, TEST_PRIVATE_KEY) })).toBe(413)
    expect(rejections.calls.map(([r]) => r.reason)).toEqual(['BODY_TOO_LARGE'])
  })
})

describe('freshness: eventDate must lie in the accepted window', () => {
  const at = (msFromNow: number): string => new Date(Date.now() + msFromNow).toISOString()

  test.each([
    ['dated 2019', '2019-06-01T10:00:00.000+02:00'],
    ['dated 2999', '2999-01-01T00:00:00.000Z'],
    ['49 hours old (past every lexoffice retry)', at(-49 * HOUR)],
    ['10 minutes in the future', at(10 * 60_000)],
  ])('a genuine, signed event %s is refused with 400 (not retried by lexoffice) and runs nothing', async (_what, eventDate) => {
    instance = await receiver()
    const stale = makeDelivery('invoice.changed', eventDate)
    expect(await deliverAndSettle(instance, stale)).toBe(400)
    expect(instance.handled(stale)).toBe(0)
    const [[rejection]] = rejections.calls as [[LexofficeWebhookRejection]]
    expect(rejection).toMatchObject({ status: 400, reason: 'WEBHOOK_EVENT_STALE', error: { code: 'WEBHOOK_EVENT_STALE' } })
  })

  test.each([
    ['40 hours old (lexoffice retries that long)', -40 * HOUR],
    ['just now', 0],
    ['2 minutes in the future (clock skew)', 2 * 60_000],
  ])('an event %s is accepted', async (_what, offset) => {
    instance = await receiver()
    const fresh = makeDelivery('invoice.changed', at(offset))
    expect(await deliverAndSettle(instance, fresh)).toBe(204)
    expect(instance.handled(fresh)).toBe(1)
  })

  test('the window is configurable, and a dedupe TTL shorter than the window is refused', () => {
    const onEvent = (): void => undefined
    expect(() => lexofficeWebhooks({ onEvent, maxEventAgeMs: HOUR, maxClockSkewMs: 60_000, dedupeTtlMs: HOUR + 60_000 })).not.toThrow()
    expect(thrown(() => lexofficeWebhooks({ onEvent, maxEventAgeMs: 2 * HOUR, dedupeTtlMs: HOUR }))).toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringMatching(/dedupeTtlMs/) as unknown,
    })
    expect(() => lexofficeWebhooks({ onEvent, maxEventAgeMs: 2 * HOUR, dedupe: false, dedupeTtlMs: HOUR })).not.toThrow()
  })
})

describe('replays of a captured genuine delivery', () => {
  test('right away: handled once', async () => {
    instance = await receiver()
    const genuine = makeDelivery()
    for (let i = 0; i < 5; i++) expect(await instance.deliver(genuine)).toBe(204)
    await instance.drain()
    expect(instance.handled(genuine)).toBe(1)
  })

  test('after the memory store filled up: the claim still holds (the new event runs unchecked and is reported)', async () => {
    instance = await receiver({ dedupe: 2 })
    const captured = makeDelivery()
    await deliverAndSettle(instance, captured) // the drain's sentinel is the second claim: the store is full
    const flood = makeDelivery()
    expect(await deliverAndSettle(instance, flood)).toBe(204)
    expect(await deliverAndSettle(instance, captured)).toBe(204)
    expect(instance.handled(captured)).toBe(1)
    expect(instance.handled(flood)).toBe(1)
    const dedupeErrors = instance.onError.calls.filter(([, info]) => info.stage === 'dedupe')
    expect(dedupeErrors.length).toBeGreaterThan(0)
    expect(dedupeErrors[0]?.[0]).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/full/) as unknown })
  })
})

describe("lexoffice's HEAD check of the callback URL", () => {
  let sandbox: Sandbox
  let app: StartedExample
  beforeAll(async () => {
    // The tests' fixed webhook key: the app reads the sandbox's public key, which would otherwise be generated.
    sandbox = await createSandbox({ autoApprove: true, webhooks: { privateKey: TEST_PRIVATE_KEY }, api: { rateLimit: false } })
    app = await startExample(readConfig({ PORT: '0' }), unpaced(sandbox))
    scan.watch(app.server).secrets(() => sandbox.knownSecrets())
  })
  afterAll(async () => {
    await app.close()
    await sandbox.close()
  })

  test('the example app answers HEAD /webhooks/lexoffice with 200, other methods with 405', async () => {
    await request(app.listenURL).head('/webhooks/lexoffice').expect(200)
    await request(app.listenURL).get('/webhooks/lexoffice').expect(405).expect('allow', 'POST, HEAD')
  })

  test("the README's mounting (app.use) answers HEAD; app.post is reported once as a configuration error", async () => {
    const onError = new Calls<[unknown, { stage: string }]>()
    const readme = express()
    readme.use('/webhooks/lexoffice', lexofficeWebhooks({ onEvent: () => undefined, onError: onError.fn }))
    await request(readme).head('/webhooks/lexoffice').expect(200)

    const postOnly = express()
    postOnly.post('/webhooks/lexoffice', lexofficeWebhooks({ onEvent: () => undefined, onError: onError.fn }))
    await request(postOnly).head('/webhooks/lexoffice').expect(404)
    for (let i = 0; i < 2; i++) await request(postOnly).post('/webhooks/lexoffice').set('content-type', 'application/json').send('{}')
    const [err, info] = await onError.call(1)
    expect(info.stage).toBe('configuration')
    expect(err).toMatchObject({
      code: 'ERR_LEXOFFICE_WEBHOOK_MOUNTED_FOR_POST_ONLY',
      message: expect.stringMatching(/app\.use/) as unknown,
    })
    expect(onError.calls).toHaveLength(1)
  })
})

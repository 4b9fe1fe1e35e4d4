/**
 * The dedupe step of lexofficeWebhooks with the in-process store and custom stores: what is
 * claimed (id, TTL), when a claim is released, fail-open on store errors, and option checks.
 * The Redis store across two processes is in lexofficeWebhooksDedupe.redis.test.ts.
 */
import { inspect } from 'node:util'
import { LexofficeError } from '../../../lib/errors'
import { MemoryWebhookDedupeStore } from '../../../lib/webhooks/dedupe/MemoryWebhookDedupeStore'
import type { WebhookDedupeClaim, WebhookDedupeStore } from '../../../lib/webhooks/dedupe/WebhookDedupeStore'
import { lexofficeWebhooks } from '../../../lib/webhooks/lexofficeWebhooks'
import { TEST_PUBLIC_KEY } from '../fixtures/testKeys'
import { Calls, makeDelivery, startInstance, type Instance } from './helpers'

/** A store that records what the handler asks of it, backed by the real memory store. */
class RecordingStore implements WebhookDedupeStore {
  readonly inner = new MemoryWebhookDedupeStore()
  readonly claims = new Calls<[string, number]>()
  readonly releases = new Calls<[string]>()
  async claim(eventId: string, ttlMs: number): Promise<WebhookDedupeClaim | undefined> {
    this.claims.fn(eventId, ttlMs)
    const claim = await this.inner.claim(eventId, ttlMs)
    if (!claim) return undefined
    return {
      release: async () => {
        this.releases.fn(eventId)
        await claim.release()
      },
    }
  }
}

let instance: Instance | undefined
afterEach(async () => {
  await instance?.close()
  instance = undefined
})

test('claims organizationId|eventType|resourceId|eventDate for 48 hours + 5 minutes by default, before any handler runs', async () => {
  const store = new RecordingStore()
  const order: string[] = []
  store.claims.impl = () => order.push('claim')
  instance = await startInstance({ dedupe: store })
  instance.onEvent.impl = () => order.push('onEvent')
  const delivery = makeDelivery()
  expect(await instance.deliver(delivery)).toBe(204)
  await instance.onEvent.call(1)
  expect(store.claims.calls[0]).toEqual([delivery.eventId, (48 * 60 + 5) * 60 * 1000])
  expect(order).toEqual(['claim', 'onEvent'])
})

test('dedupeTtlMs sets the TTL of the claim', async () => {
  const store = new RecordingStore()
  instance = await startInstance({ dedupe: store, dedupeTtlMs: 60 * 60 * 60 * 1000 })
  await instance.deliver(makeDelivery())
  const [, ttlMs] = await store.claims.call(1)
  expect(ttlMs).toBe(60 * 60 * 60 * 1000)
})

test('all callbacks succeeded: the claim is kept and a repeat runs nothing', async () => {
  const store = new RecordingStore()
  instance = await startInstance({ dedupe: store })
  const delivery = makeDelivery()
  await instance.deliver(delivery)
  await instance.deliver(delivery)
  await instance.drain()
  expect(instance.handled(delivery)).toBe(1)
  expect(store.releases.calls).toEqual([])
  expect(instance.onError.calls).toEqual([])
})

test('onEvent failed: the claim is released, so a repeat runs the handler again', async () => {
  const store = new RecordingStore()
  instance = await startInstance({ dedupe: store })
  instance.onEvent.impl = () => Promise.reject(new Error('handler broke'))
  const delivery = makeDelivery()
  await instance.deliver(delivery)
  await store.releases.call(1)
  expect(instance.onError.calls.map(([, info]) => info.stage)).toEqual(['onEvent'])
  instance.onEvent.impl = () => undefined
  await instance.deliver(delivery)
  await instance.drain()
  expect(instance.handled(delivery)).toBe(2)
  expect(store.releases.calls).toHaveLength(1) // the second run succeeded and keeps its claim
})

test('only onTokenRevoked failed (onEvent worked): the claim is released too, both run again on a repeat', async () => {
  const store = new RecordingStore()
  instance = await startInstance({ dedupe: store })
  instance.onTokenRevoked.impl = () => {
    throw new Error('db down')
  }
  const delivery = makeDelivery('token.revoked')
  await instance.deliver(delivery)
  await store.releases.call(1)
  expect(instance.handled(delivery)).toBe(1)
  instance.onTokenRevoked.impl = () => undefined
  await instance.deliver(delivery)
  await instance.drain()
  expect(instance.onTokenRevoked.calls).toHaveLength(2)
  expect(instance.handled(delivery)).toBe(2)
})

test('resolveConnection or onUnknownOrganization failed: released; an unknown organisation without onUnknownOrganization: kept', async () => {
  const store = new RecordingStore()
  let mode: 'throw' | 'unknown' = 'throw'
  const onUnknownOrganization = new Calls<[unknown]>()
  onUnknownOrganization.impl = () => Promise.reject(new Error('log failed'))
  instance = await startInstance({
    dedupe: store,
    resolveConnection: () => {
      if (mode === 'throw') throw new Error('lookup failed')
      return undefined
    },
    onUnknownOrganization: onUnknownOrganization.fn,
  })
  const first = makeDelivery()
  await instance.deliver(first)
  expect(await store.releases.call(1)).toEqual([first.eventId])
  mode = 'unknown'
  const second = makeDelivery()
  await instance.deliver(second)
  expect(await store.releases.call(2)).toEqual([second.eventId])
  expect(instance.onError.calls.map(([, info]) => info.stage)).toEqual(['resolveConnection', 'onUnknownOrganization'])

  await instance.close()
  const keep = new RecordingStore()
  instance = await startInstance({ dedupe: keep, resolveConnection: () => null })
  const third = makeDelivery()
  await instance.deliver(third)
  await instance.deliver(makeDelivery()) // its claim is decided after the first one's handlers ran
  await keep.claims.call(2)
  await instance.deliver(third)
  await keep.claims.call(3)
  expect(keep.releases.calls).toEqual([])
})

test('a store that rejects: the handler still runs (fail open) and onError gets STORE_UNAVAILABLE without the secret', async () => {
  const failing: WebhookDedupeStore = {
    claim: () =>
      Promise.reject(
        Object.assign(new Error('connect ECONNREFUSED\nredis://:hunter2@db:6379'), { code: 'ECONNREFUSED', password: 'hunter2' }),
      ),
  }
  instance = await startInstance({ dedupe: failing })
  const delivery = makeDelivery()
  expect(await instance.deliver(delivery)).toBe(204)
  const [event] = await instance.onEvent.call(1)
  expect(event.resourceId).toBe(delivery.resourceId)
  const [err, info] = await instance.onError.call(1)
  expect(err).toBeInstanceOf(LexofficeError)
  expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503, message: 'The webhook dedupe store is unavailable.' })
  expect(info).toEqual({ stage: 'dedupe', event: expect.objectContaining({ resourceId: delivery.resourceId }) })
  // The cause keeps name, code and one line of the message; not the extra properties.
  expect((err as Error).cause).toMatchObject({ name: 'Error', code: 'ECONNREFUSED' })
  expect(JSON.stringify(err)).not.toContain('hunter2')
  expect(inspect(err, { depth: 5 })).not.toMatch(/password/)
})

test('a store whose claim throws synchronously, or whose release rejects: handled, reported, no unhandled rejection', async () => {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  try {
    instance = await startInstance({
      dedupe: {
        claim: () => {
          throw new Error('bug in the store')
        },
      },
    })
    await instance.deliver(makeDelivery())
    await instance.onEvent.call(1)
    expect(await instance.onError.call(1)).toEqual([
      expect.objectContaining({ code: 'STORE_UNAVAILABLE' }),
      expect.objectContaining({ stage: 'dedupe' }),
    ])
    await instance.close()

    instance = await startInstance({ dedupe: { claim: async () => ({ release: () => Promise.reject(new Error('release failed')) }) } })
    instance.onEvent.impl = () => Promise.reject(new Error('handler broke'))
    await instance.deliver(makeDelivery())
    const [err, info] = await instance.onError.call(2)
    expect(instance.onError.calls[0][1].stage).toBe('onEvent')
    expect(info.stage).toBe('dedupe')
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' })
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
  expect(unhandled).toEqual([])
})

test('without onError, a store failure is logged as one line naming the stage and code', async () => {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined)
  try {
    instance = await startInstance({ dedupe: { claim: () => Promise.reject(new Error('down')) }, onError: undefined })
    await instance.deliver(makeDelivery())
    await instance.onEvent.call(1)
    await instance.drain()
    expect(spy.mock.calls.map(([line]) => String(line))).toEqual([
      'passport-lexoffice webhooks: dedupe failed: LexofficeError [STORE_UNAVAILABLE]: The webhook dedupe store is unavailable.',
      'passport-lexoffice webhooks: dedupe failed: LexofficeError [STORE_UNAVAILABLE]: The webhook dedupe store is unavailable.',
    ])
  } finally {
    spy.mockRestore()
  }
})

test('dedupe: <number> holds that many claims; a full store runs new events unchecked and reports it, old claims hold', async () => {
  instance = await startInstance({ dedupe: 1 })
  const a = makeDelivery()
  const b = makeDelivery()
  await instance.deliver(a)
  await instance.deliver(a) // dropped
  await instance.deliver(b) // the store is full: b runs without the check
  await instance.deliver(a) // still claimed: dropped
  await instance.drain()
  expect([instance.handled(a), instance.handled(b)]).toEqual([1, 1])
  expect(instance.onError.calls[0]).toEqual([
    expect.objectContaining({ code: 'STORE_UNAVAILABLE' }),
    { stage: 'dedupe', event: expect.objectContaining({ resourceId: b.resourceId }) },
  ])
})

describe('option checks (in the one place, at start-up)', () => {
  const onEvent = (): void => undefined
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'a store without claim()',
      { dedupe: { release: () => undefined } },
      'ERR_INVALID_ARG_TYPE',
      /"dedupe" must be a boolean, an integer or a store/,
    ],
    ['a string', { dedupe: 'redis' }, 'ERR_INVALID_ARG_TYPE', /"dedupe"/],
    ['0 entries', { dedupe: 0 }, 'ERR_INVALID_ARG_VALUE', /"dedupe" must be between 1 and 1000000/],
    ['dedupeTtlMs 0', { dedupeTtlMs: 0 }, 'ERR_INVALID_ARG_VALUE', /"dedupeTtlMs" must be between 1 and 2592000000/],
    ['dedupeTtlMs over 30 days', { dedupeTtlMs: 31 * 24 * 3600_000 }, 'ERR_INVALID_ARG_VALUE', /"dedupeTtlMs"/],
    ['dedupeTtlMs not an integer', { dedupeTtlMs: 1.5 }, 'ERR_INVALID_ARG_TYPE', /"dedupeTtlMs" must be an integer/],
    ['dedupeTtlMs as a string', { dedupeTtlMs: '60000' }, 'ERR_INVALID_ARG_TYPE', /"dedupeTtlMs"/],
    ['a misspelt option', { dedupeTTL: 1000 }, 'ERR_INVALID_ARG_VALUE', /unknown lexofficeWebhooks option "dedupeTTL"/],
    ['dedupeTtlMs shorter than the eventDate window', { dedupeTtlMs: 3_600_000 }, 'ERR_INVALID_ARG_VALUE', /at least maxEventAgeMs/],
    ['maxEventAgeMs under a minute', { maxEventAgeMs: 59_999 }, 'ERR_INVALID_ARG_VALUE', /"maxEventAgeMs"/],
    ['maxClockSkewMs over an hour', { maxClockSkewMs: 3_600_001 }, 'ERR_INVALID_ARG_VALUE', /"maxClockSkewMs"/],
    ['now not a function', { now: 5 }, 'ERR_INVALID_ARG_TYPE', /"now"/],
  ])('%s: TypeError %s', (_name, extra, code, message) => {
    let thrown: unknown
    try {
      lexofficeWebhooks({ publicKey: TEST_PUBLIC_KEY, onEvent, ...extra })
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(TypeError)
    expect(thrown).toMatchObject({ code, message: expect.stringMatching(message) })
  })

  it('accepts a custom store, a memory store, false, and a TTL as short as the eventDate window', () => {
    const store: WebhookDedupeStore = { claim: async () => undefined }
    const window = { maxEventAgeMs: 60_000, maxClockSkewMs: 0, dedupeTtlMs: 60_000 }
    expect(typeof lexofficeWebhooks({ publicKey: TEST_PUBLIC_KEY, onEvent, dedupe: store, ...window })).toBe('function')
    expect(typeof lexofficeWebhooks({ publicKey: TEST_PUBLIC_KEY, onEvent, dedupe: new MemoryWebhookDedupeStore() })).toBe('function')
    expect(typeof lexofficeWebhooks({ publicKey: TEST_PUBLIC_KEY, onEvent, dedupe: false })).toBe('function')
  })
})

/**
 * ensureSubscriptions against the sandbox's /v1/event-subscriptions through the real
 * LexofficeClient: creates what is missing, idempotent, 409 counts as existing, partial
 * failures are reported with typed errors that carry no token.
 */
import { createLexofficeClient } from '../../../lib/client/createLexofficeClient'
import type { LexofficeClient } from '../../../lib/client/LexofficeClient'
import { LexofficeAuthLostError, LexofficeError } from '../../../lib/errors'
import { createSandbox } from '../../../lib/sandbox/createSandbox'
import type { Sandbox } from '../../../lib/sandbox/Sandbox'
import { ensureSubscriptions, type WantedSubscription } from '../../../lib/webhooks/ensureSubscriptions'
import { type SandboxUser, sandboxUser } from './helpers'

let sb: Sandbox
let user: SandboxUser
let client: LexofficeClient
const hook = 'http://127.0.0.1:9/webhooks/lexoffice' // nothing listens: webhooks are off in this suite

beforeEach(async () => {
  sb = await createSandbox({ autoApprove: true, api: { rateLimit: false }, webhooks: { enabled: false } })
  user = await sandboxUser(sb)
  client = createLexofficeClient({ getAccessToken: async () => user.accessToken }, { apiURL: sb.url, rateLimit: false, retry: false })
})
afterEach(() => sb.close())

const wanted: WantedSubscription[] = [
  { eventType: 'contact.changed', callbackUrl: hook },
  { eventType: 'token.revoked', callbackUrl: hook },
]

it('creates what is missing, keeps what exists; a second run creates nothing', async () => {
  await client.eventSubscriptions.create({ eventType: 'token.revoked', callbackUrl: hook })
  const first = await ensureSubscriptions(client, wanted)
  expect(first.created.map((s) => s.eventType)).toEqual(['contact.changed'])
  expect(first.existing.map((s) => s.eventType)).toEqual(['token.revoked'])
  expect(first.failed).toEqual([])
  const stored = sb.api.subscriptions(user.connectionId)
  expect(stored.map((s) => [s.eventType, s.callbackUrl]).sort()).toEqual([
    ['contact.changed', hook],
    ['token.revoked', hook],
  ])
  expect(first.created[0].subscriptionId).toBe(stored.find((s) => s.eventType === 'contact.changed')!.subscriptionId)

  const posts = (): number => sb.requests.filter((r) => r.method === 'POST' && r.path === '/v1/event-subscriptions').length
  const before = posts()
  const second = await ensureSubscriptions(client, [...wanted, ...wanted]) // duplicates handled once
  expect(second.created).toEqual([])
  expect(second.existing.map((s) => s.subscriptionId).sort()).toEqual(stored.map((s) => s.subscriptionId).sort())
  expect(posts()).toBe(before)
  expect(sb.api.subscriptions(user.connectionId)).toHaveLength(2)
})

it('a 409 (created meanwhile, e.g. by another process) counts as existing, with its id from a second listing', async () => {
  await client.eventSubscriptions.create({ eventType: 'contact.changed', callbackUrl: hook })
  let lists = 0
  const staleFirstList = {
    eventSubscriptions: {
      list: async () => (lists++ === 0 ? [] : client.eventSubscriptions.list()),
      create: (s: Parameters<LexofficeClient['eventSubscriptions']['create']>[0]) => client.eventSubscriptions.create(s),
    },
  }
  const result = await ensureSubscriptions(staleFirstList, wanted)
  expect(sb.requests.filter((r) => r.path === '/v1/event-subscriptions' && r.method === 'POST').map((r) => r.status)).toEqual([
    201, 409, 201,
  ])
  expect(result.existing).toEqual([
    {
      eventType: 'contact.changed',
      callbackUrl: hook,
      subscriptionId: sb.api.subscriptions().find((s) => s.eventType === 'contact.changed')!.subscriptionId,
    },
  ])
  expect(result.created.map((s) => s.eventType)).toEqual(['token.revoked'])
  expect(result.failed).toEqual([])
})

it('partial failure: the rejected one is reported with a typed error, the others are created', async () => {
  const result = await ensureSubscriptions(client, [
    { eventType: 'contact.changed', callbackUrl: 'http://hooks.example.com/lexoffice' }, // not https, not loopback: 406
    { eventType: 'token.revoked', callbackUrl: hook },
  ])
  expect(result.created.map((s) => s.eventType)).toEqual(['token.revoked'])
  expect(result.failed).toHaveLength(1)
  const { error, eventType } = result.failed[0]
  expect(eventType).toBe('contact.changed')
  expect(error).toBeInstanceOf(LexofficeError)
  expect(error.code).toBe('API_VALIDATION')
  const shown = JSON.stringify(result) + String(error) + JSON.stringify(error) + String(error.stack)
  for (const secret of [user.accessToken, user.refreshToken]) expect(shown).not.toContain(secret)
})

it('a failing listing rejects with the typed error and creates nothing; AUTH_LOST stops further creates', async () => {
  const lost = new LexofficeAuthLostError('token.revoked')
  await expect(
    ensureSubscriptions(createLexofficeClient({ getAccessToken: () => Promise.reject(lost) }, { apiURL: sb.url }), wanted),
  ).rejects.toBe(lost)

  let creates = 0
  const result = await ensureSubscriptions(
    {
      eventSubscriptions: {
        list: async () => [],
        create: async () => {
          creates++
          throw lost
        },
      },
    },
    wanted,
  )
  expect(creates).toBe(1)
  expect(result.failed.map((f) => [f.eventType, f.error.code])).toEqual([
    ['contact.changed', 'AUTH_LOST'],
    ['token.revoked', 'AUTH_LOST'],
  ])
  // A non-lexoffice error is wrapped (its message is not repeated), original kept as cause.
  const odd = await ensureSubscriptions(
    { eventSubscriptions: { list: async () => [], create: async () => Promise.reject(new Error('secret-ish detail')) } },
    wanted.slice(0, 1),
  )
  expect(odd.failed[0].error).toMatchObject({ code: 'API_ERROR' })
  expect(odd.failed[0].error.message).not.toContain('secret-ish')
  expect((odd.failed[0].error as Error & { cause: Error }).cause.message).toBe('secret-ish detail')
})

it('bad input is a TypeError before any request', async () => {
  const count = sb.requests.length
  await expect(ensureSubscriptions(client, [{ eventType: 'contact.exploded' as never, callbackUrl: hook }])).rejects.toThrow(
    /wanted\[0\]\.eventType/,
  )
  await expect(ensureSubscriptions(client, [{ eventType: 'token.revoked', callbackUrl: 'ftp://x' }])).rejects.toThrow(TypeError)
  await expect(ensureSubscriptions(client, 'token.revoked' as never)).rejects.toThrow(TypeError)
  await expect(ensureSubscriptions({} as never, wanted)).rejects.toThrow(/client/)
  expect(await ensureSubscriptions(client, [])).toEqual({ created: [], existing: [], failed: [] })
  expect(sb.requests.length).toBe(count)
})

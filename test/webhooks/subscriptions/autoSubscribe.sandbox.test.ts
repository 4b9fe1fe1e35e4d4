/**
 * autoSubscribe: after every TokenManager.connect (login and reconnect) the wanted subscriptions
 * are ensured for that connection, in the background, without blocking connect and without ever
 * throwing into the app.
 */
import { createLexofficeClient } from '../../../lib/client/createLexofficeClient'
import { createSandbox } from '../../../lib/sandbox/createSandbox'
import type { Sandbox } from '../../../lib/sandbox/Sandbox'
import { TokenManager } from '../../../lib/tokens/TokenManager'
import { MemoryTokenStore } from '../../../lib/tokens/stores/MemoryTokenStore'
import {
  autoSubscribe,
  type AutoSubscribeErrorInfo,
  type AutoSubscribeInfo,
  type AutoSubscription,
} from '../../../lib/webhooks/autoSubscribe'
import type { EnsureSubscriptionsResult, WantedSubscription } from '../../../lib/webhooks/ensureSubscriptions'
import { connectViaSandbox, oauthClientFor } from '../../helpers/connect'

const hook = 'http://127.0.0.1:9/webhooks/lexoffice'
const wanted: WantedSubscription[] = [
  { eventType: 'contact.changed', callbackUrl: hook },
  { eventType: 'token.revoked', callbackUrl: hook },
]

let sb: Sandbox
let manager: TokenManager
let stop: AutoSubscription | undefined
let results: Array<[EnsureSubscriptionsResult, AutoSubscribeInfo]>
let errors: Array<[unknown, AutoSubscribeErrorInfo]>

beforeEach(async () => {
  sb = await createSandbox({ autoApprove: true, api: { rateLimit: false }, webhooks: { enabled: false } })
  manager = new TokenManager({ store: new MemoryTokenStore(), oauth: oauthClientFor(sb), apiURL: sb.url, refreshJitterMs: 0 })
  results = []
  errors = []
})
afterEach(async () => {
  stop?.()
  await stop?.idle()
  await sb.close()
})

function start(extra: Partial<Parameters<typeof autoSubscribe>[0]> = {}): AutoSubscription {
  stop = autoSubscribe({
    manager,
    subscriptions: wanted,
    createClient: (provider) => createLexofficeClient(provider, { apiURL: sb.url, rateLimit: false, retry: false }),
    onResult: (result, info) => void results.push([result, info]),
    onError: (err, info) => void errors.push([err, info]),
    ...extra,
  })
  return stop
}

async function login(key?: string): Promise<{ key: string; connectionId: string }> {
  const tokens = await connectViaSandbox(sb)
  const profile = (await (await fetch(`${sb.url}/v1/profile`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json()) as {
    connectionId: string
    organizationId: string
  }
  await manager.connect(key ?? profile.connectionId, tokens, profile)
  return { key: key ?? profile.connectionId, connectionId: profile.connectionId }
}

const subscriptionCalls = (): number => sb.requests.filter((r) => r.path === '/v1/event-subscriptions').length

it('subscribes after connect, in the background: connect resolves before the run even starts', async () => {
  const order: string[] = []
  const auto = start({
    createClient: (provider) => {
      order.push('createClient')
      return createLexofficeClient(provider, { apiURL: sb.url, rateLimit: false, retry: false })
    },
  })
  const tokens = await connectViaSandbox(sb)
  const profile = (await (await fetch(`${sb.url}/v1/profile`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json()) as {
    connectionId: string
    organizationId: string
  }
  await manager.connect(profile.connectionId, tokens, profile)
  order.push('connect resolved')
  const { connectionId } = profile
  const key = connectionId
  await auto.idle()
  expect(order).toEqual(['connect resolved', 'createClient'])
  expect(
    sb.api
      .subscriptions(connectionId)
      .map((s) => s.eventType)
      .sort(),
  ).toEqual(['contact.changed', 'token.revoked'])
  expect(results).toHaveLength(1)
  expect(results[0][1]).toEqual({ key, connectionId, organizationId: sb.organization.organizationId })
  expect(results[0][0].created).toHaveLength(2)
  expect(errors).toEqual([])
})

it('a reconnect after an auth loss restores the subscriptions of the new connection', async () => {
  const auto = start()
  const first = await login('user-1')
  await auto.idle()
  sb.revokeConnection(first.connectionId)
  await manager.markLost('user-1', 'token.revoked')
  expect(sb.api.subscriptions(first.connectionId)).toEqual([])

  const second = await login('user-1')
  await auto.idle()
  expect(second.connectionId).not.toBe(first.connectionId)
  expect(
    sb.api
      .subscriptions(second.connectionId)
      .map((s) => s.eventType)
      .sort(),
  ).toEqual(['contact.changed', 'token.revoked'])
  expect(results.map(([r, info]) => [info.connectionId, r.created.length])).toEqual([
    [first.connectionId, 2],
    [second.connectionId, 2],
  ])
})

it('a function gives per-connection subscriptions; a repeated connect of the same key creates nothing twice', async () => {
  const auto = start({ subscriptions: (key) => [{ eventType: 'token.revoked', callbackUrl: `${hook}?user=${key}` }] })
  const tokens = await connectViaSandbox(sb)
  await manager.connect('u-7', tokens)
  await manager.connect('u-7', tokens)
  await auto.idle()
  const [connection] = sb.connections()
  expect(sb.api.subscriptions(connection.connectionId).map((s) => s.callbackUrl)).toEqual([`${hook}?user=u-7`])
  expect(results.map(([r]) => [r.created.length, r.existing.length])).toEqual([
    [1, 0],
    [0, 1],
  ])
})

it('failures never reach the app: onError gets them with a stage; connect still succeeds', async () => {
  // 1. createClient throws
  let auto = start({
    createClient: () => {
      throw new Error('no client')
    },
  })
  await login()
  await auto.idle()
  expect(errors.map(([e, i]) => [i.stage, (e as Error).message])).toEqual([['createClient', 'no client']])
  auto()

  // 2. one subscription rejected by lexoffice (406), the other created
  errors = []
  auto = start({ subscriptions: [{ eventType: 'contact.changed', callbackUrl: 'http://hooks.example.com/x' }, wanted[1]] })
  await login()
  await auto.idle()
  expect(errors.map(([e, i]) => [i.stage, i.subscription?.eventType, (e as { code: string }).code])).toEqual([
    ['create', 'contact.changed', 'API_VALIDATION'],
  ])
  expect(results.at(-1)![0].created.map((s) => s.eventType)).toEqual(['token.revoked'])
  auto()

  // 3. the connection is lost before the run: the listing fails with AUTH_LOST
  errors = []
  auto = start({ subscriptions: async (key) => (await manager.markLost(key, 'test'), wanted) })
  await login()
  await auto.idle()
  expect(errors.map(([e, i]) => [i.stage, (e as { code: string }).code])).toEqual([['list', 'AUTH_LOST']])
  auto()

  // 4. onResult and onError themselves throwing are contained
  errors = []
  auto = start({
    onResult: () => {
      throw new Error('onResult broke')
    },
  })
  await login()
  await auto.idle()
  expect(errors.map(([, i]) => i.stage)).toEqual(['onResult'])
  auto()
  auto = start({
    createClient: () => {
      throw new Error('x')
    },
    onError: () => {
      throw new Error('onError broke')
    },
  })
  await login()
  await expect(auto.idle()).resolves.toBeUndefined()
})

it('a disconnect during the run is reported once, not once per subscription', async () => {
  const five: WantedSubscription[] = (
    ['contact.changed', 'contact.created', 'invoice.created', 'invoice.changed', 'token.revoked'] as const
  ).map((eventType) => ({ eventType, callbackUrl: hook }))
  start({
    subscriptions: five,
    createClient: (provider, key) => {
      const client = createLexofficeClient(provider, { apiURL: sb.url, rateLimit: false, retry: false })
      // The user disconnects right after the listing, before the first create.
      const list = client.eventSubscriptions.list.bind(client.eventSubscriptions)
      client.eventSubscriptions.list = async () => {
        const present = await list()
        await manager.disconnect(key)
        return present
      }
      return client
    },
  })
  await login()
  await stop!.idle()
  expect(errors.map(([e, i]) => [i.stage, (e as { code: string }).code])).toEqual([['create', 'NOT_CONNECTED']])
  expect(results.at(-1)![0].failed).toHaveLength(5)
})

it('the default onError logs one line without key or token', async () => {
  const lines: string[] = []
  const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line))
  try {
    const auto = autoSubscribe({
      manager,
      subscriptions: [{ eventType: 'contact.changed', callbackUrl: 'http://hooks.example.com/x' }],
      createClient: (provider) => createLexofficeClient(provider, { apiURL: sb.url, rateLimit: false, retry: false }),
    })
    stop = auto
    const tokens = await connectViaSandbox(sb)
    await manager.connect('secret-user@example.com', tokens)
    await auto.idle()
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^passport-lexoffice autoSubscribe: create failed \(contact\.changed\): LexofficeApiError \[API_VALIDATION\]/)
    for (const s of ['secret-user@example.com', tokens.access_token, tokens.refresh_token!]) expect(lines[0]).not.toContain(s)
  } finally {
    spy.mockRestore()
  }
})

it('stop() stops listening; options are checked at once', async () => {
  const auto = start()
  auto()
  await login()
  await auto.idle()
  expect(subscriptionCalls()).toBe(0)
  expect(() =>
    autoSubscribe({ manager, subscriptions: [{ eventType: 'nope' as never, callbackUrl: hook }], createClient: () => ({}) as never }),
  ).toThrow(TypeError)
  expect(() => autoSubscribe({ manager: {} as never, subscriptions: wanted, createClient: () => ({}) as never })).toThrow(/manager/)
  expect(() => autoSubscribe({ manager, subscriptions: wanted, createClient: 'x' as never })).toThrow(/createClient/)
  expect(() => autoSubscribe({ manager, subscriptions: wanted, createClient: () => ({}) as never, extra: 1 } as never)).toThrow(TypeError)
  expect(manager.listenerCount('connected')).toBe(0)
})

import type { Sandbox } from '../../../lib/sandbox'
import { type ApiClient, connect, expectRegular, startApi } from './helpers'

let sandbox: Sandbox
let api: ApiClient

beforeEach(async () => {
  ;({ sandbox, api } = await startApi())
})
afterEach(() => sandbox.close())

const PATH = '/v1/event-subscriptions'

describe('/v1/event-subscriptions', () => {
  it('creates (201 + Location), lists, reads and deletes a subscription', async () => {
    const created = await api.post(PATH, { eventType: 'contact.created', callbackUrl: 'https://hooks.example.com/lexoffice' })
    expect(created.status).toBe(201)
    expect(Object.keys(created.json as object).sort()).toEqual(['createdDate', 'id', 'resourceUri', 'updatedDate', 'version'])
    expect(created.headers.get('location')).toBe(`${sandbox.url}${PATH}/${created.json.id}`)

    const list = await api.get(PATH)
    expect(list.status).toBe(200)
    expect(list.json).toEqual({
      content: [
        {
          subscriptionId: created.json.id,
          organizationId: sandbox.organization.organizationId,
          createdDate: created.json.createdDate,
          eventType: 'contact.created',
          callbackUrl: 'https://hooks.example.com/lexoffice',
        },
      ],
    })
    expect((await api.get(`${PATH}/${created.json.id}`)).json.subscriptionId).toBe(created.json.id)
    const deleted = await api.delete(`${PATH}/${created.json.id}`)
    expect(deleted.status).toBe(204)
    expect(deleted.body.length).toBe(0)
    expectRegular(await api.get(`${PATH}/${created.json.id}`), 404, `${PATH}/${created.json.id}`)
    expectRegular(await api.delete(`${PATH}/${created.json.id}`), 404, `${PATH}/${created.json.id}`)
    expect((await api.get(PATH)).json).toEqual({ content: [] })
  })

  it('answers 409 for the same eventType and callbackUrl, but not for another event type', async () => {
    const body = { eventType: 'invoice.created', callbackUrl: 'https://hooks.example.com/a' }
    expect((await api.post(PATH, body)).status).toBe(201)
    expectRegular(await api.post(PATH, body), 409, PATH)
    expect((await api.post(PATH, { ...body, eventType: 'invoice.changed' })).status).toBe(201)
    expect((await api.get(PATH)).json.content).toHaveLength(2)
  })

  it('requires https, except http on loopback (a documented sandbox deviation)', async () => {
    expect((await api.post(PATH, { eventType: 'contact.changed', callbackUrl: 'http://127.0.0.1:8080/hook' })).status).toBe(201)
    expect((await api.post(PATH, { eventType: 'contact.changed', callbackUrl: 'http://localhost:8080/hook' })).status).toBe(201)
    const details = expectRegular(
      await api.post(PATH, { eventType: 'contact.changed', callbackUrl: 'http://hooks.example.com/hook' }),
      406,
      PATH,
    )
    expect(details[0]).toMatchObject({ field: 'callbackUrl' })
    expectRegular(await api.post(PATH, { eventType: 'contact.changed', callbackUrl: 'ftp://hooks.example.com/hook' }), 406, PATH)
    expectRegular(await api.post(PATH, { eventType: 'contact.changed', callbackUrl: 'not a url' }), 406, PATH)
    expectRegular(await api.post(PATH, { eventType: 'contact.exploded', callbackUrl: 'https://hooks.example.com/x' }), 406, PATH)
    expectRegular(await api.post(PATH, { callbackUrl: 'https://hooks.example.com/x' }), 406, PATH)
    expectRegular(await api.request('POST', PATH, { raw: '{"eventType":', headers: { 'content-type': 'application/json' } }), 400, PATH)
    expectRegular(await api.request('POST', PATH, { raw: '{}' }), 415, PATH)
  })

  it('keeps subscriptions per connection: another connection neither sees nor deletes them', async () => {
    const created = await api.post(PATH, { eventType: 'contact.created', callbackUrl: 'https://hooks.example.com/a' })
    const other = await connect(sandbox)
    expect((await other.get(PATH)).json).toEqual({ content: [] })
    expectRegular(await other.delete(`${PATH}/${created.json.id}`), 404, `${PATH}/${created.json.id}`)
    // The same eventType + callbackUrl is a different subscription for another connection.
    expect((await other.post(PATH, { eventType: 'contact.created', callbackUrl: 'https://hooks.example.com/a' })).status).toBe(201)
    // Both are subscribers of the organisation's contact.created events.
    expect(sandbox.api.subscribersOf(sandbox.organization.organizationId, 'contact.created')).toHaveLength(2)
  })

  it("removes a connection's subscriptions when the connection is revoked", async () => {
    await api.post(PATH, { eventType: 'contact.created', callbackUrl: 'https://hooks.example.com/a' })
    await api.post(PATH, { eventType: 'token.revoked', callbackUrl: 'https://hooks.example.com/b' })
    const other = await connect(sandbox)
    await other.post(PATH, { eventType: 'contact.created', callbackUrl: 'https://hooks.example.com/c' })
    const [first, second] = sandbox.connections()
    expect(sandbox.api.subscriptions(first.connectionId)).toHaveLength(2)

    expect(sandbox.revokeConnection(first.connectionId)).toBe(true)
    expect(sandbox.api.subscriptions(first.connectionId)).toEqual([])
    expect(sandbox.api.subscriptions(second.connectionId)).toHaveLength(1)
    expect(sandbox.api.subscribersOf(sandbox.organization.organizationId, 'contact.created').map((s) => s.callbackUrl)).toEqual([
      'https://hooks.example.com/c',
    ])
    // The revoked token no longer reaches the API.
    expect((await api.get(PATH)).status).toBe(401)
  })
})

describe('subscriptionsFollowConnection: false', () => {
  it('keeps the subscriptions of a revoked connection', async () => {
    const custom = await startApi({ api: { subscriptionsFollowConnection: false } })
    try {
      await custom.api.post(PATH, { eventType: 'contact.created', callbackUrl: 'https://hooks.example.com/a' })
      const [conn] = custom.sandbox.connections()
      custom.sandbox.revokeConnection(conn.connectionId)
      expect(custom.sandbox.api.subscriptions(conn.connectionId)).toHaveLength(1)
    } finally {
      await custom.sandbox.close()
    }
  })

  it('allowLoopbackHttpCallbacks: false requires https even on loopback', async () => {
    const custom = await startApi({ api: { allowLoopbackHttpCallbacks: false } })
    try {
      expectRegular(await custom.api.post(PATH, { eventType: 'contact.created', callbackUrl: 'http://127.0.0.1:8080/hook' }), 406, PATH)
    } finally {
      await custom.sandbox.close()
    }
  })
})

describe('resource events', () => {
  it('reports organisation, event type and resource id of each change', async () => {
    const events: unknown[] = []
    sandbox.api.onResourceEvent((e) => events.push(e))
    const created = await api.post('/v1/contacts', { version: 0, roles: { vendor: {} }, person: { lastName: 'Eventtest' } })
    expect(events).toEqual([
      {
        organizationId: sandbox.organization.organizationId,
        eventType: 'contact.created',
        resourceId: created.json.id,
        eventDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
    ])
  })

  it('a throwing listener does not break the request', async () => {
    sandbox.api.onResourceEvent(() => {
      throw new Error('listener bug')
    })
    expect((await api.post('/v1/contacts', { version: 0, roles: { vendor: {} }, person: { lastName: 'Robust' } })).status).toBe(200)
  })
})

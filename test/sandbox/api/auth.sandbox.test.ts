import type { Sandbox } from '../../../lib/sandbox'
import { resourceRouteDefs } from '../../../lib/sandbox/api/routes'
import { type ApiClient, connect, expectLegacy, expectRegular, startApi } from './helpers'

let sandbox: Sandbox
let api: ApiClient

beforeAll(async () => {
  ;({ sandbox, api } = await startApi())
})
afterAll(() => sandbox.close())

const concrete = (pattern: string) => pattern.replace(/:id/g, '00000000-0000-4000-8000-000000000000')

describe('authentication and scopes of every API route', () => {
  it('answers 401 {"message":"Unauthorized"} without or with a bad token, on every route', async () => {
    for (const def of resourceRouteDefs) {
      for (const token of [null, 'not-a-token']) {
        const res = await api.request(def.method, concrete(def.pattern), {
          token,
          ...(def.method === 'POST' || def.method === 'PUT' ? { body: {} } : {}),
        })
        expect([def.pattern, res.status]).toEqual([def.pattern, 401])
        expect(res.json).toEqual({ message: 'Unauthorized' })
      }
    }
  })

  it("answers 403 in the endpoint's shape when the connection lacks the scope", async () => {
    const narrow = await connect(sandbox, 'profile.read')
    expectLegacy(await narrow.get('/v1/contacts'), 403)
    expectRegular(await narrow.get('/v1/articles'), 403, '/v1/articles')
    expectRegular(await narrow.post('/v1/invoices', {}), 403, '/v1/invoices')
    expectRegular(await narrow.get('/v1/voucherlist?voucherType=any&voucherStatus=any'), 403, '/v1/voucherlist')
    expectRegular(await narrow.get('/v1/print-layouts'), 403, '/v1/print-layouts')
    // Documented as scope-free.
    expect((await narrow.get('/v1/posting-categories')).status).toBe(200)
    expect((await narrow.get('/v1/event-subscriptions')).status).toBe(200)
    // A read scope does not allow writing.
    const reader = await connect(sandbox, 'contacts.read')
    expect((await reader.get('/v1/contacts')).status).toBe(200)
    expectLegacy(await reader.post('/v1/contacts', { version: 0 }), 403)
  })

  it('never crashes on odd input: writes answer a 4xx to garbage bodies, nothing answers 5xx', async () => {
    const bodies = ['', 'null', '[]', '"text"', '{"version":"x","roles":null,"lineItems":{}}', '{'.repeat(5000), '\u0000\u0001']
    for (const def of resourceRouteDefs) {
      const path = concrete(def.pattern) + '?page=abc&size=-1&finalize=2&voucherType=&name=%26amp%3B'
      for (const raw of def.method === 'GET' || def.method === 'DELETE' ? [undefined] : bodies) {
        const res = await api.request(def.method, path, raw === undefined ? {} : { raw, headers: { 'content-type': 'application/json' } })
        // Writes with a garbage body must be refused; reads may ignore the odd query, but never fail with 5xx.
        const fine = raw === undefined ? res.status < 500 : res.status >= 400 && res.status < 500
        expect([def.method, def.pattern, raw, res.status, fine]).toEqual([def.method, def.pattern, raw, res.status, true])
      }
    }
  })

  it('organisation data is per organisation: a fresh sandbox (other organisation) sees only the demo data', async () => {
    await api.post('/v1/contacts', { version: 0, roles: { customer: {} }, person: { lastName: 'Nur hier' } })
    const { sandbox: other, api: otherApi } = await startApi()
    try {
      expect(other.organization.organizationId).not.toBe(sandbox.organization.organizationId)
      expect((await otherApi.get(`/v1/contacts?name=${encodeURIComponent('Nur hier')}`)).json.totalElements).toBe(0)
      expect((await api.get(`/v1/contacts?name=${encodeURIComponent('Nur hier')}`)).json.totalElements).toBe(1)
    } finally {
      await other.close()
    }
  })
})

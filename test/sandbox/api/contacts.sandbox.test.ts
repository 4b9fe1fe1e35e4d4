import type { Sandbox } from '../../../lib/sandbox'
import { DEMO_DATA_COUNTS } from '../../../lib/sandbox'
import { type ApiClient, expectLegacy, startApi } from './helpers'

let sandbox: Sandbox
let api: ApiClient

beforeAll(async () => {
  ;({ sandbox, api } = await startApi())
})
afterAll(() => sandbox.close())

const company = (name: string) => ({
  version: 0,
  roles: { customer: {} },
  company: { name, contactPersons: [{ salutation: 'Frau', firstName: 'Inge', lastName: 'Tester', emailAddress: 'inge@tester.example' }] },
  addresses: { billing: [{ street: 'Teststraße 1', zip: '12345', city: 'Teststadt', countryCode: 'DE' }] },
  emailAddresses: { business: [`office@${name.toLowerCase().replace(/[^a-z]/g, '')}.example`] },
})

describe('GET /v1/contacts', () => {
  it('pages through the demo contacts to last', async () => {
    const seen: string[] = []
    let page = 0
    for (;;) {
      const res = await api.get(`/v1/contacts?page=${page}&size=10`)
      expect(res.status).toBe(200)
      expect(res.json).toMatchObject({ size: 10, number: page, totalElements: DEMO_DATA_COUNTS.contacts, totalPages: 4, first: page === 0 })
      expect(res.json.numberOfElements).toBe(res.json.content.length)
      seen.push(...(res.json.content as Array<{ id: string }>).map((c) => c.id))
      if (res.json.last) break
      page++
    }
    expect(page).toBe(3)
    expect(seen).toHaveLength(36)
    expect(new Set(seen).size).toBe(36)
  })

  it('defaults to size 25 and caps size at 250', async () => {
    const first = await api.get('/v1/contacts')
    expect(first.json).toMatchObject({ size: 25, number: 0, numberOfElements: 25, last: false })
    const big = await api.get('/v1/contacts?size=1000')
    expect(big.json).toMatchObject({ size: 250, numberOfElements: 36, last: true, totalPages: 1 })
  })

  it('filters by role, number and email', async () => {
    const customers = await api.get('/v1/contacts?customer=true&size=250')
    expect(customers.json.totalElements).toBe(DEMO_DATA_COUNTS.customers)
    const vendors = await api.get('/v1/contacts?vendor=true&size=250')
    expect(vendors.json.totalElements).toBe(DEMO_DATA_COUNTS.vendors)
    const onlyVendors = await api.get('/v1/contacts?vendor=true&customer=false&size=250')
    expect(onlyVendors.json.totalElements).toBe(7)
    const byNumber = await api.get('/v1/contacts?number=10000')
    expect(byNumber.json.content).toHaveLength(1)
    expect(byNumber.json.content[0].company.name).toBe('Müller & Söhne GmbH')
    const byEmail = await api.get('/v1/contacts?email=max.mustermann@')
    expect((byEmail.json.content as Array<{ person: { lastName: string } }>).map((c) => c.person.lastName)).toEqual(['Mustermann'])
  })

  it('decodes HTML-then-URL-encoded search strings', async () => {
    // The client HTML-encodes "&" as "&amp;" and then URL-encodes the result.
    const q = encodeURIComponent('Müller &amp; Söhne')
    const res = await api.get(`/v1/contacts?name=${q}`)
    expect(res.status).toBe(200)
    expect((res.json.content as Array<{ company: { name: string } }>).map((c) => c.company.name)).toEqual(['Müller & Söhne GmbH'])
    const bike = await api.get(`/v1/contacts?name=${encodeURIComponent('Bike &amp; Ride GmbH &amp; Co')}`)
    expect(bike.json.totalElements).toBe(1)
  })

  it('supports the _ and % wildcards, case-insensitively', async () => {
    const res = await api.get(`/v1/contacts?name=${encodeURIComponent('m_ller%gmbh')}`)
    expect((res.json.content as Array<{ company: { name: string } }>).map((c) => c.company.name)).toEqual(['Müller & Söhne GmbH'])
    const none = await api.get(`/v1/contacts?name=${encodeURIComponent('m\\_ller')}`)
    expect(none.json.totalElements).toBe(0)
  })

  it('answers 400 in the legacy shape for a short name, a bad boolean and a repeated filter', async () => {
    expectLegacy(await api.get('/v1/contacts?name=ab'), 400)
    expectLegacy(await api.get('/v1/contacts?customer=yes'), 400)
    expectLegacy(await api.get('/v1/contacts?number=1&number=2'), 400)
    expectLegacy(await api.get('/v1/contacts?page=-1'), 400)
  })

  it('enforces the 10,000 search window', async () => {
    const inside = await api.get('/v1/contacts?page=39&size=250')
    expect(inside.status).toBe(200)
    expect(inside.json.content).toHaveLength(0)
    const issues = expectLegacy(await api.get('/v1/contacts?page=40&size=250'), 400)
    expect(JSON.stringify(issues)).toContain('Maximum search window size exceeded')
    expectLegacy(await api.get('/v1/contacts?page=10000'), 400)
  })
})

describe('POST/PUT /v1/contacts', () => {
  it('creates a contact with version 0 and answers an action result with Location', async () => {
    const events: string[] = []
    const off = sandbox.api.onResourceEvent((e) => events.push(`${e.eventType} ${e.resourceId}`))
    const res = await api.post('/v1/contacts', company('Neue Testfirma AG'))
    off()
    expect(res.status).toBe(200)
    expect(Object.keys(res.json as object).sort()).toEqual(['createdDate', 'id', 'resourceUri', 'updatedDate', 'version'])
    expect(res.json.version).toBe(0)
    expect(res.headers.get('location')).toBe(res.json.resourceUri)
    expect(res.json.resourceUri).toBe(`${sandbox.url}/v1/contacts/${res.json.id}`)
    expect(events).toEqual([`contact.created ${res.json.id}`])

    const got = await api.get(`/v1/contacts/${res.json.id}`)
    expect(got.status).toBe(200)
    expect(got.json).toMatchObject({
      id: res.json.id,
      version: 0,
      organizationId: sandbox.organization.organizationId,
      company: { name: 'Neue Testfirma AG' },
    })
    expect(got.json.roles.customer.number).toBeGreaterThanOrEqual(10000)
  })

  it('updates with the current version and answers 406 (invalid_value at version) for a stale one', async () => {
    const created = await api.post('/v1/contacts', company('Versionstest GmbH'))
    const id = created.json.id
    const updated = await api.put(`/v1/contacts/${id}`, {
      ...company('Versionstest GmbH & Co. KG'),
      version: 0,
      roles: { customer: {}, vendor: {} },
    })
    expect(updated.status).toBe(200)
    expect(updated.json.version).toBe(1)
    const got = await api.get(`/v1/contacts/${id}`)
    expect(got.json.company.name).toBe('Versionstest GmbH & Co. KG')
    expect(got.json.roles.vendor.number).toBeGreaterThanOrEqual(70000)

    const stale = await api.put(`/v1/contacts/${id}`, { ...company('Zu spät'), version: 0 })
    const issues = expectLegacy(stale, 406)
    expect(issues[0]).toMatchObject({ source: 'version', i18nKey: 'invalid_value', type: 'validation_failure' })
    expect((await api.get(`/v1/contacts/${id}`)).json.company.name).toBe('Versionstest GmbH & Co. KG')
  })

  it('answers 409 for a stale version with the variant contactsStaleVersionStatus: 409 (the docs)', async () => {
    const documented = await startApi({ api: { variants: { contactsStaleVersionStatus: 409 } } })
    try {
      const created = await documented.api.post('/v1/contacts', company('Dokumentiert GmbH'))
      const stale = await documented.api.put(`/v1/contacts/${created.json.id}`, { ...company('Zu spät'), version: 5 })
      expect(expectLegacy(stale, 409)[0]).toMatchObject({ source: 'version', i18nKey: 'conflict' })
    } finally {
      await documented.sandbox.close()
    }
  })

  it('answers 406 with an IssueList for invalid contacts', async () => {
    const noRole = expectLegacy(await api.post('/v1/contacts', { ...company('X'), roles: {} }), 406)
    expect(noRole.map((i) => i['source'])).toContain('roles')
    const both = expectLegacy(await api.post('/v1/contacts', { ...company('X'), person: { lastName: 'Y' } }), 406)
    expect(both[0]).toMatchObject({ i18nKey: 'missing_entity', source: 'company and person', type: 'validation_failure' })
    const badVersion = expectLegacy(await api.post('/v1/contacts', { ...company('X'), version: 3 }), 406)
    expect(badVersion[0]).toMatchObject({ source: 'version' })
    const badCountry = expectLegacy(
      await api.post('/v1/contacts', { ...company('X'), addresses: { billing: [{ city: 'Nirgendwo', countryCode: 'XX' }] } }),
      406,
    )
    expect(badCountry[0]).toMatchObject({ source: 'addresses.billing[0].countryCode' })
    expectLegacy(await api.post('/v1/contacts', [1, 2]), 406)
    expectLegacy(await api.post('/v1/contacts', { ...company('X'), emailAddresses: { business: ['not an email'] } }), 406)
  })

  it('keeps only known fields (unknown or deeply nested input is dropped, never echoed)', async () => {
    const deep = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000)
    const raw = JSON.stringify({ ...company('Feldtest GmbH'), person: undefined }).replace(
      '"name":"Feldtest GmbH"',
      `"name":"Feldtest GmbH","extra":${deep},"__proto__":{"polluted":true}`,
    )
    const res = await api.request('POST', '/v1/contacts', { raw, headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(200)
    const got = await api.get(`/v1/contacts/${res.json.id}`)
    expect(got.status).toBe(200)
    expect(Object.keys(got.json.company as object).sort()).toEqual(['contactPersons', 'name'])
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('answers 404, 415 and 400 in the legacy shape', async () => {
    expectLegacy(await api.get('/v1/contacts/00000000-0000-4000-8000-000000000000'), 404)
    expectLegacy(await api.put('/v1/contacts/unknown', { ...company('X'), version: 0 }), 404)
    expectLegacy(await api.request('POST', '/v1/contacts', { raw: JSON.stringify(company('X')) }), 415)
    expectLegacy(
      await api.request('POST', '/v1/contacts', { raw: JSON.stringify(company('X')), headers: { 'content-type': 'text/plain' } }),
      415,
    )
    expectLegacy(await api.request('POST', '/v1/contacts', { raw: '{"version":0,', headers: { 'content-type': 'application/json' } }), 400)
  })
})

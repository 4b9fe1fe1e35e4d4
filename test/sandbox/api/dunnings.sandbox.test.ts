import type { Sandbox } from '../../../lib/sandbox'
import type { ResourceEvent } from '../../../lib/sandbox/api/store'
import { type ApiClient, connect, expectRegular, invoiceBody, startApi } from './helpers'

/** `/v1/dunnings` of the sandbox API, over real HTTP. */
let sandbox: Sandbox
let api: ApiClient
let invoice: { id: string; voucherNumber: string; contactId: string; name: string }

beforeAll(async () => {
  ;({ sandbox, api } = await startApi())
  const [entry] = (await api.get('/v1/voucherlist?voucherType=invoice&voucherStatus=open&size=1')).json.content
  const full = (await api.get(`/v1/invoices/${entry.id}`)).json
  invoice = { id: full.id, voucherNumber: full.voucherNumber, contactId: full.address.contactId, name: full.address.name }
})
afterAll(() => sandbox.close())

const UNKNOWN = '00000000-0000-4000-8000-000000000000'

/** A valid dunning body for the seeded open invoice (same contact, same tax type). */
function dunningBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    voucherDate: '2026-03-01T00:00:00.000+01:00',
    address: { contactId: invoice.contactId },
    lineItems: [
      {
        type: 'custom',
        name: 'Mahngebühr',
        quantity: 1,
        unitName: 'Stück',
        unitPrice: { currency: 'EUR', netAmount: 5, taxRatePercentage: 0 },
      },
      { type: 'text', name: 'Hinweis', description: 'Bitte überweisen Sie den offenen Betrag.' },
    ],
    totalPrice: { currency: 'EUR' },
    taxConditions: { taxType: 'net' },
    shippingConditions: { shippingType: 'none' },
    introduction: `Zur Rechnung ${invoice.voucherNumber}`,
    ...overrides,
  }
}

const create = (query: string, body: Record<string, unknown> = dunningBody()) => api.post(`/v1/dunnings${query}`, body)

describe('POST /v1/dunnings?precedingSalesVoucherId=', () => {
  it('creates a draft related to the invoice, with the invoice contact name, totals and an event', async () => {
    const events: ResourceEvent[] = []
    const off = sandbox.api.onResourceEvent((e) => events.push(e))
    const res = await create(`?precedingSalesVoucherId=${invoice.id}`)
    off()
    expect(res.status).toBe(200)
    expect(res.json).toEqual({
      id: expect.any(String),
      resourceUri: expect.stringContaining(`/v1/dunnings/${res.json.id}`),
      createdDate: expect.any(String),
      updatedDate: expect.any(String),
      version: 1,
    })
    expect(res.headers.get('location')).toBe(res.json.resourceUri)
    expect(events.map((e) => [e.eventType, e.resourceId])).toEqual([['dunning.created', res.json.id]])

    const got = await api.get(`/v1/dunnings/${res.json.id}`)
    expect(got.status).toBe(200)
    expect(got.json).toMatchObject({
      id: res.json.id,
      voucherStatus: 'draft',
      electronicDocumentProfile: 'NONE',
      title: 'Mahnung',
      address: { contactId: invoice.contactId, name: invoice.name },
      relatedVouchers: [{ id: invoice.id, voucherNumber: invoice.voucherNumber, voucherType: 'invoice' }],
      totalPrice: { currency: 'EUR', totalNetAmount: 5, totalGrossAmount: 5, totalTaxAmount: 0 },
      shippingConditions: { shippingType: 'none' },
      taxConditions: { taxType: 'net' },
    })
    expect(got.json.voucherNumber).toBeUndefined()
    expect(got.json.lineItems[0]).toMatchObject({ lineItemAmount: 5 })
  })

  it('is always a draft: finalize=true is ignored', async () => {
    const res = await create(`?precedingSalesVoucherId=${invoice.id}&finalize=true`)
    expect(res.status).toBe(200)
    expect((await api.get(`/v1/dunnings/${res.json.id}`)).json.voucherStatus).toBe('draft')
  })

  it('a down-payment invoice can be dunned too', async () => {
    const downPayment = [...sandbox.api.organization(sandbox.organization.organizationId).downPaymentInvoices.values()].find(
      (v) => v.voucherStatus === 'open',
    )!
    const address = downPayment['address'] as { contactId: string }
    const res = await create(
      `?precedingSalesVoucherId=${downPayment.id}`,
      dunningBody({
        address: { contactId: address.contactId },
        taxConditions: { taxType: 'gross' },
        lineItems: [
          {
            type: 'custom',
            name: 'Mahngebühr',
            quantity: 1,
            unitName: 'Stück',
            unitPrice: { currency: 'EUR', grossAmount: 5, taxRatePercentage: 0 },
          },
        ],
      }),
    )
    expect(res.status).toBe(200)
    expect((await api.get(`/v1/dunnings/${res.json.id}`)).json.relatedVouchers).toEqual([
      { id: downPayment.id, voucherNumber: downPayment.voucherNumber, voucherType: 'downpaymentinvoice' },
    ])
  })

  it('without precedingSalesVoucherId (or with a non-UUID) answers 400 in the regular format; nothing is created', async () => {
    const before = sandbox.api.organization(sandbox.organization.organizationId).dunnings.size
    const details = expectRegular(await create(''), 400, '/v1/dunnings')
    expect(details).toEqual([expect.objectContaining({ field: 'precedingSalesVoucherId' })])
    expectRegular(await create('?precedingSalesVoucherId='), 400, '/v1/dunnings')
    expectRegular(await create('?precedingSalesVoucherId=RE0001'), 400, '/v1/dunnings')
    expect(sandbox.api.organization(sandbox.organization.organizationId).dunnings.size).toBe(before)
  })

  it('an invalid pursue answers 406: unknown id, not an invoice, a draft invoice', async () => {
    const unknown = expectRegular(await create(`?precedingSalesVoucherId=${UNKNOWN}`), 406, '/v1/dunnings')
    expect(unknown).toEqual([expect.objectContaining({ field: 'precedingSalesVoucherId', violation: 'NOTFOUND' })])
    const [quotation] = (await api.get('/v1/voucherlist?voucherType=quotation&voucherStatus=open&size=1')).json.content
    const notInvoice = expectRegular(await create(`?precedingSalesVoucherId=${quotation.id}`), 406, '/v1/dunnings')
    expect(notInvoice).toEqual([expect.objectContaining({ field: 'precedingSalesVoucherId', violation: 'NOTALLOWED' })])
    const draft = await api.post('/v1/invoices', invoiceBody())
    expect(
      expectRegular(
        await create(`?precedingSalesVoucherId=${draft.json.id}`, dunningBody({ address: { name: 'X', countryCode: 'DE' } })),
        406,
        '/v1/dunnings',
      ),
    ).toEqual([expect.objectContaining({ field: 'precedingSalesVoucherId' })])
    // A dunning cannot be dunned either.
    const dunning = await create(`?precedingSalesVoucherId=${invoice.id}`)
    expect((await create(`?precedingSalesVoucherId=${dunning.json.id}`)).status).toBe(406)
  })

  it('contact and tax type must match the invoice; the body is validated like an invoice (406)', async () => {
    const q = `?precedingSalesVoucherId=${invoice.id}`
    const otherContact = expectRegular(
      await create(q, dunningBody({ address: { name: 'Jemand anders', countryCode: 'DE' } })),
      406,
      '/v1/dunnings',
    )
    expect(otherContact).toEqual([expect.objectContaining({ field: 'address.contactId' })])
    const otherTax = expectRegular(
      await create(q, dunningBody({ taxConditions: { taxType: 'gross' }, lineItems: [{ type: 'text', name: 'x' }] })),
      406,
      '/v1/dunnings',
    )
    expect(otherTax.map((d) => d['field'])).toContain('taxConditions.taxType')
    const { shippingConditions: _omit, ...noShipping } = dunningBody()
    expect(expectRegular(await create(q, noShipping), 406, '/v1/dunnings').map((d) => d['field'])).toEqual([
      'shippingConditions.shippingType',
    ])
    expect(expectRegular(await create(q, dunningBody({ lineItems: [] })), 406, '/v1/dunnings').map((d) => d['field'])).toEqual([
      'lineItems',
    ])
    expectRegular(
      await api.request('POST', `/v1/dunnings${q}`, { raw: '{', headers: { 'content-type': 'application/json' } }),
      400,
      '/v1/dunnings',
    )
    expectRegular(await api.request('POST', `/v1/dunnings${q}`, { raw: '{}' }), 415, '/v1/dunnings')
  })
})

describe('GET /v1/dunnings/{id} and /file', () => {
  it('downloads the draft as PDF; unknown ids answer 404', async () => {
    const { json } = await create(`?precedingSalesVoucherId=${invoice.id}`)
    const file = await api.get(`/v1/dunnings/${json.id}/file`, { headers: { accept: 'application/pdf' } })
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/pdf')
    expect(Number(file.headers.get('content-length'))).toBe(file.body.length)
    expect(file.body.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4')
    expect(file.body.toString('latin1')).toContain(`(Mahnung zu ${invoice.voucherNumber})`)
    expectRegular(await api.get(`/v1/dunnings/${UNKNOWN}`), 404, `/v1/dunnings/${UNKNOWN}`)
    expectRegular(await api.get(`/v1/dunnings/${UNKNOWN}/file`), 404, `/v1/dunnings/${UNKNOWN}/file`)
  })

  it('dunnings are neither in the voucherlist nor payable', async () => {
    const { json } = await create(`?precedingSalesVoucherId=${invoice.id}`)
    // lexoffice refuses voucherType=dunning: dunnings are not in the voucherlist at all.
    expectRegular(await api.get('/v1/voucherlist?voucherType=dunning&voucherStatus=any'), 400, '/v1/voucherlist')
    const all = (await api.get('/v1/voucherlist?voucherType=any&voucherStatus=any&size=250')).json.content as Array<{ id: string }>
    expect(all.some((e) => e.id === json.id)).toBe(false)
    expect((await api.get(`/v1/payments/${json.id}`)).status).toBe(404)
  })
})

describe('scopes', () => {
  it('GET needs dunnings.read, POST dunnings.write (403 regular)', async () => {
    const { json } = await create(`?precedingSalesVoucherId=${invoice.id}`)
    const none = await connect(sandbox, 'profile.read invoices.read')
    expectRegular(await none.get(`/v1/dunnings/${json.id}`), 403, `/v1/dunnings/${json.id}`)
    const reader = await connect(sandbox, 'dunnings.read')
    expect((await reader.get(`/v1/dunnings/${json.id}`)).status).toBe(200)
    expect((await reader.get(`/v1/dunnings/${json.id}/file`, { headers: { accept: 'application/pdf' } })).status).toBe(200)
    expectRegular(await reader.post(`/v1/dunnings?precedingSalesVoucherId=${invoice.id}`, dunningBody()), 403, '/v1/dunnings')
    const writer = await connect(sandbox, 'dunnings.write')
    expect((await writer.post(`/v1/dunnings?precedingSalesVoucherId=${invoice.id}`, dunningBody())).status).toBe(200)
  })
})

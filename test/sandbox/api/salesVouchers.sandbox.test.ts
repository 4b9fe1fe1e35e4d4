import type { Sandbox } from '../../../lib/sandbox'
import { DEMO_DATA_COUNTS } from '../../../lib/sandbox'
import { type ApiClient, expectRegular, invoiceBody, startApi } from './helpers'

let sandbox: Sandbox
let api: ApiClient

beforeAll(async () => {
  ;({ sandbox, api } = await startApi())
})
afterAll(() => sandbox.close())

/** Checks a PDF byte-wise: header, trailer, and that every xref offset points at its object. */
function expectRealPdf(bytes: Buffer): string {
  const text = bytes.toString('latin1')
  expect(text.startsWith('%PDF-1.4\n')).toBe(true)
  expect(text.trimEnd().endsWith('%%EOF')).toBe(true)
  const startxref = Number(/startxref\n(\d+)\n%%EOF/.exec(text)?.[1])
  expect(text.slice(startxref, startxref + 4)).toBe('xref')
  const offsets = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]))
  expect(offsets.length).toBeGreaterThanOrEqual(6)
  offsets.forEach((offset, i) => expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`))
  const length = Number(/\/Length (\d+) >>\nstream\n/.exec(text)?.[1])
  const streamStart = text.indexOf('stream\n') + 'stream\n'.length
  expect(text.slice(streamStart + length, streamStart + length + '\nendstream'.length)).toBe('\nendstream')
  return text
}

describe('sales vouchers', () => {
  it('creates a draft invoice by default, with computed totals and a Location header', async () => {
    const events: string[] = []
    const off = sandbox.api.onResourceEvent((e) => events.push(e.eventType))
    const res = await api.post('/v1/invoices', invoiceBody())
    off()
    expect(res.status).toBe(200)
    expect(res.headers.get('location')).toBe(`${sandbox.url}/v1/invoices/${res.json.id}`)
    expect(events).toEqual(['invoice.created'])
    const got = await api.get(`/v1/invoices/${res.json.id}`)
    expect(got.status).toBe(200)
    expect(got.json).toMatchObject({
      id: res.json.id,
      voucherStatus: 'draft',
      totalPrice: { currency: 'EUR', totalNetAmount: 160, totalTaxAmount: 29.2, totalGrossAmount: 189.2 },
      taxAmounts: [
        { taxRatePercentage: 7, netAmount: 10, taxAmount: 0.7 },
        { taxRatePercentage: 19, netAmount: 150, taxAmount: 28.5 },
      ],
    })
    expect(got.json.voucherNumber).toBeUndefined()
    expect(got.json.lineItems[0]).toMatchObject({ lineItemAmount: 10, unitPrice: { netAmount: 5, grossAmount: 5.35 } })
    expect(got.json.voucherType).toBeUndefined()
  })

  it('finalizes with ?finalize=true: status open, a voucher number, a due date', async () => {
    const res = await api.post('/v1/invoices?finalize=true', invoiceBody())
    const got = await api.get(`/v1/invoices/${res.json.id}`)
    expect(got.json.voucherStatus).toBe('open')
    expect(got.json.voucherNumber).toMatch(/^RE\d{4}$/)
    expect(got.json.dueDate).toBe('2026-03-16T00:00:00.000+01:00')
  })

  it('serves a real PDF for a finalized invoice, naming its voucher number', async () => {
    const res = await api.post('/v1/invoices?finalize=true', invoiceBody())
    const number = (await api.get(`/v1/invoices/${res.json.id}`)).json.voucherNumber as string
    const file = await api.get(`/v1/invoices/${res.json.id}/file`, { headers: { accept: 'application/pdf' } })
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/pdf')
    expect(file.headers.get('content-disposition')).toContain(`${number}.pdf`)
    const text = expectRealPdf(file.body)
    expect(text).toContain(`(Rechnung ${number}) Tj`)
    expect(text).toContain('(Bike & Ride GmbH & Co. KG) Tj')
  })

  it('refuses to render a draft (409, regular shape)', async () => {
    const res = await api.post('/v1/invoices', invoiceBody())
    expectRegular(
      await api.get(`/v1/invoices/${res.json.id}/file`, { headers: { accept: 'application/pdf' } }),
      409,
      `/v1/invoices/${res.json.id}/file`,
    )
  })

  it('serves the other four kinds, each with its own number prefix and PDF', async () => {
    const kinds: Array<[string, string, string]> = [
      ['quotations', 'AG', 'Angebot'],
      ['credit-notes', 'GS', 'Gutschrift'],
      ['order-confirmations', 'AB', 'Auftragsbestätigung'],
      ['delivery-notes', 'LS', 'Lieferschein'],
    ]
    for (const [resource, prefix, label] of kinds) {
      const { shippingConditions: _s, ...body } = invoiceBody()
      const created = await api.post(`/v1/${resource}?finalize=true`, body)
      expect(created.status).toBe(200)
      const got = await api.get(`/v1/${resource}/${created.json.id}`)
      expect(got.json.voucherNumber).toMatch(new RegExp(`^${prefix}\\d{4}$`))
      const pdf = await api.get(`/v1/${resource}/${created.json.id}/file`, { headers: { accept: '*/*' } })
      const text = expectRealPdf(pdf.body)
      expect(text).toContain(`(${label.replace('ä', '\xe4')} ${got.json.voucherNumber}) Tj`)
      // An id of another kind is not found here.
      expectRegular(await api.get(`/v1/invoices/${created.json.id}`), 404, `/v1/invoices/${created.json.id}`)
    }
  })

  it('references a contact and takes its billing address', async () => {
    const page = await api.get('/v1/contacts?name=Schmidt%20Elektro')
    const contact = page.json.content[0]
    const res = await api.post('/v1/invoices', invoiceBody({ address: { contactId: contact.id } }))
    expect(res.status).toBe(200)
    const got = await api.get(`/v1/invoices/${res.json.id}`)
    expect(got.json.address).toMatchObject({ contactId: contact.id, name: 'Schmidt Elektrotechnik AG', city: 'München', countryCode: 'DE' })
  })

  it('answers 406 with details for invalid vouchers', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ voucherDate: '2026-03-02' }, 'voucherDate'],
      [{ voucherDate: undefined }, 'voucherDate'],
      [{ lineItems: [] }, 'lineItems'],
      [
        { lineItems: [{ type: 'custom', name: 'x', quantity: 1, unitName: 'Stk', unitPrice: { currency: 'EUR', netAmount: 1 } }] },
        'lineItems[0].unitPrice.taxRatePercentage',
      ],
      [
        {
          lineItems: [
            {
              type: 'custom',
              name: 'x',
              quantity: 1,
              unitName: 'Stk',
              unitPrice: { currency: 'EUR', netAmount: 1, taxRatePercentage: 17 },
            },
          ],
        },
        'lineItems[0].unitPrice.taxRatePercentage',
      ],
      [{ lineItems: [{ type: 'bogus', name: 'x' }] }, 'lineItems[0].type'],
      [{ taxConditions: { taxType: 'sometimes' } }, 'taxConditions.taxType'],
      [{ totalPrice: { currency: 'USD' } }, 'totalPrice.currency'],
      [{ address: { contactId: '00000000-0000-4000-8000-000000000000' } }, 'address.contactId'],
      [{ address: { name: 'Ohne Land' } }, 'address.countryCode'],
      [{ shippingConditions: undefined }, 'shippingConditions.shippingType'],
      [{ version: 2 }, 'version'],
    ]
    for (const [override, field] of cases) {
      const details = expectRegular(await api.post('/v1/invoices', invoiceBody(override)), 406, '/v1/invoices')
      expect(details.map((d) => d['field'])).toContain(field)
      for (const d of details) expect(Object.keys(d).sort()).toEqual(['field', 'message', 'violation'])
    }
  })

  it('answers 400 for malformed JSON and a bad finalize flag, 415 without Content-Type, 404 for unknown ids', async () => {
    expectRegular(
      await api.request('POST', '/v1/invoices', { raw: '{"voucherDate":', headers: { 'content-type': 'application/json' } }),
      400,
      '/v1/invoices',
    )
    expectRegular(await api.post('/v1/invoices?finalize=maybe', invoiceBody()), 400, '/v1/invoices')
    expectRegular(await api.request('POST', '/v1/quotations', { raw: JSON.stringify(invoiceBody()) }), 415, '/v1/quotations')
    expectRegular(await api.get('/v1/credit-notes/nope'), 404, '/v1/credit-notes/nope')
    expectRegular(await api.get('/v1/delivery-notes/nope/file'), 404, '/v1/delivery-notes/nope/file')
  })

  it('lists a created invoice in the voucherlist', async () => {
    const count = async () => (await api.get('/v1/voucherlist?voucherType=invoice&voucherStatus=any&size=1')).json.totalElements as number
    const before = await count()
    expect(before).toBeGreaterThanOrEqual(DEMO_DATA_COUNTS.invoices)
    const created = await api.post('/v1/invoices?finalize=true', invoiceBody())
    expect(await count()).toBe(before + 1)
    const open = await api.get(
      `/v1/voucherlist?voucherType=invoice&voucherStatus=open&voucherNumber=${(await api.get(`/v1/invoices/${created.json.id}`)).json.voucherNumber}`,
    )
    expect((open.json.content as Array<{ id: string }>).map((e) => e.id)).toEqual([created.json.id])
  })
})

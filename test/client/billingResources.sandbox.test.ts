import { createSandbox, DEMO_BILLING_COUNTS, type Sandbox } from '../../lib/sandbox'
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import type { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { NewDunning } from '../../lib/client/types/dunnings'
import { apiError } from './helpers/apiError'
import { sandboxProvider } from './helpers/sandboxProvider'

/** The payments, dunnings, recurring-templates and down-payment-invoices resources against the sandbox, over real HTTP. */
let sandbox: Sandbox
let client: LexofficeClient

beforeAll(async () => {
  sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: false } })
  client = createLexofficeClient(await sandboxProvider(sandbox), {
    apiURL: sandbox.endpoints.apiURL,
    connectionKey: 'billing',
    rateLimit: false,
  })
})
afterAll(() => sandbox.close())

const UNKNOWN = '00000000-0000-4000-8000-000000000000'
const data = () => sandbox.api.organization(sandbox.organization.organizationId)

async function openInvoice() {
  const [entry] = (await client.voucherlist.list({ voucherType: 'invoice', voucherStatus: 'open', size: 1 })).content
  return client.invoices.get(entry.id)
}

const dunningFor = (contactId: string | undefined, taxType: string): NewDunning => ({
  voucherDate: '2026-03-01T00:00:00.000+01:00',
  address: contactId === undefined ? { name: 'Einmalkunde', countryCode: 'DE' } : { contactId },
  lineItems: [
    {
      type: 'custom',
      name: 'Mahngebühr',
      quantity: 1,
      unitName: 'Stück',
      unitPrice: { currency: 'EUR', netAmount: 5, grossAmount: 5, taxRatePercentage: 0 },
    },
  ],
  totalPrice: { currency: 'EUR' },
  taxConditions: { taxType },
  shippingConditions: { shippingType: 'none' },
})

describe('payments', () => {
  test('paid, part-paid and open invoices; the amounts agree with the voucherlist', async () => {
    const [paid] = (await client.voucherlist.list({ voucherType: 'invoice', voucherStatus: 'paid', size: 1 })).content
    const payment = await client.payments.get(paid.id)
    expect(payment).toMatchObject({
      openAmount: 0,
      paymentStatus: 'balanced',
      voucherType: 'invoice',
      voucherStatus: 'paid',
      currency: 'EUR',
    })
    expect(payment.paidDate).toEqual(expect.any(String))
    expect(payment.paymentItems?.map((i) => i.amount)).toEqual([paid.totalAmount])

    const open = await client.voucherlist.listAll({ voucherType: 'invoice', voucherStatus: 'open' })
    for (const entry of open) {
      const p = await client.payments.get(entry.id)
      expect([entry.id, p.openAmount, p.paymentStatus]).toEqual([entry.id, entry.openAmount, 'openRevenue'])
    }
  })

  test('a draft is API_VALIDATION (406), an unknown id API_NOT_FOUND', async () => {
    const [draft] = (await client.voucherlist.list({ voucherType: 'invoice', voucherStatus: 'draft', size: 1 })).content
    const err = await apiError(client.payments.get(draft.id))
    expect([err.code, err.upstreamStatus]).toEqual(['API_VALIDATION', 406])
    expect(err.request).toEqual({ method: 'GET', path: `/v1/payments/${draft.id}` })
    expect((await apiError(client.payments.get(UNKNOWN))).code).toBe('API_NOT_FOUND')
  })
})

describe('dunnings', () => {
  test('create (draft), get, download the PDF', async () => {
    const invoice = await openInvoice()
    const created = await client.dunnings.create(dunningFor(invoice.address.contactId, invoice.taxConditions.taxType), {
      precedingSalesVoucherId: invoice.id ?? '',
    })
    const dunning = await client.dunnings.get(created.id)
    expect(dunning).toMatchObject({
      voucherStatus: 'draft',
      relatedVouchers: [{ id: invoice.id, voucherType: 'invoice' }],
      address: { name: invoice.address.name },
    })
    // A field the client's types do not name arrives untouched.
    expect(dunning['electronicDocumentProfile']).toBe('NONE')
    const pdf = await client.dunnings.downloadFile(created.id)
    expect(pdf.contentType).toBe('application/pdf')
    expect(pdf.filename).toBe(`${created.id}.pdf`)
    expect(pdf.data.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  })

  test('an invalid pursue is API_VALIDATION; unknown ids API_NOT_FOUND', async () => {
    const invoice = await openInvoice()
    const [quotation] = (await client.voucherlist.list({ voucherType: 'quotation', voucherStatus: 'open', size: 1 })).content
    const notInvoice = await apiError(client.dunnings.create(dunningFor(undefined, 'net'), { precedingSalesVoucherId: quotation.id }))
    expect([notInvoice.code, notInvoice.upstreamStatus]).toEqual(['API_VALIDATION', 406])
    expect(notInvoice.details).toEqual([expect.objectContaining({ field: 'precedingSalesVoucherId' })])
    const otherContact = await apiError(
      client.dunnings.create(dunningFor(undefined, invoice.taxConditions.taxType), { precedingSalesVoucherId: invoice.id ?? '' }),
    )
    expect(otherContact.details.map((d) => d.field)).toEqual(['address.contactId'])
    expect((await apiError(client.dunnings.get(UNKNOWN))).code).toBe('API_NOT_FOUND')
    expect((await apiError(client.dunnings.downloadFile(UNKNOWN))).code).toBe('API_NOT_FOUND')
  })

  test('without precedingSalesVoucherId the client throws before sending anything', async () => {
    const before = sandbox.requests.length
    const options = {} as { precedingSalesVoucherId: string }
    await expect(client.dunnings.create(dunningFor(undefined, 'net'), options)).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
    })
    expect(sandbox.requests.length).toBe(before)
  })
})

describe('recurring templates', () => {
  test('list sorted by nextExecutionDate, iterate page by page, get the whole template', async () => {
    const next = await client.recurringTemplates.list({ page: 0, size: 1, sort: 'nextExecutionDate,ASC' })
    expect(next).toMatchObject({ number: 0, size: 1, totalElements: DEMO_BILLING_COUNTS.recurringTemplates, last: false })
    expect(next.content[0]?.recurringTemplateSettings.nextExecutionDate).toBe('2026-02-01')

    const all = await client.recurringTemplates.listAll({ sort: 'nextExecutionDate,ASC' }, { pageSize: 1 })
    expect(all.map((t) => t.recurringTemplateSettings.nextExecutionDate)).toEqual(['2026-02-01', '2026-04-01', null])
    expect(all[0]?.id).toBe(next.content[0]?.id)

    const full = await client.recurringTemplates.get(all[2]?.id ?? '')
    expect(full.recurringTemplateSettings).toMatchObject({ executionStatus: 'PAUSED', startDate: null, lastExecutionFailed: true })
    expect(full.lineItems?.length).toBeGreaterThan(0)
    expect((await apiError(client.recurringTemplates.get(UNKNOWN))).code).toBe('API_NOT_FOUND')
    expect((await apiError(client.recurringTemplates.list({ sort: 'nope,ASC' }))).upstreamStatus).toBe(400)
  })
})

describe('down-payment invoices', () => {
  test('get and download the PDF; a draft cannot be rendered; unknown ids API_NOT_FOUND', async () => {
    const open = [...data().downPaymentInvoices.values()].find((v) => v.voucherStatus === 'open')
    const dpi = await client.downPaymentInvoices.get(open?.id ?? '')
    expect(dpi).toMatchObject({ id: open?.id, voucherStatus: 'open', closingInvoiceId: null, electronicDocumentProfile: 'NONE' })
    expect(dpi.lineItems).toHaveLength(1)
    const pdf = await client.downPaymentInvoices.downloadFile(dpi.id ?? '')
    expect(pdf.contentType).toBe('application/pdf')
    expect(pdf.filename).toBe(`${dpi.voucherNumber}.pdf`)
    expect(pdf.data.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const draft = [...data().downPaymentInvoices.values()].find((v) => v.voucherStatus === 'draft')
    const noDocument = await apiError(client.downPaymentInvoices.downloadFile(draft?.id ?? ''))
    expect([noDocument.upstreamStatus, noDocument.code]).toEqual([409, 'API_CONFLICT'])
    expect((await apiError(client.downPaymentInvoices.get(UNKNOWN))).code).toBe('API_NOT_FOUND')
  })
})

describe('scopes enforced by the sandbox', () => {
  test('a connection without the resource scopes gets API_FORBIDDEN (403)', async () => {
    const narrow = createLexofficeClient(await sandboxProvider(sandbox, 'profile.read voucherlist.read'), {
      apiURL: sandbox.endpoints.apiURL,
      rateLimit: false,
    })
    const [paid] = (await narrow.voucherlist.list({ voucherType: 'invoice', voucherStatus: 'paid', size: 1 })).content
    const dpi = [...data().downPaymentInvoices.values()][0]
    for (const call of [
      narrow.payments.get(paid.id),
      narrow.recurringTemplates.list(),
      narrow.dunnings.get(UNKNOWN),
      narrow.downPaymentInvoices.get(dpi.id),
    ]) {
      const err = await apiError(call)
      expect([err.code, err.upstreamStatus]).toEqual(['API_FORBIDDEN', 403])
    }
  })
})

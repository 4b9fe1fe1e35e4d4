import type { Sandbox } from '../../../lib/sandbox'
import { DEMO_BILLING_COUNTS } from '../../../lib/sandbox/api/seedBilling'
import { type ApiClient, connect, expectRegular, startApi } from './helpers'

/** Payments, recurring templates and down-payment invoices of the sandbox API, over real HTTP. */
let sandbox: Sandbox
let api: ApiClient

beforeAll(async () => {
  ;({ sandbox, api } = await startApi())
})
afterAll(() => sandbox.close())

const UNKNOWN = '00000000-0000-4000-8000-000000000000'

interface ListEntry {
  id: string
  voucherType: string
  voucherNumber?: string
  voucherStatus: string
  totalAmount: number
  openAmount: number
}

async function vouchers(type: string, status: string): Promise<ListEntry[]> {
  const res = await api.get(`/v1/voucherlist?voucherType=${type}&voucherStatus=${status}&size=250`)
  expect(res.status).toBe(200)
  return res.json.content as ListEntry[]
}

function data() {
  return sandbox.api.organization(sandbox.organization.organizationId)
}

describe('GET /v1/payments/{voucherId}', () => {
  it('a paid invoice is balanced, with its payment item and paidDate', async () => {
    const [paid] = await vouchers('invoice', 'paid')
    const res = await api.get(`/v1/payments/${paid.id}`)
    expect(res.status).toBe(200)
    expect(res.json).toEqual({
      openAmount: 0,
      currency: 'EUR',
      paymentStatus: 'balanced',
      voucherType: 'invoice',
      voucherStatus: 'paid',
      paidDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T00:00:00\.000\+01:00$/),
      paymentItems: [
        { paymentItemType: 'partPaymentFinancialTransaction', postingDate: res.json.paidDate, amount: paid.totalAmount, currency: 'EUR' },
      ],
    })
  })

  it('open invoices are openRevenue; the part-paid one matches the voucherlist openAmount', async () => {
    const open = await vouchers('invoice', 'open')
    const partPaid = open.filter((e) => e.openAmount < e.totalAmount)
    expect(partPaid).toHaveLength(DEMO_BILLING_COUNTS.partPaidInvoices)
    const res = await api.get(`/v1/payments/${partPaid[0].id}`)
    expect(res.json).toMatchObject({
      openAmount: partPaid[0].openAmount,
      paymentStatus: 'openRevenue',
      voucherStatus: 'open',
      voucherType: 'invoice',
    })
    expect(res.json.paymentItems).toEqual([expect.objectContaining({ paymentItemType: 'manualPayment', amount: expect.any(Number) })])
    expect((res.json.paymentItems[0].amount as number) + partPaid[0].openAmount).toBeCloseTo(partPaid[0].totalAmount, 2)
    expect(res.json.paidDate).toBeUndefined()

    const unpaid = open.find((e) => e.openAmount === e.totalAmount)!
    expect((await api.get(`/v1/payments/${unpaid.id}`)).json).toMatchObject({
      openAmount: unpaid.totalAmount,
      paymentStatus: 'openRevenue',
      paymentItems: [],
    })
  })

  it('voided vouchers are balanced with 0 open; purchase vouchers are openExpense; credit notes openRevenue', async () => {
    const [voided] = await vouchers('invoice', 'voided')
    expect((await api.get(`/v1/payments/${voided.id}`)).json).toMatchObject({
      openAmount: 0,
      paymentStatus: 'balanced',
      voucherStatus: 'voided',
    })
    const [openPurchase] = await vouchers('purchaseinvoice', 'open')
    expect((await api.get(`/v1/payments/${openPurchase.id}`)).json).toMatchObject({
      voucherType: 'purchaseinvoice',
      paymentStatus: 'openExpense',
      openAmount: openPurchase.totalAmount,
    })
    const [paidPurchase] = await vouchers('purchaseinvoice', 'paid')
    expect((await api.get(`/v1/payments/${paidPurchase.id}`)).json).toMatchObject({ paymentStatus: 'balanced', openAmount: 0 })
    const [openCredit] = await vouchers('creditnote', 'open')
    expect((await api.get(`/v1/payments/${openCredit.id}`)).json).toMatchObject({
      voucherType: 'creditnote',
      paymentStatus: 'openRevenue',
    })
  })

  it('a down-payment invoice reports voucherType downpaymentinvoice', async () => {
    const paid = [...data().downPaymentInvoices.values()].find((v) => v.voucherStatus === 'paid')!
    expect((await api.get(`/v1/payments/${paid.id}`)).json).toMatchObject({
      voucherType: 'downpaymentinvoice',
      paymentStatus: 'balanced',
      openAmount: 0,
    })
  })

  it('a draft answers 406 in the regular format', async () => {
    const [draft] = await vouchers('invoice', 'draft')
    const details = expectRegular(await api.get(`/v1/payments/${draft.id}`), 406, `/v1/payments/${draft.id}`)
    expect(details[0]).toMatchObject({ field: 'voucherStatus' })
    const draftDownPayment = [...data().downPaymentInvoices.values()].find((v) => v.voucherStatus === 'draft')!
    expect((await api.get(`/v1/payments/${draftDownPayment.id}`)).status).toBe(406)
  })

  it('unknown ids and vouchers without payments (quotations) answer 404', async () => {
    expectRegular(await api.get(`/v1/payments/${UNKNOWN}`), 404, `/v1/payments/${UNKNOWN}`)
    const [quotation] = await vouchers('quotation', 'open')
    expect((await api.get(`/v1/payments/${quotation.id}`)).status).toBe(404)
  })

  it('needs payments.read (403 regular otherwise)', async () => {
    const [paid] = await vouchers('invoice', 'paid')
    const narrow = await connect(sandbox, 'profile.read invoices.read')
    expectRegular(await narrow.get(`/v1/payments/${paid.id}`), 403, `/v1/payments/${paid.id}`)
    expect((await (await connect(sandbox, 'payments.read')).get(`/v1/payments/${paid.id}`)).status).toBe(200)
  })
})

describe('/v1/recurring-templates', () => {
  it('lists summaries, newest first by default, with the sort in the page object', async () => {
    const res = await api.get('/v1/recurring-templates')
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ first: true, last: true, totalElements: DEMO_BILLING_COUNTS.recurringTemplates, size: 25, number: 0 })
    expect(res.json.sort).toEqual([expect.objectContaining({ property: 'createdDate', direction: 'DESC' })])
    const templates = res.json.content as Array<{ createdDate: string; address: object; totalPrice: object }>
    const created = templates.map((t) => t.createdDate)
    expect([...created].sort().reverse()).toEqual(created)
    for (const t of templates) {
      expect(Object.keys(t).sort()).toEqual([
        'address',
        'createdDate',
        'id',
        'organizationId',
        'paymentConditions',
        'recurringTemplateSettings',
        'title',
        'totalPrice',
        'updatedDate',
      ])
      expect(Object.keys(t.address).sort()).toEqual(['contactId', 'name'])
      expect(Object.keys(t.totalPrice).sort()).toEqual(['currency', 'totalGrossAmount', 'totalNetAmount'])
    }
  })

  it('page=0&size=1&sort=nextExecutionDate,ASC is the next template to run; paused ones (null) come last', async () => {
    const next = await api.get('/v1/recurring-templates?page=0&size=1&sort=nextExecutionDate,ASC')
    expect(next.json).toMatchObject({ totalPages: 3, last: false, numberOfElements: 1 })
    expect(next.json.content[0].recurringTemplateSettings).toMatchObject({ nextExecutionDate: '2026-02-01', executionStatus: 'ACTIVE' })
    const order: Array<string | null> = []
    for (let page = 0; page < 3; page++) {
      const res = await api.get(`/v1/recurring-templates?page=${page}&size=1&sort=nextExecutionDate,ASC`)
      expect(res.json.last).toBe(page === 2)
      order.push(res.json.content[0].recurringTemplateSettings.nextExecutionDate as string | null)
    }
    expect(order).toEqual(['2026-02-01', '2026-04-01', null])
    const desc = await api.get('/v1/recurring-templates?sort=nextExecutionDate,DESC')
    expect(
      (desc.json.content as Array<{ recurringTemplateSettings: { nextExecutionDate: string | null } }>).map(
        (t) => t.recurringTemplateSettings.nextExecutionDate,
      ),
    ).toEqual([null, '2026-04-01', '2026-02-01'])
  })

  it('paging limits: size above 100 is clamped, the 10,000 window and bad sort/page answer 400', async () => {
    expect((await api.get('/v1/recurring-templates?size=1000')).json.size).toBe(100)
    expectRegular(await api.get('/v1/recurring-templates?page=100&size=100'), 400, '/v1/recurring-templates')
    expectRegular(await api.get('/v1/recurring-templates?sort=title,ASC'), 400, '/v1/recurring-templates')
    expectRegular(await api.get('/v1/recurring-templates?page=x'), 400, '/v1/recurring-templates')
  })

  it('GET /{id} is the whole template; unknown ids 404; read-only (POST 405)', async () => {
    const [summary] = (await api.get('/v1/recurring-templates')).json.content
    const full = await api.get(`/v1/recurring-templates/${summary.id}`)
    expect(full.status).toBe(200)
    expect(full.json).toMatchObject({
      id: summary.id,
      version: 0,
      lineItems: expect.any(Array),
      taxConditions: { taxType: 'net' },
      recurringTemplateSettings: summary.recurringTemplateSettings,
    })
    expect(full.json.totalPrice).toMatchObject(summary.totalPrice)
    expectRegular(await api.get(`/v1/recurring-templates/${UNKNOWN}`), 404, `/v1/recurring-templates/${UNKNOWN}`)
    expect((await api.post('/v1/recurring-templates', {})).status).toBe(405)
  })

  it('needs recurring-templates.read', async () => {
    expectRegular(await (await connect(sandbox, 'invoices.read')).get('/v1/recurring-templates'), 403, '/v1/recurring-templates')
    expect((await (await connect(sandbox, 'recurring-templates.read')).get('/v1/recurring-templates')).status).toBe(200)
  })
})

describe('/v1/down-payment-invoices', () => {
  const byStatus = (status: string) => [...data().downPaymentInvoices.values()].find((v) => v.voucherStatus === status)!

  it('seeds one draft, one open and one paid', () => {
    expect([...data().downPaymentInvoices.values()].map((v) => v.voucherStatus).sort()).toEqual(['draft', 'open', 'paid'])
    expect(data().downPaymentInvoices.size).toBe(DEMO_BILLING_COUNTS.downPaymentInvoices)
  })

  it('GET /{id}: an invoice-like document with exactly one line item', async () => {
    const open = byStatus('open')
    const res = await api.get(`/v1/down-payment-invoices/${open.id}`)
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({
      id: open.id,
      voucherStatus: 'open',
      voucherNumber: expect.stringMatching(/^RE\d{4}$/),
      closingInvoiceId: null,
      electronicDocumentProfile: 'NONE',
      taxConditions: { taxType: 'gross' },
      totalPrice: { currency: 'EUR', totalGrossAmount: 1190, totalNetAmount: 1000, totalTaxAmount: 190 },
      files: { documentFileId: expect.any(String) },
    })
    expect(res.json.lineItems).toHaveLength(1)
    expectRegular(await api.get(`/v1/down-payment-invoices/${UNKNOWN}`), 404, `/v1/down-payment-invoices/${UNKNOWN}`)
  })

  it('GET /{id}/file is a PDF (also via /v1/files/{documentFileId}); a draft answers 409', async () => {
    const open = byStatus('open')
    const file = await api.get(`/v1/down-payment-invoices/${open.id}/file`, { headers: { accept: 'application/pdf' } })
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/pdf')
    expect(file.headers.get('content-disposition')).toContain(`${String(open.voucherNumber)}.pdf`)
    expect(file.body.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4')
    expect(file.body.subarray(-6).toString('latin1')).toBe('%%EOF\n')
    const documentFileId = (open['files'] as { documentFileId: string }).documentFileId
    const viaFiles = await api.get(`/v1/files/${documentFileId}`, { headers: { accept: '*/*' } })
    expect([viaFiles.status, viaFiles.headers.get('content-type')]).toEqual([200, 'application/pdf'])
    const draft = byStatus('draft')
    expectRegular(
      await api.get(`/v1/down-payment-invoices/${draft.id}/file`, { headers: { accept: 'application/pdf' } }),
      409,
      `/v1/down-payment-invoices/${draft.id}/file`,
    )
  })

  it('is read-only and shares invoices.read', async () => {
    const open = byStatus('open')
    // No collection to POST to, and the document itself takes no PUT/DELETE.
    expect((await api.post('/v1/down-payment-invoices', {})).status).toBe(404)
    expect((await api.put(`/v1/down-payment-invoices/${open.id}`, {})).status).toBe(405)
    expect((await api.delete(`/v1/down-payment-invoices/${open.id}`)).status).toBe(405)
    expectRegular(
      await (await connect(sandbox, 'profile.read')).get(`/v1/down-payment-invoices/${open.id}`),
      403,
      `/v1/down-payment-invoices/${open.id}`,
    )
    expect(
      (
        await (
          await connect(sandbox, 'invoices.read')
        ).get(`/v1/down-payment-invoices/${open.id}/file`, { headers: { accept: 'application/pdf' } })
      ).status,
    ).toBe(200)
  })

  it('is listed in the voucherlist as downpaymentinvoice, with the open amount its payments leave', async () => {
    const listed = await vouchers('downpaymentinvoice', 'any')
    expect(listed).toHaveLength(DEMO_BILLING_COUNTS.downPaymentInvoices)
    expect(listed.map((e) => e.voucherType)).toEqual(listed.map(() => 'downpaymentinvoice'))
    const paid = listed.find((e) => e.voucherStatus === 'paid')!
    expect(paid.id).toBe(byStatus('paid').id)
    expect(paid.openAmount).toBe(0)
    expect((await vouchers('downpaymentinvoice', 'draft')).map((e) => e.id)).toEqual([byStatus('draft').id])
  })
})

import { LexofficeClient } from '../../lib/client/LexofficeClient'
import { LexofficeSearchWindowError } from '../../lib/client/LexofficeSearchWindowError'
import type { NewDunning } from '../../lib/client/types/dunnings'
import { page, startTestServer, type Seen, type TestServer } from './helpers/testServer'

/**
 * payments, dunnings, recurringTemplates and downPaymentInvoices against a recording test server:
 * the exact requests, numbers sent as strings, fields the types do not name, the search window.
 */
const TOKEN = 'tok-billing-0123456789'
const ID = '11111111-2222-3333-4444-555555555555'
const ACTION = {
  id: ID,
  resourceUri: `https://api/v1/dunnings/${ID}`,
  createdDate: '2026-11-23T10:00:00.000+01:00',
  updatedDate: '2026-11-23T10:00:00.000+01:00',
  version: 1,
}
const PDF = Buffer.from('%PDF-1.4\n%dunning\n')

let server: TestServer
let client: LexofficeClient
/** When set, the recurring-templates list claims this many entries and never marks a page `last`. */
let endless: number | undefined

beforeAll(async () => {
  server = await startTestServer((req) => {
    if (req.method === 'GET' && req.path.endsWith('/file')) {
      return {
        status: 200,
        headers: { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="MA0001.pdf"' },
        body: PDF,
      }
    }
    if (req.path === `/v1/payments/${ID}`) {
      // The shape of lexoffice's own sample, plus a field the client's types do not know.
      return {
        status: 200,
        body: {
          currency: 'EUR',
          openAmount: '1337.00',
          paymentItems: [
            { amount: 10.0, currency: 'EUR', paymentItemType: 'manualPayment', postingDate: '2023-11-04T00:00:00.000+01:00' },
            {
              amount: '39.99',
              currency: 'EUR',
              paymentItemType: 'manualPayment',
              postingDate: '2023-11-06T00:00:00.000+01:00',
              bankReference: 'R-1',
            },
          ],
          paymentStatus: 'openRevenue',
          voucherStatus: 'open',
          voucherType: 'salesinvoice',
          futureField: { nested: true },
        },
      }
    }
    if (req.method === 'GET' && req.path === '/v1/recurring-templates') {
      const size = Number(req.query.get('size') ?? 25)
      const number = Number(req.query.get('page') ?? 0)
      if (endless !== undefined) {
        const content = Array.from({ length: size }, (_, i) => ({ id: `t${number * size + i}` }))
        return { status: 200, body: { ...page(content, number, Math.ceil(endless / size), endless), last: false } }
      }
      return { status: 200, body: page([{ id: ID, recurringTemplateSettings: { executionStatus: 'ACTIVE', newSetting: 1 } }], 0, 1, 1) }
    }
    if (req.method === 'GET') return { status: 200, body: { id: ID, voucherStatus: 'draft', notYetTyped: 'kept' } }
    if (req.method === 'POST' && req.path === '/v1/dunnings')
      return { status: 200, headers: { location: ACTION.resourceUri }, body: ACTION }
    return { status: 405 }
  })
  client = new LexofficeClient({ apiKey: TOKEN, apiURL: server.url, rateLimit: false })
})
afterAll(() => server.close())
beforeEach(() => {
  server.seen.length = 0
  endless = undefined
})

function last(): Seen {
  const s = server.seen.at(-1)
  if (!s) throw new Error('no request seen')
  return s
}

function expectGet(seen: Seen, path: string, accept = 'application/json'): void {
  expect([seen.method, seen.path, seen.headers.accept, seen.headers.authorization, seen.body.length]).toEqual([
    'GET',
    path,
    accept,
    `Bearer ${TOKEN}`,
    0,
  ])
}

const dunning: NewDunning = {
  voucherDate: '2026-11-23T00:00:00.000+01:00',
  address: { contactId: '66196c43-baf3-4335-bfee-d610367059db' },
  lineItems: [
    {
      type: 'custom',
      name: 'Mahngebühr',
      quantity: 1,
      unitName: 'Stück',
      unitPrice: { currency: 'EUR', netAmount: 5, taxRatePercentage: 0 },
    },
  ],
  totalPrice: { currency: 'EUR' },
  taxConditions: { taxType: 'net' },
  shippingConditions: { shippingType: 'none' },
}

describe('payments', () => {
  test('GET /v1/payments/{voucherId}: numeric strings become numbers, unknown fields are kept', async () => {
    const payment = await client.payments.get(ID)
    expectGet(last(), `/v1/payments/${ID}`)
    expect(last().rawQuery).toBe('')
    expect(payment.openAmount).toBe(1337)
    expect(payment.paymentItems?.map((i) => i.amount)).toEqual([10, 39.99])
    expect(payment.paymentItems?.[1]?.['bankReference']).toBe('R-1')
    expect(payment['futureField']).toEqual({ nested: true })
    expect(payment).toMatchObject({ paymentStatus: 'openRevenue', voucherType: 'salesinvoice', voucherStatus: 'open', currency: 'EUR' })
  })

  test('a bad voucher id is refused before any request', async () => {
    await expect(client.payments.get('')).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringContaining('voucherId'),
    })
    expect(server.seen).toHaveLength(0)
  })
})

describe('dunnings', () => {
  test('create sends POST /v1/dunnings?precedingSalesVoucherId=... with the JSON body; get; downloadFile asks for a PDF', async () => {
    await expect(client.dunnings.create(dunning, { precedingSalesVoucherId: ID })).resolves.toEqual(ACTION)
    expect([last().method, last().path, last().rawQuery, last().headers['content-type']]).toEqual([
      'POST',
      '/v1/dunnings',
      `precedingSalesVoucherId=${ID}`,
      'application/json',
    ])
    expect(JSON.parse(last().body.toString('utf8'))).toEqual(dunning)

    const got = await client.dunnings.get(ID)
    expectGet(last(), `/v1/dunnings/${ID}`)
    expect(got['notYetTyped']).toBe('kept')

    const file = await client.dunnings.downloadFile(ID)
    expectGet(last(), `/v1/dunnings/${ID}/file`, 'application/pdf')
    expect(file).toEqual({ data: PDF, contentType: 'application/pdf', filename: 'MA0001.pdf' })
  })

  test('create without precedingSalesVoucherId sends nothing; there is no finalize', async () => {
    for (const [options, code] of [
      [undefined, 'ERR_INVALID_ARG_TYPE'],
      [{}, 'ERR_INVALID_ARG_TYPE'],
      [{ precedingSalesVoucherId: '' }, 'ERR_INVALID_ARG_VALUE'],
    ] as const) {
      await expect(client.dunnings.create(dunning, options as never)).rejects.toMatchObject({ name: 'TypeError', code })
    }
    // Extra options are not sent either (dunnings are always drafts).
    await client.dunnings.create(dunning, { precedingSalesVoucherId: ID, finalize: true } as never)
    expect(server.seen.map((s) => s.rawQuery)).toEqual([`precedingSalesVoucherId=${ID}`])
  })
})

describe('down-payment invoices', () => {
  test('get and downloadFile', async () => {
    const dpi = await client.downPaymentInvoices.get(ID)
    expectGet(last(), `/v1/down-payment-invoices/${ID}`)
    expect(dpi['notYetTyped']).toBe('kept')
    const file = await client.downPaymentInvoices.downloadFile(ID)
    expectGet(last(), `/v1/down-payment-invoices/${ID}/file`, 'application/pdf')
    expect(file.data.equals(PDF)).toBe(true)
  })
})

describe('recurring templates', () => {
  test('list passes page, size and sort; get; unknown fields are kept', async () => {
    const list = await client.recurringTemplates.list({ page: 0, size: 1, sort: 'nextExecutionDate,ASC' })
    expectGet(last(), '/v1/recurring-templates')
    expect(last().rawQuery).toBe('page=0&size=1&sort=nextExecutionDate%2CASC')
    expect(list.content[0]?.recurringTemplateSettings['newSetting']).toBe(1)
    await client.recurringTemplates.list()
    expect(last().rawQuery).toBe('')
    await client.recurringTemplates.get(ID)
    expectGet(last(), `/v1/recurring-templates/${ID}`)
  })

  test('listAll keeps the sort on every page; default (and largest) page size 100', async () => {
    endless = 600
    await client.recurringTemplates.listAll({ sort: 'createdDate,DESC' }, { searchWindow: 'stop' }).catch(() => undefined)
    const first = server.seen[0]
    expect([first.query.get('page'), first.query.get('size'), first.query.get('sort')]).toEqual(['0', '100', 'createdDate,DESC'])
    expect(server.seen.every((s) => s.query.get('sort') === 'createdDate,DESC')).toBe(true)
    await expect(client.recurringTemplates.listAll({}, { pageSize: 101 })).rejects.toThrow(
      /"pageSize" must be an integer between 1 and 100/,
    )
  })

  test('iteration stops at the 10,000-entry search window: a typed error by default, quietly with searchWindow stop', async () => {
    endless = 20_000
    let yielded = 0
    let caught: unknown
    try {
      for await (const _ of client.recurringTemplates.iterate()) yielded++
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(LexofficeSearchWindowError)
    expect((caught as LexofficeSearchWindowError).yielded).toBe(10_000)
    expect(yielded).toBe(10_000)
    const lastSeen = last()
    expect((Number(lastSeen.query.get('page')) + 1) * Number(lastSeen.query.get('size'))).toBeLessThanOrEqual(10_000)

    server.seen.length = 0
    await expect(client.recurringTemplates.listAll({}, { searchWindow: 'stop' })).resolves.toHaveLength(10_000)
    expect(server.seen).toHaveLength(100)
  })
})

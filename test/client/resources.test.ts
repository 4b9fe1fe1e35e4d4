import { LexofficeClient } from '../../lib/client/LexofficeClient'
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import { page, startTestServer, type Seen, type TestServer } from './helpers/testServer'

const TOKEN = 'tok-resources-0123456789'
const ID = '11111111-2222-3333-4444-555555555555'
const ACTION = {
  id: ID,
  resourceUri: `https://api/v1/x/${ID}`,
  createdDate: '2026-11-23T10:00:00.000+01:00',
  updatedDate: '2026-11-23T10:00:00.000+01:00',
  version: 1,
}
const PDF = Buffer.from('%PDF-1.4\n%test\n')

let server: TestServer
let client: LexofficeClient

beforeAll(async () => {
  server = await startTestServer((req) => {
    if (req.method === 'GET' && req.path.endsWith('/file')) {
      return {
        status: 200,
        headers: { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="RE0001.pdf"' },
        body: PDF,
      }
    }
    if (req.method === 'GET' && req.path === `/v1/files/${ID}`)
      return { status: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from([0x89, 0x50]) }
    if (req.method === 'GET' && req.path === '/v1/profile')
      return { status: 200, body: { organizationId: 'org-1', companyName: 'ACME', connectionId: 'conn-1' } }
    if (req.method === 'GET' && ['/v1/contacts', '/v1/articles', '/v1/voucherlist', '/v1/vouchers'].includes(req.path)) {
      return { status: 200, body: page([{ id: ID }], 0, 1, 1) }
    }
    if (req.method === 'GET' && req.path === '/v1/event-subscriptions')
      return { status: 200, body: { content: [{ subscriptionId: ID, eventType: 'contact.changed' }] } }
    if (
      req.method === 'GET' &&
      ['/v1/payment-conditions', '/v1/posting-categories', '/v1/countries', '/v1/print-layouts'].includes(req.path)
    ) {
      return { status: 200, body: [{ id: 'x' }] }
    }
    if (req.method === 'GET') return { status: 200, body: { id: ID, version: 3 } }
    if (req.method === 'POST' && req.path === '/v1/files') return { status: 202, body: { id: ID } }
    if (req.method === 'POST') return { status: 201, headers: { location: `${server.url}${req.path}/${ID}` }, body: ACTION }
    if (req.method === 'PUT') return { status: 200, body: { ...ACTION, version: 4 } }
    if (req.method === 'DELETE') return { status: 204 }
    return { status: 405 }
  })
  client = new LexofficeClient({ apiKey: TOKEN, apiURL: server.url, rateLimit: false })
})
afterAll(() => server.close())

function last(): Seen {
  const s = server.seen.at(-1)
  if (!s) throw new Error('no request seen')
  return s
}

function expectJsonRequest(seen: Seen, method: string, path: string, body?: unknown): void {
  expect(seen.method).toBe(method)
  expect(seen.path).toBe(path)
  expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`)
  expect(seen.headers.accept).toBe('application/json')
  if (body === undefined) {
    expect(seen.body.length).toBe(0)
    expect(seen.headers['content-type']).toBeUndefined()
  } else {
    expect(seen.headers['content-type']).toBe('application/json')
    expect(JSON.parse(seen.body.toString('utf8'))).toEqual(body)
  }
}

describe('LexofficeClient resources against a test server', () => {
  test('profile.get', async () => {
    await expect(client.profile.get()).resolves.toMatchObject({ organizationId: 'org-1' })
    expectJsonRequest(last(), 'GET', '/v1/profile')
    expect(last().rawQuery).toBe('')
  })

  test('contacts: list with filters and paging, get, create (version 0), update', async () => {
    const list = await client.contacts.list({
      email: 'a@b.de',
      name: 'Mey',
      number: 10001,
      customer: true,
      vendor: false,
      page: 2,
      size: 50,
    })
    expect(list.content).toHaveLength(1)
    expectJsonRequest(last(), 'GET', '/v1/contacts')
    expect(Object.fromEntries(last().query)).toEqual({
      email: 'a@b.de',
      name: 'Mey',
      number: '10001',
      customer: 'true',
      vendor: 'false',
      page: '2',
      size: '50',
    })

    await client.contacts.get(ID)
    expectJsonRequest(last(), 'GET', `/v1/contacts/${ID}`)

    const contact = { version: 0, roles: { customer: {} }, person: { lastName: 'Doe' } }
    await expect(client.contacts.create(contact)).resolves.toEqual(ACTION)
    expectJsonRequest(last(), 'POST', '/v1/contacts', contact)

    const updated = { ...contact, version: 3 }
    await expect(client.contacts.update(ID, updated)).resolves.toMatchObject({ version: 4 })
    expectJsonRequest(last(), 'PUT', `/v1/contacts/${ID}`, updated)
  })

  const salesVoucher = {
    voucherDate: '2026-11-23T10:00:00.000+01:00',
    address: { name: 'Doe GmbH', countryCode: 'DE' },
    lineItems: [
      {
        type: 'custom' as const,
        name: 'Work',
        quantity: 1,
        unitName: 'h',
        unitPrice: { currency: 'EUR' as const, netAmount: 100, taxRatePercentage: 19 },
      },
    ],
    totalPrice: { currency: 'EUR' as const },
    taxConditions: { taxType: 'net' },
  }
  const sales = [
    ['invoices', '/v1/invoices'],
    ['quotations', '/v1/quotations'],
    ['creditNotes', '/v1/credit-notes'],
    ['orderConfirmations', '/v1/order-confirmations'],
    ['deliveryNotes', '/v1/delivery-notes'],
  ] as const
  test.each(sales)('%s: create (draft, finalize, pursue), get, downloadFile', async (name, base) => {
    const resource = client[name]
    const body = name === 'quotations' ? { ...salesVoucher, expirationDate: '2026-12-23T10:00:00.000+01:00' } : salesVoucher
    await resource.create(body as never)
    expectJsonRequest(last(), 'POST', base, body)
    expect(last().rawQuery).toBe('')

    await resource.create(body as never, { finalize: true })
    expect(last().rawQuery).toBe('finalize=true')

    await resource.create(body as never, { finalize: true, precedingSalesVoucherId: ID })
    expect(Object.fromEntries(last().query)).toEqual({ finalize: 'true', precedingSalesVoucherId: ID })

    await resource.get(ID)
    expectJsonRequest(last(), 'GET', `${base}/${ID}`)

    const file = await resource.downloadFile(ID)
    expect(last().method).toBe('GET')
    expect(last().path).toBe(`${base}/${ID}/file`)
    expect(last().headers.accept).toBe('application/pdf')
    expect(last().headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(Buffer.isBuffer(file.data)).toBe(true)
    expect(file.data.equals(PDF)).toBe(true)
    expect(file.contentType).toBe('application/pdf')
    expect(file.filename).toBe('RE0001.pdf')
  })

  test('vouchers: create, get, update, findByNumber', async () => {
    const voucher = {
      type: 'purchaseinvoice' as const,
      voucherNumber: 'R-1',
      voucherDate: '2026-11-23',
      totalGrossAmount: 119,
      totalTaxAmount: 19,
      taxType: 'gross' as const,
      voucherItems: [{ amount: 119, taxAmount: 19, taxRatePercent: 19, categoryId: 'cat' }],
    }
    await client.vouchers.create(voucher)
    expectJsonRequest(last(), 'POST', '/v1/vouchers', voucher)
    await client.vouchers.get(ID)
    expectJsonRequest(last(), 'GET', `/v1/vouchers/${ID}`)
    await client.vouchers.update(ID, { ...voucher, version: 2 })
    expectJsonRequest(last(), 'PUT', `/v1/vouchers/${ID}`, { ...voucher, version: 2 })
    await client.vouchers.findByNumber('R-1')
    expectJsonRequest(last(), 'GET', '/v1/vouchers')
    expect(last().rawQuery).toBe('voucherNumber=R-1')
  })

  test('voucherlist.list sends the required type/status lists and filters', async () => {
    await client.voucherlist.list({
      voucherType: ['invoice', 'creditnote'],
      voucherStatus: 'open',
      archived: false,
      contactId: ID,
      voucherDateFrom: '2026-01-01',
      page: 1,
      size: 250,
    })
    expectJsonRequest(last(), 'GET', '/v1/voucherlist')
    expect(Object.fromEntries(last().query)).toEqual({
      voucherType: 'invoice,creditnote',
      voucherStatus: 'open',
      archived: 'false',
      contactId: ID,
      voucherDateFrom: '2026-01-01',
      page: '1',
      size: '250',
    })
  })

  test('articles: list, get, create, update, delete', async () => {
    await client.articles.list({ articleNumber: 'A-1', type: 'SERVICE', size: 10 })
    expectJsonRequest(last(), 'GET', '/v1/articles')
    expect(Object.fromEntries(last().query)).toEqual({ articleNumber: 'A-1', type: 'SERVICE', size: '10' })
    await client.articles.get(ID)
    expectJsonRequest(last(), 'GET', `/v1/articles/${ID}`)
    const article = {
      title: 'Consulting',
      type: 'SERVICE' as const,
      unitName: 'h',
      price: { netPrice: 100, leadingPrice: 'NET' as const, taxRate: 19 },
    }
    await client.articles.create(article)
    expectJsonRequest(last(), 'POST', '/v1/articles', article)
    await client.articles.update(ID, { ...article, version: 1 })
    expectJsonRequest(last(), 'PUT', `/v1/articles/${ID}`, { ...article, version: 1 })
    await expect(client.articles.delete(ID)).resolves.toBeUndefined()
    expectJsonRequest(last(), 'DELETE', `/v1/articles/${ID}`)
  })

  test('eventSubscriptions: list (unwraps content), get, create, delete', async () => {
    await expect(client.eventSubscriptions.list()).resolves.toEqual([{ subscriptionId: ID, eventType: 'contact.changed' }])
    expectJsonRequest(last(), 'GET', '/v1/event-subscriptions')
    await client.eventSubscriptions.get(ID)
    expectJsonRequest(last(), 'GET', `/v1/event-subscriptions/${ID}`)
    const sub = { eventType: 'token.revoked' as const, callbackUrl: 'https://app.example/hook' }
    await client.eventSubscriptions.create(sub)
    expectJsonRequest(last(), 'POST', '/v1/event-subscriptions', sub)
    await client.eventSubscriptions.delete(ID)
    expectJsonRequest(last(), 'DELETE', `/v1/event-subscriptions/${ID}`)
  })

  test.each([
    ['paymentConditions', '/v1/payment-conditions'],
    ['postingCategories', '/v1/posting-categories'],
    ['countries', '/v1/countries'],
    ['printLayouts', '/v1/print-layouts'],
  ] as const)('%s.list', async (name, path) => {
    await expect(client[name].list()).resolves.toEqual([{ id: 'x' }])
    expectJsonRequest(last(), 'GET', path)
  })

  test('files.upload sends multipart with file and type=voucher; download returns bytes', async () => {
    const bytes = Buffer.from('%PDF-1.7 receipt')
    await expect(client.files.upload(bytes, { filename: 'receipt.pdf', type: 'voucher' })).resolves.toEqual({ id: ID })
    const up = last()
    expect(up.method).toBe('POST')
    expect(up.path).toBe('/v1/files')
    expect(up.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(up.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    const form = await new Response(new Uint8Array(up.body), { headers: { 'content-type': up.headers['content-type'] ?? '' } }).formData()
    expect(form.get('type')).toBe('voucher')
    const file = form.get('file') as File
    expect(file.name).toBe('receipt.pdf')
    expect(file.type).toBe('application/pdf')
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true)

    const got = await client.files.download(ID)
    expect(last().path).toBe(`/v1/files/${ID}`)
    expect(last().headers.accept).toBe('*/*')
    expect(got.contentType).toBe('image/png')
    expect([...got.data]).toEqual([0x89, 0x50])
  })

  test('ids that are not lexoffice ids (UUIDs) are refused before any request (test/security/apiClient.sandbox.test.ts has the attacks)', async () => {
    const before = server.seen.length
    await expect(client.contacts.get('a/b?c')).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    await expect(client.contacts.get('')).rejects.toThrow(TypeError)
    expect(server.seen.length).toBe(before)
  })

  test('createLexofficeClient uses the token provider for the Bearer header', async () => {
    const c = createLexofficeClient({ getAccessToken: async () => 'provided-token-xyz' }, { apiURL: `${server.url}/v1`, rateLimit: false })
    expect(c.apiURL).toBe(server.url)
    await c.profile.get()
    expect(last().headers.authorization).toBe('Bearer provided-token-xyz')
    expect(last().path).toBe('/v1/profile')
  })

  test('environment selects the documented hosts', () => {
    expect(new LexofficeClient({ apiKey: 'k', environment: 'sandbox' }).apiURL).toBe('https://api.lexware-sandbox.io')
    expect(new LexofficeClient({ apiKey: 'k' }).apiURL).toBe('https://api.lexware.io')
  })

  test('bad options throw TypeErrors naming the option', () => {
    expect(() => new LexofficeClient({} as never)).toThrow(/exactly one of "apiKey" and "tokenProvider"/)
    expect(() => new LexofficeClient({ apiKey: 'k', tokenProvider: { getAccessToken: async () => 't' } } as never)).toThrow(TypeError)
    expect(() => new LexofficeClient({ apiKey: 'k', timeoutMs: 0 })).toThrow(/timeoutMs/)
    expect(() => new LexofficeClient({ apiKey: 'k', apiURL: 'http://example.com' })).toThrow(/apiURL/)
    expect(() => new LexofficeClient({ apiKey: 'k', retry: { retries: -1 } })).toThrow(/retry.retries/)
    expect(() => new LexofficeClient({ apiKey: 'k', rateLimit: { ratePerSecond: 0 } })).toThrow(/ratePerSecond/)
    expect(() => new LexofficeClient({ apiKey: 'k', timeout: 5 } as never)).toThrow(/unknown LexofficeClient option "timeout"/)
    const limiter = { acquire: () => Promise.resolve(0) }
    expect(
      () =>
        new LexofficeClient({ tokenProvider: { getAccessToken: () => Promise.resolve('t') }, rateLimit: { limiter, scope: 'connection' } }),
    ).toThrow(/connectionKey/)
    // Scope client (the default) keys the shared budget by the app, not the connection.
    expect(
      () => new LexofficeClient({ tokenProvider: { getAccessToken: () => Promise.resolve('t') }, rateLimit: { limiter } }),
    ).not.toThrow()
    expect(() => new LexofficeClient({ apiKey: 'k', rateLimit: { scope: 'app' as never } })).toThrow(/rateLimit.scope/)
    expect(() => new LexofficeClient({ apiKey: 'k', rateLimit: { clientId: '' } })).toThrow(/rateLimit.clientId/)
  })
})

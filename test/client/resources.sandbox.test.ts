import { createSandbox, DEMO_DATA_COUNTS, type Sandbox } from '../../lib/sandbox'
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import type { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { Invoice } from '../../lib/client/types/salesVouchers'
import { LexofficeApiError } from '../../lib/errors'
import { apiError } from './helpers/apiError'
import { sandboxProvider } from './helpers/sandboxProvider'

/** Every resource of the client against the sandbox's lexoffice API (no rate limits here; see below). */
let sandbox: Sandbox
let client: LexofficeClient

beforeAll(async () => {
  sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: false } })
  client = createLexofficeClient(await sandboxProvider(sandbox), {
    apiURL: sandbox.endpoints.apiURL,
    connectionKey: 'res',
    rateLimit: false,
  })
})
afterAll(() => sandbox.close())

const invoice = (): Invoice => ({
  voucherDate: '2026-03-02T00:00:00.000+01:00',
  address: { name: 'Bike & Ride GmbH & Co. KG', street: 'Musterstraße 42', city: 'Freiburg', zip: '79112', countryCode: 'DE' },
  lineItems: [
    {
      type: 'custom',
      name: 'Beratung',
      quantity: 1,
      unitName: 'Stunde',
      unitPrice: { currency: 'EUR', netAmount: 100, taxRatePercentage: 19 },
    },
  ],
  totalPrice: { currency: 'EUR' },
  taxConditions: { taxType: 'net' },
  shippingConditions: { shippingDate: '2026-03-02T00:00:00.000+01:00', shippingType: 'delivery' },
})

describe('client x sandbox API', () => {
  test('contacts: iterate over several pages, filters, create/get/update, stale version -> API_CONFLICT', async () => {
    expect(await client.contacts.listAll({}, { pageSize: 10 })).toHaveLength(DEMO_DATA_COUNTS.contacts)
    expect(await client.contacts.listAll({ customer: true })).toHaveLength(DEMO_DATA_COUNTS.customers)
    const first = await client.contacts.list({ size: 5 })
    expect(first).toMatchObject({ first: true, last: false, size: 5, number: 0, totalElements: DEMO_DATA_COUNTS.contacts })

    const created = await client.contacts.create({ version: 0, roles: { customer: {} }, company: { name: 'Smith & Sons <Berlin>' } })
    const got = await client.contacts.get(created.id)
    expect(got.company?.name).toBe('Smith & Sons <Berlin>')
    // The search string travels HTML- then URL-encoded (exact bytes: paging.test.ts); the sandbox decodes both.
    const found = await client.contacts.list({ name: 'Smith & Sons' })
    expect(found.content.map((c) => c.id)).toEqual([created.id])

    const updated = await client.contacts.update(created.id, { ...got, note: 'VIP' })
    expect(updated.version).toBe(got.version + 1)
    // lexoffice answers a stale contact version with 406 (invalid_value at version): still API_CONFLICT.
    const conflict = await apiError(client.contacts.update(created.id, { ...got, note: 'stale' }))
    expect([conflict.code, conflict.upstreamStatus, conflict.status]).toEqual(['API_CONFLICT', 406, 409])
    const missing = await apiError(client.contacts.get('00000000-0000-0000-0000-000000000000'))
    expect(missing.code).toBe('API_NOT_FOUND')
  })

  test('contacts: a validation failure arrives as API_VALIDATION with legacy details', async () => {
    const err = await apiError(client.contacts.create({ version: 0, roles: {} }))
    expect(err.code).toBe('API_VALIDATION')
    expect(err.upstreamStatus).toBe(406)
    expect(err.details.length).toBeGreaterThan(0)
    expect(err.details[0]?.violation).toEqual(expect.any(String))
  })

  test('invoices: draft, finalize, get, PDF download; regular-format validation error with traceId', async () => {
    const draft = await client.invoices.create(invoice())
    expect((await client.invoices.get(draft.id)).voucherStatus).toBe('draft')
    const open = await client.invoices.create(invoice(), { finalize: true })
    const got = await client.invoices.get(open.id)
    expect(got.voucherStatus).toBe('open')
    expect(got.totalPrice.totalGrossAmount).toBe(119)
    const pdf = await client.invoices.downloadFile(open.id)
    expect(pdf.contentType).toMatch(/^application\/pdf/)
    expect(pdf.data.subarray(0, 5).toString('latin1')).toBe('%PDF-')

    const bad = await apiError(client.invoices.create({ ...invoice(), lineItems: [] }))
    expect(bad.code).toBe('API_VALIDATION')
    expect(bad.traceId).toEqual(expect.any(String))
    expect(bad.request).toEqual({ method: 'POST', path: '/v1/invoices' })
  })

  test('quotations, credit notes (pursuing an invoice), order confirmations, delivery notes', async () => {
    const q = await client.quotations.create({ ...invoice(), expirationDate: '2026-04-02T00:00:00.000+02:00' })
    expect((await client.quotations.get(q.id)).id).toBe(q.id)
    const inv = await client.invoices.create(invoice(), { finalize: true })
    const cn = await client.creditNotes.create(invoice(), { precedingSalesVoucherId: inv.id })
    expect((await client.creditNotes.get(cn.id)).id).toBe(cn.id)
    const oc = await client.orderConfirmations.create(invoice(), { finalize: true })
    expect((await client.orderConfirmations.downloadFile(oc.id)).data.length).toBeGreaterThan(100)
    const dn = await client.deliveryNotes.create(invoice())
    expect((await client.deliveryNotes.get(dn.id)).id).toBe(dn.id)
  })

  test('voucherlist: required filters, iteration', async () => {
    const all = await client.voucherlist.listAll({ voucherType: 'invoice', voucherStatus: 'any' }, { pageSize: 7 })
    expect(all.length).toBeGreaterThanOrEqual(DEMO_DATA_COUNTS.invoices)
    expect(new Set(all.map((e) => e.voucherType))).toEqual(new Set(['invoice']))
    const paid = await client.voucherlist.list({ voucherType: ['invoice'], voucherStatus: ['paid'] })
    expect(paid.content.every((e) => e.voucherStatus === 'paid')).toBe(true)
  })

  test('vouchers: create, get, update', async () => {
    const [category] = (await client.postingCategories.list()).filter((c) => c.type === 'outgo')
    expect(category).toBeDefined() // the array type does not say that it may be empty
    const voucher = {
      type: 'purchaseinvoice' as const,
      voucherNumber: 'ER-4711',
      voucherDate: '2026-04-01T00:00:00.000+02:00',
      totalGrossAmount: 119,
      totalTaxAmount: 19,
      taxType: 'gross' as const,
      useCollectiveContact: true,
      voucherItems: [{ amount: 119, taxAmount: 19, taxRatePercent: 19, categoryId: category.id }],
    }
    const created = await client.vouchers.create(voucher)
    const got = await client.vouchers.get(created.id)
    expect(got.voucherNumber).toBe('ER-4711')
    const updated = await client.vouchers.update(created.id, { ...voucher, version: got.version ?? 0, remark: 'geprüft' })
    expect(updated.version).toBeGreaterThan(got.version ?? 0)
  })

  test('articles: list, create, get, update, delete', async () => {
    expect(await client.articles.listAll()).toHaveLength(DEMO_DATA_COUNTS.articles)
    const article = {
      title: 'Consulting',
      type: 'SERVICE' as const,
      unitName: 'Stunde',
      price: { netPrice: 100, leadingPrice: 'NET' as const, taxRate: 19 },
    }
    const created = await client.articles.create(article)
    const got = await client.articles.get(created.id)
    await client.articles.update(created.id, { ...article, title: 'Beratung', version: got.version ?? 0 })
    expect((await client.articles.get(created.id)).title).toBe('Beratung')
    await client.articles.delete(created.id)
    expect((await apiError(client.articles.get(created.id))).code).toBe('API_NOT_FOUND')
  })

  test('event subscriptions: create, list, get, duplicate -> API_CONFLICT, delete', async () => {
    const sub = { eventType: 'invoice.created' as const, callbackUrl: 'https://hooks.example/lexoffice' }
    const created = await client.eventSubscriptions.create(sub)
    expect((await client.eventSubscriptions.list()).map((s) => s.subscriptionId)).toContain(created.id)
    expect(await client.eventSubscriptions.get(created.id)).toMatchObject(sub)
    expect((await apiError(client.eventSubscriptions.create(sub))).code).toBe('API_CONFLICT')
    await client.eventSubscriptions.delete(created.id)
    expect((await client.eventSubscriptions.list()).map((s) => s.subscriptionId)).not.toContain(created.id)
  })

  test('reference lists and files', async () => {
    expect((await client.countries.list()).some((c) => c.countryCode === 'DE')).toBe(true)
    expect((await client.paymentConditions.list()).length).toBeGreaterThan(0)
    expect((await client.printLayouts.list()).length).toBeGreaterThan(0)
    const bytes = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n')
    const uploaded = await client.files.upload(bytes, { filename: 'beleg.pdf', type: 'voucher' })
    expect(uploaded.id).toEqual(expect.any(String))
    const back = await client.files.download(uploaded.id)
    expect(back.data.equals(bytes)).toBe(true)
  })
})

describe("client pacing against the sandbox's per-connection limit (2 req/s, burst 2)", () => {
  // Real time, end to end (the schedule itself is proven on a schedule clock in
  // test/express/fetchPipeline.sandbox.test.ts and rateLimitScope.test.ts): the default pacing and backoff
  // deliver every call. A 429 is not asserted away: a stalled machine may bunch two paced requests.
  test('default client pacing: 6 concurrent calls all answered, each sent once', async () => {
    const limited = await createSandbox({ autoApprove: true })
    try {
      const provider = await sandboxProvider(limited)
      const paced = createLexofficeClient(provider, {
        apiURL: limited.endpoints.apiURL,
        connectionKey: 'paced',
      })
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => paced.countries.list()))
      expect(results.filter((r) => r.status === 'rejected')).toEqual([])
      const connectionId = limited.connections()[0]?.connectionId ?? ''
      expect(limited.api.rateLimitStats(connectionId).allowed).toBe(6)

      // Control: the same burst unpaced is refused by the sandbox.
      const limitedBefore = limited.api.rateLimitStats(connectionId).limited
      const unpaced = createLexofficeClient(provider, {
        apiURL: limited.endpoints.apiURL,
        rateLimit: false,
        retry: { rateLimitRetries: 0 },
      })
      const burst = await Promise.allSettled(Array.from({ length: 6 }, () => unpaced.countries.list()))
      expect(burst.some((r) => r.status === 'rejected' && (r.reason as LexofficeApiError).code === 'API_RATE_LIMITED')).toBe(true)
      expect(limited.api.rateLimitStats(connectionId).limited).toBeGreaterThan(limitedBefore)
    } finally {
      await limited.close()
    }
  })

  test('429s from the sandbox are absorbed by backoff when pacing is off', async () => {
    // A bucket five times faster than lexoffice's and a backoff scaled down with it: the same
    // 429 -> backoff -> retry path in ~0.3 s instead of 1.5 s. Five concurrent calls still
    // overflow a bucket of 2 unless the machine stalls 300 ms between them.
    const limited = await createSandbox({ autoApprove: true, api: { rateLimit: { perSecond: 10, burst: 2 } } })
    try {
      const client429 = createLexofficeClient(await sandboxProvider(limited), {
        apiURL: limited.endpoints.apiURL,
        rateLimit: false,
        retry: { rateLimitRetries: 8, baseDelayMs: 50, maxDelayMs: 500 },
      })
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => client429.countries.list()))
      expect(results.filter((r) => r.status === 'rejected')).toEqual([])
      expect(limited.api.rateLimitStats(limited.connections()[0]?.connectionId ?? '').limited).toBeGreaterThan(0)
    } finally {
      await limited.close()
    }
  })
})

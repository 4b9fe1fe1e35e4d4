import type { Sandbox } from '../../../lib/sandbox'
import { DEMO_BILLING_COUNTS, DEMO_DATA_COUNTS } from '../../../lib/sandbox'
import { type ApiClient, connect, expectLegacy, expectRegular, startApi } from './helpers'

let sandbox: Sandbox
let api: ApiClient

beforeAll(async () => {
  ;({ sandbox, api } = await startApi())
})
afterAll(() => sandbox.close())

describe('GET /v1/voucherlist (demo data, nothing created yet)', () => {
  const count = async (query: string): Promise<number> => {
    const res = await api.get(`/v1/voucherlist?${query}&size=250`)
    expect(res.status).toBe(200)
    return res.json.totalElements as number
  }

  it('counts the seeded vouchers by type and status', async () => {
    expect(await count('voucherType=invoice&voucherStatus=any')).toBe(DEMO_DATA_COUNTS.invoices)
    expect(await count('voucherType=invoice&voucherStatus=draft')).toBe(5)
    expect(await count('voucherType=invoice&voucherStatus=paid')).toBe(12)
    expect(await count('voucherType=invoice&voucherStatus=voided')).toBe(3)
    expect(await count('voucherType=invoice&voucherStatus=open')).toBe(10)
    expect(await count('voucherType=invoice&voucherStatus=paid,voided')).toBe(15)
    expect(await count('voucherType=quotation,creditnote,orderconfirmation,deliverynote&voucherStatus=any')).toBe(
      DEMO_DATA_COUNTS.quotations + DEMO_DATA_COUNTS.creditNotes + DEMO_DATA_COUNTS.orderConfirmations + DEMO_DATA_COUNTS.deliveryNotes,
    )
    expect(await count('voucherType=purchaseinvoice,salesinvoice,purchasecreditnote&voucherStatus=any')).toBe(DEMO_DATA_COUNTS.vouchers)
    expect(await count('voucherType=any&voucherStatus=any')).toBe(
      DEMO_DATA_COUNTS.invoices +
        DEMO_DATA_COUNTS.quotations +
        DEMO_DATA_COUNTS.creditNotes +
        DEMO_DATA_COUNTS.orderConfirmations +
        DEMO_DATA_COUNTS.deliveryNotes +
        DEMO_DATA_COUNTS.vouchers +
        DEMO_BILLING_COUNTS.downPaymentInvoices,
    )
  })

  it('pages to last, sorted by voucherDate descending by default, and sorts on request', async () => {
    const ids: string[] = []
    const dates: string[] = []
    for (let page = 0; ; page++) {
      const res = await api.get(`/v1/voucherlist?voucherType=any&voucherStatus=any&page=${page}&size=20`)
      expect(res.json.sort).toEqual([expect.objectContaining({ property: 'voucherDate', direction: 'DESC' })])
      const entries = res.json.content as Array<{ id: string; voucherDate: string }>
      ids.push(...entries.map((e) => e.id))
      dates.push(...entries.map((e) => e.voucherDate))
      if (res.json.last) {
        expect(page).toBe(2)
        break
      }
    }
    expect(ids).toHaveLength(55 + DEMO_BILLING_COUNTS.downPaymentInvoices)
    expect(new Set(ids).size).toBe(55 + DEMO_BILLING_COUNTS.downPaymentInvoices)
    expect([...dates].sort().reverse()).toEqual(dates)
    const asc = await api.get('/v1/voucherlist?voucherType=invoice&voucherStatus=paid&sort=voucherNumber,ASC')
    const numbers = (asc.json.content as Array<{ voucherNumber: string }>).map((e) => e.voucherNumber)
    expect(numbers).toEqual([...numbers].sort())
  })

  it('filters by date range, contact and voucher number', async () => {
    expect(await count('voucherType=invoice&voucherStatus=any&voucherDateFrom=2026-01-05&voucherDateTo=2026-01-10')).toBe(2)
    const first = (await api.get('/v1/voucherlist?voucherType=invoice&voucherStatus=paid&sort=voucherNumber,ASC&size=1')).json.content[0]
    expect(first).toMatchObject({
      voucherType: 'invoice',
      voucherStatus: 'paid',
      currency: 'EUR',
      openAmount: 0,
      contactId: expect.any(String),
    })
    const byNumber = await api.get(`/v1/voucherlist?voucherType=any&voucherStatus=any&voucherNumber=${first.voucherNumber}`)
    expect((byNumber.json.content as Array<{ id: string }>).map((e) => e.id)).toEqual([first.id])
    const byContact = await api.get(`/v1/voucherlist?voucherType=any&voucherStatus=any&contactId=${first.contactId}&size=250`)
    expect((byContact.json.content as Array<{ contactId: string }>).every((e) => e.contactId === first.contactId)).toBe(true)
  })

  it('marks open vouchers past their due date overdue; overdue must stand alone', async () => {
    const overdue = await count('voucherType=invoice&voucherStatus=overdue')
    expect(overdue).toBe(10) // the demo data's due dates lie in early 2026
    expectRegular(await api.get('/v1/voucherlist?voucherType=invoice&voucherStatus=overdue,paid'), 400, '/v1/voucherlist')
  })

  it('answers 400 in the regular shape for missing/unknown types and statuses, bad dates, sorts and the search window', async () => {
    for (const query of [
      'voucherStatus=any',
      'voucherType=invoice',
      'voucherType=bogus&voucherStatus=any',
      'voucherType=invoice&voucherStatus=bogus',
      'voucherType=invoice&voucherStatus=any&voucherDateFrom=01.02.2026',
      'voucherType=invoice&voucherStatus=any&sort=amount,ASC',
      'voucherType=invoice&voucherStatus=any&contactId=not-a-uuid',
      'voucherType=invoice&voucherStatus=any&page=40&size=250',
      'voucherType=invoice&voucherStatus=any&size=0',
    ]) {
      expectRegular(await api.get(`/v1/voucherlist?${query}`), 400, '/v1/voucherlist')
    }
    const window = await api.get('/v1/voucherlist?voucherType=invoice&voucherStatus=any&page=400&size=25')
    expect(window.json.message).toBe('Maximum search window size exceeded')
    expect((await api.get('/v1/voucherlist?voucherType=invoice&voucherStatus=any&page=399&size=25')).status).toBe(200)
  })
})

describe('/v1/vouchers', () => {
  const category = async (): Promise<string> =>
    ((await api.get('/v1/posting-categories')).json as Array<{ name: string; id: string }>).find((c) => c.name === 'Bürobedarf')!.id
  const voucher = async (overrides: Record<string, unknown> = {}) => ({
    type: 'purchaseinvoice',
    voucherNumber: 'ER-4711',
    voucherDate: '2026-04-01T00:00:00.000+02:00',
    totalGrossAmount: 119,
    totalTaxAmount: 19,
    taxType: 'gross',
    useCollectiveContact: true,
    voucherItems: [{ amount: 119, taxAmount: 19, taxRatePercent: 19, categoryId: await category() }],
    ...overrides,
  })

  it('creates, reads and updates a voucher; 409 on a stale version', async () => {
    const created = await api.post('/v1/vouchers', await voucher())
    expect(created.status).toBe(200)
    expect(created.json.version).toBe(1)
    const got = await api.get(`/v1/vouchers/${created.json.id}`)
    expect(got.json).toMatchObject({ type: 'purchaseinvoice', voucherNumber: 'ER-4711', voucherStatus: 'open', version: 1 })
    const updated = await api.put(`/v1/vouchers/${created.json.id}`, await voucher({ version: 1, remark: 'geprüft' }))
    expect(updated.status).toBe(200)
    expect(updated.json.version).toBe(2)
    expect((await api.get(`/v1/vouchers/${created.json.id}`)).json.remark).toBe('geprüft')
    expectLegacy(await api.put(`/v1/vouchers/${created.json.id}`, await voucher({ version: 1 })), 409)
  })

  it('answers legacy 406/404/415/400', async () => {
    const issues = expectLegacy(await api.post('/v1/vouchers', await voucher({ type: 'bill', voucherItems: [] })), 406)
    expect(issues.map((i) => i['source'])).toEqual(expect.arrayContaining(['type', 'voucherItems']))
    expectLegacy(await api.post('/v1/vouchers', await voucher({ version: 0 })), 406)
    expectLegacy(await api.post('/v1/vouchers', await voucher({ useCollectiveContact: false })), 406)
    expectLegacy(await api.get('/v1/vouchers/unknown'), 404)
    expectLegacy(await api.request('PUT', '/v1/vouchers/unknown', { raw: '{}' }), 404)
    expectLegacy(await api.request('POST', '/v1/vouchers', { raw: '{}' }), 415)
    expectLegacy(await api.request('POST', '/v1/vouchers', { raw: 'nope', headers: { 'content-type': 'application/json' } }), 400)
  })
})

describe('/v1/files', () => {
  const form = (parts: Array<{ name: string; value: string | Blob; filename?: string }>): FormData => {
    const f = new FormData()
    for (const p of parts) {
      if (typeof p.value === 'string') f.append(p.name, p.value)
      else f.append(p.name, p.value, p.filename ?? 'file')
    }
    return f
  }
  const upload = async (body: FormData) => {
    const res = await fetch(`${sandbox.url}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${api.token}` }, body })
    const text = await res.text()
    return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers, body: Buffer.from(text) }
  }

  it('accepts a PDF upload (202), creates an unchecked voucher, and serves the file back', async () => {
    const pdf = Buffer.from('%PDF-1.4\n% a test receipt\n%%EOF\n')
    const events: string[] = []
    const off = sandbox.api.onResourceEvent((e) => events.push(e.eventType))
    const res = await upload(
      form([
        { name: 'type', value: 'voucher' },
        { name: 'file', value: new Blob([pdf], { type: 'application/pdf' }), filename: 'beleg.pdf' },
      ]),
    )
    off()
    expect(res.status).toBe(202)
    expect(Object.keys(res.json as object).sort()).toEqual(['id', 'voucherId'])
    expect(events).toEqual(['voucher.created'])
    const file = await api.get(`/v1/files/${res.json.id}`, { headers: { accept: '*/*' } })
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/pdf')
    expect(file.body.equals(pdf)).toBe(true)
    const voucher = await api.get(`/v1/vouchers/${res.json.voucherId}`)
    expect(voucher.json).toMatchObject({ voucherStatus: 'unchecked', files: [res.json.id] })
  })

  it('answers legacy errors for bad uploads', async () => {
    const blob = new Blob([Buffer.from('hello')], { type: 'text/plain' })
    expectLegacy(
      await upload(
        form([
          { name: 'type', value: 'voucher' },
          { name: 'file', value: blob, filename: 'a.txt' },
        ]),
      ),
      406,
    )
    expectLegacy(
      await upload(
        form([
          { name: 'type', value: 'invoice' },
          { name: 'file', value: new Blob([Buffer.from('%PDF')], { type: 'application/pdf' }), filename: 'a.pdf' },
        ]),
      ),
      400,
    )
    // The docs: a missing or invalid type is a 400, a missing file a 500.
    expectLegacy(await upload(form([{ name: 'file', value: new Blob([Buffer.from('%PDF')]), filename: 'a.pdf' }])), 400)
    expectLegacy(await upload(form([{ name: 'type', value: 'voucher' }])), 500)
    expectLegacy(await api.request('POST', '/v1/files', { raw: '{}', headers: { 'content-type': 'application/json' } }), 415)
    expectLegacy(
      await api.request('POST', '/v1/files', { raw: 'garbage', headers: { 'content-type': 'multipart/form-data; boundary=xyz' } }),
      400,
    )
    expectLegacy(await api.get('/v1/files/unknown'), 404)
  })

  it('attaches a file to an existing voucher (POST /v1/vouchers/{id}/files)', async () => {
    const list = await api.get('/v1/voucherlist?voucherType=purchaseinvoice&voucherStatus=any&size=1')
    const id = list.json.content[0].id as string
    const before = (await api.get(`/v1/vouchers/${id}`)).json
    const f = form([{ name: 'file', value: new Blob([Buffer.from('\x89PNG fake')], { type: 'image/png' }), filename: 'scan.png' }])
    const res = await fetch(`${sandbox.url}/v1/vouchers/${id}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}` },
      body: f,
    })
    expect(res.status).toBe(202)
    const { id: fileId } = (await res.json()) as { id: string }
    const after = (await api.get(`/v1/vouchers/${id}`)).json
    expect(after.files).toEqual([...before.files, fileId])
    expect(after.version).toBe((before.version as number) + 1)
    expect((await api.get(`/v1/files/${fileId}`, { headers: { accept: 'image/png' } })).headers.get('content-type')).toBe('image/png')
    const missing = await fetch(`${sandbox.url}/v1/vouchers/unknown/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}` },
      body: f,
    })
    expect(missing.status).toBe(404)
    expect(Object.keys((await missing.json()) as object)).toEqual(['IssueList'])
  })

  it('limits uploads to 5 MiB (attachments: 2 MiB, no XML), answering 406 with the keys lexoffice uses', async () => {
    const pdfOf = (bytes: number): Blob => new Blob([Buffer.alloc(bytes, 0x25)], { type: 'application/pdf' })
    const ok = await upload(
      form([
        { name: 'type', value: 'voucher' },
        { name: 'file', value: pdfOf(5 * 1024 * 1024), filename: 'max.pdf' },
      ]),
    )
    expect(ok.status).toBe(202)
    const tooBig = expectLegacy(
      await upload(
        form([
          { name: 'type', value: 'voucher' },
          { name: 'file', value: pdfOf(5 * 1024 * 1024 + 1), filename: 'big.pdf' },
        ]),
      ),
      406,
    )
    expect(tooBig[0]).toMatchObject({ i18nKey: 'max_file_size_exceeded', source: 'file' })
    const attachment = await upload(
      form([
        { name: 'type', value: 'attachment' },
        { name: 'file', value: pdfOf(1000), filename: 'agb.pdf' },
      ]),
    )
    expect([attachment.status, Object.keys(attachment.json as object)]).toEqual([202, ['id']])
    const bigAttachment = await upload(
      form([
        { name: 'type', value: 'attachment' },
        { name: 'file', value: pdfOf(2 * 1024 * 1024 + 1), filename: 'big.pdf' },
      ]),
    )
    expect((bigAttachment.json as { IssueList: Array<{ i18nKey: string }> }).IssueList[0].i18nKey).toBe('max_file_size_exceeded')
    const xml = await upload(
      form([
        { name: 'type', value: 'attachment' },
        { name: 'file', value: new Blob(['<x/>'], { type: 'application/xml' }), filename: 'a.xml' },
      ]),
    )
    expect((xml.json as { IssueList: Array<{ i18nKey: string }> }).IssueList[0].i18nKey).toBe('inacceptable_file_extension')
  })

  it('GET /v1/files/{id}/status answers upload_success (or what a test set); Accept must fit the file', async () => {
    const res = await upload(
      form([
        { name: 'type', value: 'voucher' },
        { name: 'file', value: new Blob([Buffer.from('%PDF-1.4')], { type: 'application/pdf' }), filename: 'a.pdf' },
      ]),
    )
    const { id } = res.json as { id: string }
    expect((await api.get(`/v1/files/${id}/status`)).json).toEqual({ id, status: 'upload_success' })
    sandbox.api.organization(sandbox.organization.organizationId).files.get(id)!.status = 'upload_processing'
    expect(((await api.get(`/v1/files/${id}/status`)).json as { status: string }).status).toBe('upload_processing')
    expectLegacy(await api.get('/v1/files/unknown/status'), 404)
    const narrow = await connect(sandbox, 'files.read')
    expectLegacy(await narrow.get(`/v1/files/${id}/status`), 403)
    expect((await (await connect(sandbox, 'files.status')).get(`/v1/files/${id}/status`)).status).toBe(200)
    // XML asked for a PDF is a 404 at lexoffice; any other type that does not fit, 406.
    expectLegacy(await api.get(`/v1/files/${id}`, { headers: { accept: 'application/xml' } }), 404)
    expectLegacy(await api.get(`/v1/files/${id}`, { headers: { accept: 'image/png' } }), 406)
    expect((await api.get(`/v1/files/${id}`, { headers: { accept: 'application/pdf' } })).status).toBe(200)
  })

  it('POST /v1/vouchers/{id}/files needs vouchers.write and files.write', async () => {
    const list = await api.get('/v1/voucherlist?voucherType=purchaseinvoice&voucherStatus=any&size=1')
    const id = (list.json as { content: Array<{ id: string }> }).content[0].id
    const post = async (scope: string): Promise<number> => {
      const client = await connect(sandbox, scope)
      const f = form([{ name: 'file', value: new Blob([Buffer.from('%PDF')], { type: 'application/pdf' }), filename: 'a.pdf' }])
      const res = await fetch(`${sandbox.url}/v1/vouchers/${id}/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${client.token}` },
        body: f,
      })
      return res.status
    }
    expect(await post('vouchers.write')).toBe(403)
    expect(await post('files.write')).toBe(403)
    expect(await post('vouchers.write files.write')).toBe(202)
  })

  it('serves the rendered document of a finalized sales voucher by its documentFileId', async () => {
    const page = await api.get('/v1/voucherlist?voucherType=invoice&voucherStatus=paid&size=1')
    const invoice = await api.get(`/v1/invoices/${page.json.content[0].id}`)
    const file = await api.get(`/v1/files/${invoice.json.files.documentFileId}`, { headers: { accept: '*/*' } })
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/pdf')
    expect(file.body.toString('latin1')).toContain(`(Rechnung ${invoice.json.voucherNumber}) Tj`)
  })
})

describe('/v1/articles', () => {
  const article = {
    title: 'Testartikel',
    type: 'PRODUCT',
    unitName: 'Stück',
    articleNumber: 'T-1',
    gtin: '4006381333931',
    price: { netPrice: 10, leadingPrice: 'NET', taxRate: 19 },
  }

  it('lists with paging and filters', async () => {
    const all = await api.get('/v1/articles?size=5')
    expect(all.json).toMatchObject({ totalElements: DEMO_DATA_COUNTS.articles, totalPages: 3, size: 5 })
    const services = await api.get('/v1/articles?type=SERVICE&size=250')
    expect((services.json.content as Array<{ type: string }>).every((a) => a.type === 'SERVICE')).toBe(true)
    expect(services.json.totalElements).toBe(5)
    const byNumber = await api.get('/v1/articles?articleNumber=ART-0005')
    expect((byNumber.json.content as Array<{ title: string }>).map((a) => a.title)).toEqual(['Abus Kabelschloss Primo 590'])
    expectRegular(await api.get('/v1/articles?type=FOOD'), 400, '/v1/articles')
  })

  it('creates, updates (409 when stale) and deletes an article, emitting events', async () => {
    const events: string[] = []
    const off = sandbox.api.onResourceEvent((e) => events.push(e.eventType))
    const created = await api.post('/v1/articles', article)
    expect(created.status).toBe(200)
    const got = await api.get(`/v1/articles/${created.json.id}`)
    expect(got.json.price).toEqual({ netPrice: 10, grossPrice: 11.9, leadingPrice: 'NET', taxRate: 19 })
    const updated = await api.put(`/v1/articles/${created.json.id}`, { ...article, title: 'Neu', version: got.json.version })
    expect(updated.json.version).toBe((got.json.version as number) + 1)
    expectRegular(
      await api.put(`/v1/articles/${created.json.id}`, { ...article, version: got.json.version }),
      409,
      `/v1/articles/${created.json.id}`,
    )
    const deleted = await api.delete(`/v1/articles/${created.json.id}`)
    expect(deleted.status).toBe(204)
    expectRegular(await api.get(`/v1/articles/${created.json.id}`), 404, `/v1/articles/${created.json.id}`)
    off()
    expect(events).toEqual(['article.created', 'article.changed', 'article.deleted'])
  })

  it('answers 406 for invalid articles', async () => {
    const details = expectRegular(
      await api.post('/v1/articles', { ...article, type: 'THING', price: { netPrice: 1, leadingPrice: 'NET', taxRate: 3 } }),
      406,
      '/v1/articles',
    )
    expect(details.map((d) => d['field']).sort()).toEqual(['price.taxRate', 'type'])
    expectRegular(await api.post('/v1/articles', { ...article, gtin: '12' }), 406, '/v1/articles')
  })
})

describe('reference data', () => {
  it('serves countries, payment conditions, posting categories and print layouts as arrays', async () => {
    const countries = await api.get('/v1/countries')
    expect(countries.json).toEqual(
      expect.arrayContaining([{ countryCode: 'DE', countryNameDE: 'Deutschland', countryNameEN: 'Germany', taxClassification: 'de' }]),
    )
    const conditions = await api.get('/v1/payment-conditions')
    expect((conditions.json as Array<{ organizationDefault: boolean }>).filter((c) => c.organizationDefault)).toHaveLength(1)
    const categories = await api.get('/v1/posting-categories')
    expect(categories.json.length).toBeGreaterThan(5)
    expect(new Set((categories.json as Array<{ type: string }>).map((c) => c.type))).toEqual(new Set(['income', 'outgo']))
    const layouts = await api.get('/v1/print-layouts')
    expect((layouts.json as Array<{ default: boolean }>).filter((l) => l.default)).toHaveLength(1)
  })
})

import { createSandbox, DEMO_PARTNER_COUNTS, type Sandbox } from '../../../lib/sandbox'
import { resourceRouteDefs } from '../../../lib/sandbox/api/routes'
import { scopeRuleFor } from '../../../lib/sandbox/api/scopes'
import { type ApiClient, connect, expectLegacy, expectRegular, invoiceBody, startApi } from './helpers'

/*
 * The partner-API resources of the sandbox, the scope table, and the rate limit's scopes. Answers
 * are read through the helpers' untyped `json`, as in the other sandbox API tests.
 */

let sandbox: Sandbox
let api: ApiClient
beforeAll(async () => {
  ;({ sandbox, api } = await startApi())
})
afterAll(() => sandbox.close())

const data = () => sandbox.api.organization(sandbox.organization.organizationId)
const UNKNOWN = '00000000-0000-4000-8000-000000000000'
function firstOf<T>(items: Iterable<T>): T {
  for (const item of items) return item
  throw new Error('expected at least one item')
}

async function uploadAttachment(client: ApiClient, name: string, bytes = Buffer.from('%PDF-1.4 AGB')): Promise<string> {
  const form = new FormData()
  form.append('type', 'attachment')
  form.append('file', new Blob([bytes], { type: 'application/pdf' }), name)
  const res = await fetch(`${sandbox.url}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${client.token}` }, body: form })
  expect(res.status).toBe(202)
  return ((await res.json()) as { id: string }).id
}

describe('scope rules', () => {
  it('every mounted route has a rule, and the sales vouchers have their own read/write scopes', () => {
    for (const def of resourceRouteDefs) expect(() => scopeRuleFor(def.method, def.pattern)).not.toThrow()
    expect(scopeRuleFor('POST', '/v1/quotations')).toEqual([['quotations.write']])
    expect(scopeRuleFor('POST', '/v1/vouchers/:id/files')).toEqual([['vouchers.write', 'files.write']])
    expect(() => scopeRuleFor('GET', '/v1/nothing')).toThrow(/no scope rule/)
  })

  it('quotations, credit notes, order confirmations and delivery notes answer 403 without their scope', async () => {
    const invoicesOnly = await connect(sandbox, 'invoices.read invoices.write')
    for (const resource of ['quotations', 'credit-notes', 'order-confirmations', 'delivery-notes']) {
      expectRegular(await invoicesOnly.post(`/v1/${resource}`, invoiceBody()), 403, `/v1/${resource}`)
      expectRegular(await invoicesOnly.get(`/v1/${resource}/${UNKNOWN}`), 403, `/v1/${resource}/${UNKNOWN}`)
      const writer = await connect(sandbox, `${resource}.write`)
      expect((await writer.post(`/v1/${resource}`, { ...invoiceBody(), expirationDate: '2026-04-01T00:00:00.000+02:00' })).status).toBe(200)
      expectRegular(await writer.get(`/v1/${resource}/${UNKNOWN}`), 403, `/v1/${resource}/${UNKNOWN}`)
      expectRegular(await (await connect(sandbox, `${resource}.read`)).get(`/v1/${resource}/${UNKNOWN}`), 404, `/v1/${resource}/${UNKNOWN}`)
    }
  })

  it('/v1/profile needs profile.read; partner resources need theirs', async () => {
    const contactsOnly = await connect(sandbox, 'contacts.read')
    expectRegular(await contactsOnly.get('/v1/profile'), 403, '/v1/profile')
    expectRegular(await contactsOnly.get('/v1/organization'), 403, '/v1/organization')
    expectRegular(await contactsOnly.get('/v1/cash-boxes'), 403, '/v1/cash-boxes')
    expectRegular(await contactsOnly.get('/v1/finance/accounts'), 403, '/v1/finance/accounts')
    expectLegacy(await contactsOnly.get(`/v1/contacts/${UNKNOWN}/bankaccounts`), 403)
    // No scope needed (partner docs).
    expect((await contactsOnly.get('/v1/partner-integrations')).status).toBe(200)
    expect((await contactsOnly.get('/v1/countries')).status).toBe(200)
    expect((await contactsOnly.get('/v1/payment-conditions')).status).toBe(200)
  })
})

describe('rate-limit scope', () => {
  let limited: Sandbox | undefined
  afterEach(() => limited?.close())
  const now = Date.UTC(2026, 5, 1, 12)

  it("'client' shares one bucket among a client's connections; 'connection' (default) does not", async () => {
    limited = await createSandbox({ autoApprove: true, now: () => now, api: { rateLimit: { perSecond: 1, scope: 'client' } } })
    const [a, b] = [await connect(limited), await connect(limited)]
    expect((await a.get('/v1/countries')).status).toBe(200)
    expect((await b.get('/v1/countries')).status).toBe(429)
    const [first, second] = limited.connections().map((c) => c.connectionId)
    expect(limited.api.rateLimitStats(first)).toEqual({ allowed: 1, limited: 0 })
    expect(limited.api.rateLimitStats(second)).toEqual({ allowed: 0, limited: 1 })
  })

  it("'organization' shares one bucket among every connection of the company", async () => {
    limited = await createSandbox({
      autoApprove: true,
      now: () => now,
      clients: [
        { clientID: 'app-a', clientSecret: 'secret-a', redirectUris: ['http://127.0.0.1:9/callback'] },
        { clientID: 'app-b', clientSecret: 'secret-b', redirectUris: ['http://127.0.0.1:9/callback'] },
      ],
      api: { rateLimit: { perSecond: 1, scope: 'organization' } },
    })
    const a = await connect(limited)
    expect((await a.get('/v1/countries')).status).toBe(200)
    expect((await a.get('/v1/countries')).status).toBe(429)
  })

  it('refuses an unknown scope', async () => {
    await expect(createSandbox({ api: { rateLimit: { perSecond: 2, scope: 'app' as never } } })).rejects.toThrow(/api\.rateLimit\.scope/)
    await expect(createSandbox({ api: { variants: { draftDocumentStatus: 400 as never } } })).rejects.toThrow(/draftDocumentStatus/)
    await expect(createSandbox({ api: { variants: { recurringTemplatesMaxPageSize: 0 } } })).rejects.toThrow(
      /recurringTemplatesMaxPageSize/,
    )
    await expect(createSandbox({ api: { variants: { other: 1 } as never } })).rejects.toThrow(/api\.variants\.other/)
  })
})

describe('/v1/organization and /v1/partner-integrations', () => {
  it('answers the company master data', async () => {
    const res = await api.get('/v1/organization')
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({
      companyName: sandbox.organization.companyName,
      organizationTypeKey: 'LIMITED_LIABILITY_COMPANY',
      address: { countryCode: 'DE' },
    })
  })

  it('keeps one record per connection: OAUTH_CONNECTED, updated with the current version, 409 when stale', async () => {
    const mine = await connect(sandbox)
    const first = await mine.get('/v1/partner-integrations')
    expect(first.json).toMatchObject({ status: 'OAUTH_CONNECTED', version: 1, organizationId: sandbox.organization.organizationId })
    const updated = await mine.put('/v1/partner-integrations', { status: 'ACTIVE', version: 1 })
    expect(updated.json).toMatchObject({ status: 'ACTIVE', version: 2 })
    expectRegular(await mine.put('/v1/partner-integrations', { status: 'ACTIVE', version: 1 }), 409, '/v1/partner-integrations')
    expectRegular(await mine.put('/v1/partner-integrations', { status: 'active!', version: 2 }), 406, '/v1/partner-integrations')
    expectRegular(await mine.put('/v1/partner-integrations', { status: 'ACTIVE' }), 406, '/v1/partner-integrations')
    // Another connection has its own record.
    expect((await (await connect(sandbox)).get('/v1/partner-integrations')).json.status).toBe('OAUTH_CONNECTED')
  })
})

describe('/v1/invoices/{id}/interaction-status', () => {
  it('reads the seeded TRANSMITTED status, updates it to accepted/rejected with the version, 409 when stale', async () => {
    expect(data().interactionStatuses.size).toBe(DEMO_PARTNER_COUNTS.invoiceInteractionStatuses)
    const [id] = [...data().interactionStatuses.keys()]
    const path = `/v1/invoices/${id}/interaction-status`
    const got = await api.get(path)
    expect(got.json).toMatchObject({ resourceId: id, status: 'TRANSMITTED', version: 1 })
    const put = await api.put(path, { status: 'accepted', version: 1 })
    expect(put.status).toBe(200)
    expect(put.json).toMatchObject({ id, version: 2 })
    expect(put.json.resourceUri).toMatch(new RegExp(`/v1/invoices/${id}/interaction-status$`))
    expect((await api.get(path)).json.status).toBe('ACCEPTED')
    expectRegular(await api.put(path, { status: 'rejected', version: 1 }), 409, path)
    expectRegular(await api.put(path, { status: 'transmitted', version: 2 }), 406, path)
    expect((await api.put(path, { status: 'REJECTED', version: 2 })).json.version).toBe(3)
    // invoices.read is enough for both, as documented.
    expect((await (await connect(sandbox, 'invoices.read')).put(path, { status: 'accepted', version: 3 })).status).toBe(200)
  })

  it('404 for an invoice without a status and for an unknown invoice', async () => {
    const plain = await api.post('/v1/invoices?finalize=true', invoiceBody())
    expectRegular(
      await api.get(`/v1/invoices/${plain.json.id}/interaction-status`),
      404,
      `/v1/invoices/${plain.json.id}/interaction-status`,
    )
    expectRegular(await api.get(`/v1/invoices/${UNKNOWN}/interaction-status`), 404, `/v1/invoices/${UNKNOWN}/interaction-status`)
  })
})

describe('sendmail', () => {
  it('accepts a mail for a finalized voucher (202, recorded), with an uploaded attachment', async () => {
    const invoice = await api.post('/v1/invoices?finalize=true', invoiceBody())
    const attachment = await uploadAttachment(api, 'agb.pdf')
    const path = `/v1/invoices/${invoice.json.id}/sendmail`
    const res = await api.post(path, {
      recipients: ['kunde@example.com'],
      subject: 'Ihre Rechnung',
      attachments: [{ id: attachment, fileName: 'AGB', fileExtension: 'pdf' }],
    })
    expect(res.status).toBe(202)
    expect(res.body.length).toBe(0)
    const mail = data().sentMails.at(-1)
    expect(mail).toMatchObject({
      resource: 'invoices',
      voucherId: invoice.json.id,
      recipients: ['kunde@example.com'],
      attachmentIds: [attachment],
    })
  })

  it('refuses bad mails (406), drafts (409 like their download), unknown vouchers (404), without vouchers.sendmail (403)', async () => {
    const invoice = await api.post('/v1/invoices?finalize=true', invoiceBody())
    const path = `/v1/invoices/${invoice.json.id}/sendmail`
    expectRegular(await api.post(path, { recipients: [] }), 406, path)
    expectRegular(await api.post(path, { recipients: ['not an address'] }), 406, path)
    expectRegular(
      await api.post(path, { recipients: ['a@b.de'], attachments: [{ id: UNKNOWN, fileName: 'x', fileExtension: 'pdf' }] }),
      406,
      path,
    )
    const attachment = await uploadAttachment(api, 'agb.pdf')
    const wrongExt = await api.post(path, {
      recipients: ['a@b.de'],
      attachments: [{ id: attachment, fileName: 'x', fileExtension: 'png' }],
    })
    expect(expectRegular(wrongExt, 406, path)[0]).toMatchObject({ field: 'attachments[0].fileExtension' })
    const draft = await api.post('/v1/quotations', { ...invoiceBody(), expirationDate: '2026-04-01T00:00:00.000+02:00' })
    const draftPath = `/v1/quotations/${draft.json.id}/sendmail`
    expectRegular(await api.post(draftPath, { recipients: ['a@b.de'] }), 409, draftPath)
    expectRegular(
      await api.post(`/v1/credit-notes/${invoice.json.id}/sendmail`, { recipients: ['a@b.de'] }),
      404,
      `/v1/credit-notes/${invoice.json.id}/sendmail`,
    )
    expectRegular(await (await connect(sandbox, 'invoices.write invoices.read')).post(path, { recipients: ['a@b.de'] }), 403, path)
  })

  it('sends dunnings, which are always drafts', async () => {
    const open = [...data().salesVouchers.values()].find((v) => v.voucherType === 'invoice' && v.voucherStatus === 'open')!
    const dunning = await api.post(`/v1/dunnings?precedingSalesVoucherId=${open.id}`, {
      ...invoiceBody({ address: { contactId: (open['address'] as { contactId?: string }).contactId } }),
      taxConditions: open['taxConditions'],
    })
    expect(dunning.status).toBe(200)
    expect((await api.post(`/v1/dunnings/${dunning.json.id}/sendmail`, { recipients: ['a@b.de'] })).status).toBe(202)
  })
})

describe('/v1/contacts/{id}/bankaccounts', () => {
  const account = { accountHolder: 'Liese Meyer', bankName: 'DKB', iban: 'DE02 1203 0000 0000 2020 51', bic: 'BYLADEM1001' }

  it('lists the seeded accounts with the contact version; creates, updates and deletes, each raising that version', async () => {
    const [contactId, seeded] = firstOf(data().bankAccounts.entries())
    const base = `/v1/contacts/${contactId}/bankaccounts`
    const version = () => data().contacts.get(contactId)!.version
    const listed = await api.get(base)
    expect(listed.json).toEqual(seeded.map((a) => ({ ...a, version: version() })))
    const v0 = version()
    const created = await api.post(base, { ...account, version: 99 })
    expect(created.status).toBe(200)
    expect(created.json).toMatchObject({ version: v0 + 1 })
    expect(created.json.resourceUri).toMatch(new RegExp(`${base}/${created.json.id}$`))
    const one = await api.get(`${base}/${created.json.id}`)
    expect(one.json).toEqual({ id: created.json.id, ...account, iban: 'DE02120300000000202051', version: v0 + 1 })
    const updated = await api.put(`${base}/${created.json.id}`, { ...account, bankName: 'Neue Bank', version: v0 + 1 })
    expect(updated.json.version).toBe(v0 + 2)
    const stale = expectLegacy(await api.put(`${base}/${created.json.id}`, { ...account, version: v0 + 1 }), 406)
    expect(stale[0]).toMatchObject({ source: 'version', i18nKey: 'invalid_value' })
    expect((await api.delete(`${base}/${created.json.id}`)).status).toBe(204)
    expectLegacy(await api.get(`${base}/${created.json.id}`), 404)
    expect(version()).toBe(v0 + 3)
  })

  it('validates accounts (406) and answers 404 for unknown contacts', async () => {
    const [contactId] = [...data().bankAccounts.keys()]
    const base = `/v1/contacts/${contactId}/bankaccounts`
    const bad = expectLegacy(await api.post(base, { ...account, iban: 'not-an-iban', bic: undefined }), 406)
    expect(bad.map((i) => i['source']).sort()).toEqual(['bic', 'iban'])
    expectLegacy(await api.get(`/v1/contacts/${UNKNOWN}/bankaccounts`), 404)
    expect((await (await connect(sandbox, 'contacts.bankaccounts.read')).post(base, account)).status).toBe(403)
  })
})

describe('/v1/cash-boxes', () => {
  it('lists the cash boxes ({ content }), reads one, and pages, filters and sorts the balances', async () => {
    const list = await api.get('/v1/cash-boxes')
    expect(list.json.content).toHaveLength(DEMO_PARTNER_COUNTS.cashBoxes)
    const box = (list.json.content as Array<{ cashBoxName: string; cashBoxId: string }>).find((b) => b.cashBoxName === 'Ladenkasse')!
    expect((await api.get(`/v1/cash-boxes/${box.cashBoxId}`)).json).toEqual(box)
    const base = `/v1/cash-boxes/${box.cashBoxId}/balances`
    const page = await api.get(base)
    expect(page.json).toMatchObject({ totalElements: DEMO_PARTNER_COUNTS.cashBoxBalances, size: 25 })
    expect((page.json.content as Array<{ voucherNumber: string }>).map((b) => b.voucherNumber)).toEqual(['Z-0003', 'Z-0002', 'Z-0001'])
    const latest = await api.get(`${base}?page=0&size=1&sort=voucherDate,DESC`)
    expect(latest.json.content[0].voucherNumber).toBe('Z-0003')
    expect((await api.get(`${base}?voucherNumber=Z-0002`)).json.totalElements).toBe(1)
    const day = (page.json.content[1].voucherDate as string).slice(0, 10)
    expect((await api.get(`${base}?dateFrom=${day}&dateTo=${day}`)).json.content).toHaveLength(1)
    expect((await api.get(`${base}?size=1000`)).json.size).toBe(100)
    expectRegular(await api.get(`${base}?dateFrom=yesterday`), 400, base)
    expectRegular(await api.get(`${base}?sort=amount,ASC`), 400, base)
    expectRegular(await api.get(`/v1/cash-boxes/${UNKNOWN}`), 404, `/v1/cash-boxes/${UNKNOWN}`)
  })
})

describe('/v1/finance', () => {
  it('lists accounts (bare array) by IBAN or external reference, not both; reads an account', async () => {
    const all = await api.get('/v1/finance/accounts')
    expect(all.json).toHaveLength(DEMO_PARTNER_COUNTS.financialAccounts)
    const giro = (all.json as Array<{ type: string; financialAccountId: string }>).find((a) => a.type === 'GIRO')!
    const byIban = await api.get(`/v1/finance/accounts?iban=${encodeURIComponent('de61 7000 0997 1000 7352 24')}`)
    expect((byIban.json as Array<{ financialAccountId: string }>).map((a) => a.financialAccountId)).toEqual([giro.financialAccountId])
    expect((await api.get('/v1/finance/accounts?externalReference=psp-1')).json[0].type).toBe('PAYMENT_PROVIDER')
    expect((await api.get('/v1/finance/accounts?externalReference=none')).json).toEqual([])
    expectRegular(await api.get('/v1/finance/accounts?iban=DE1&externalReference=x'), 400, '/v1/finance/accounts')
    expect((await api.get(`/v1/finance/accounts/${giro.financialAccountId}`)).json).toEqual(giro)
  })

  it('the latest transaction of an account, a transaction and its assignments', async () => {
    const giro = (await api.get('/v1/finance/accounts?externalReference=giro-1')).json[0]
    const latest = await api.get(`/v1/finance/transactions/latest-transaction?financialAccountId=${giro.financialAccountId}`)
    expect(latest.json).toMatchObject({ financialAccountId: giro.financialAccountId, purpose: 'Kontoführung' })
    const txs = [...data().financialTransactions.values()]
    expect(txs).toHaveLength(DEMO_PARTNER_COUNTS.financialTransactions)
    const assigned = txs.find((t) => data().transactionAssignments.has(String(t['financialTransactionId'])))!
    const id = String(assigned['financialTransactionId'])
    expect((await api.get(`/v1/finance/transactions/${id}`)).json.financialTransactionId).toBe(id)
    expect((await api.get(`/v1/finance/transactions/${id}/assignments`)).json).toEqual([{ id: expect.any(String), type: 'invoice' }])
    expectRegular(await api.get('/v1/finance/transactions/latest-transaction'), 400, '/v1/finance/transactions/latest-transaction')
    const unknown = `/v1/finance/transactions/latest-transaction?financialAccountId=${UNKNOWN}`
    expect((await api.get(unknown)).status).toBe(404)
    expectRegular(await api.get(`/v1/finance/transactions/${UNKNOWN}`), 404, `/v1/finance/transactions/${UNKNOWN}`)
  })
})

describe('/v1/vouchers?voucherNumber=', () => {
  it('finds bookkeeping vouchers by number (a page)', async () => {
    const first = firstOf(data().vouchers.values())
    const res = await api.get(`/v1/vouchers?voucherNumber=${encodeURIComponent(String(first['voucherNumber']))}`)
    expect(res.json).toMatchObject({ totalElements: 1, content: [{ id: first.id }] })
    expect((await api.get('/v1/vouchers?voucherNumber=none')).json.totalElements).toBe(0)
  })
})

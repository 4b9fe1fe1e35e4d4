/**
 * The contract between the API client and lexoffice, written once and run twice: against the
 * sandbox inside `npm test` (test/client/apiContract.sandbox.test.ts) and against real lexoffice with
 * `npm run test:live` (test/live/apiContract.live.ts). Whatever the sandbox claims to do like
 * lexoffice is asserted here, so a live run shows where the two differ.
 *
 * On a live account the suite only reads, or creates records and deletes them again (an
 * article, an event subscription, a contact bank account). Tests that would leave records
 * lexoffice cannot delete (contacts, vouchers, uploads, sent e-mails) run against the sandbox
 * only and are reported as skipped on a live run. Checks that need data the account does not hold
 * (a draft invoice, say) are listed as "not checked" at the end of a live run.
 */
import { randomUUID } from 'node:crypto'
import type { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { Article } from '../../lib/client/types/articles'
import type { Invoice } from '../../lib/client/types/salesVouchers'
import type { VoucherlistEntry } from '../../lib/client/types/vouchers'
import { isLexofficeError, LexofficeApiError } from '../../lib/errors'

/** What a run needs to know before it starts (to skip what does not apply). */
export interface ApiContractInfo {
  kind: 'sandbox' | 'live'
  /** An OAuth connection of a partner app: organization, cash boxes, finance, bank accounts... */
  partner: boolean
  /** An https callback URL lexoffice accepts for event subscriptions (it checks the certificate). */
  callbackUrl?: string | undefined
}

/** The connected client of a run, and how to end the run. */
export interface ApiContractTarget {
  client: LexofficeClient
  /** Runs after the suite (close servers, check the sandbox's counters). */
  finish?(): Promise<void>
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const PDF = '%PDF'

/** The error a call rejects with (fails when it resolves). */
async function failure(p: Promise<unknown>): Promise<LexofficeApiError> {
  const err: unknown = await p.then(
    () => new Error('expected the call to fail, it succeeded'),
    (e: unknown) => e,
  )
  if (!(err instanceof LexofficeApiError)) throw err
  return err
}

/** Registers the suite under `name`. */
export function describeApiContract(name: string, info: ApiContractInfo, setup: () => Promise<ApiContractTarget>): void {
  const sandboxOnly = info.kind === 'sandbox' ? test : test.skip
  const partnerOnly = info.partner ? test : test.skip
  const withCallback = info.callbackUrl !== undefined ? test : test.skip

  describe(name, () => {
    let target: ApiContractTarget | undefined
    let client: LexofficeClient
    const notChecked: string[] = []
    const voucherlist = (voucherType: 'invoice', voucherStatus: 'draft' | 'open' | 'paid'): Promise<VoucherlistEntry | undefined> =>
      client.voucherlist.list({ voucherType, voucherStatus, size: 1 }).then((p) => p.content.at(0))

    beforeAll(async () => {
      target = await setup()
      client = target.client
    })
    afterAll(async () => {
      if (notChecked.length > 0) console.info(`${name}: not checked (no such data in the account):\n- ${notChecked.join('\n- ')}`)
      await target?.finish?.()
    })

    test('reads the profile', async () => {
      const profile = await client.profile.get()
      expect(profile.organizationId).toMatch(UUID)
      expect(profile.connectionId).toMatch(UUID)
      expect(typeof profile.companyName).toBe('string')
      expect(['net', 'gross', 'vatfree']).toContain(profile.taxType)
    })

    test('reference lists are bare arrays', async () => {
      const countries = await client.countries.list()
      expect(countries.some((c) => c.countryCode === 'DE' && c.taxClassification === 'de')).toBe(true)
      const categories = await client.postingCategories.list()
      expect(categories.length).toBeGreaterThan(0)
      expect(categories.every((c) => ['income', 'outgo'].includes(c.type))).toBe(true)
      expect(Array.isArray(await client.paymentConditions.list())).toBe(true)
    })

    test('contacts: a page object; a name filter under 3 characters is API_VALIDATION', async () => {
      const page = await client.contacts.list({ page: 0, size: 5 })
      expect(page).toMatchObject({ number: 0, first: true })
      expect(page.content.length).toBeLessThanOrEqual(5)
      expect(typeof page.totalElements).toBe('number')
      expect((await failure(client.contacts.list({ name: 'ab' }))).code).toBe('API_VALIDATION')
    })

    test('voucherlist: a page of any vouchers; voucherType dunning is refused', async () => {
      const page = await client.voucherlist.list({ voucherType: 'any', voucherStatus: 'any', size: 5 })
      expect(page.content.length).toBeLessThanOrEqual(5)
      for (const entry of page.content) expect(entry.id).toMatch(UUID)
      const refused = await failure(client.voucherlist.list({ voucherType: 'dunning' as never, voucherStatus: 'any' }))
      expect(refused.code).toBe('API_VALIDATION')
    })

    test('recurring templates: iterated in pages of 100', async () => {
      const page = await client.recurringTemplates.list({ page: 0, size: 100 })
      expect(page.size).toBeLessThanOrEqual(100)
      const all = await client.recurringTemplates.listAll()
      expect(all.length).toBe(Math.min(page.totalElements, 10_000))
    })

    test('a finalized invoice downloads as PDF; a draft has no document (API_CONFLICT, 409)', async () => {
      const finalized = (await voucherlist('invoice', 'open')) ?? (await voucherlist('invoice', 'paid'))
      if (finalized === undefined) notChecked.push('the PDF of a finalized invoice')
      else {
        const file = await client.invoices.downloadFile(finalized.id)
        expect(file.data.subarray(0, 4).toString('latin1')).toBe(PDF)
      }
      const draft = await voucherlist('invoice', 'draft')
      if (draft === undefined) notChecked.push('the download of a draft invoice')
      else {
        const refused = await failure(client.invoices.downloadFile(draft.id))
        expect([refused.code, refused.upstreamStatus]).toEqual(['API_CONFLICT', 409])
      }
    })

    test('payments: an open invoice has payment information, a draft none (API_VALIDATION)', async () => {
      const open = await voucherlist('invoice', 'open')
      if (open === undefined) notChecked.push('the payments of an open invoice')
      else {
        const payment = await client.payments.get(open.id)
        expect(typeof payment.openAmount).toBe('number')
        expect(['balanced', 'openRevenue', 'openExpense']).toContain(payment.paymentStatus)
      }
      const draft = await voucherlist('invoice', 'draft')
      if (draft === undefined) notChecked.push('the payments of a draft invoice')
      else expect((await failure(client.payments.get(draft.id))).code).toBe('API_VALIDATION')
    })

    test('articles: create, a stale update is API_CONFLICT, delete (own record)', async () => {
      const article: Article = {
        title: 'passport-lexoffice contract test',
        type: 'SERVICE',
        unitName: 'Stunde',
        articleNumber: `contract-${randomUUID().slice(0, 8)}`,
        price: { netPrice: 10, leadingPrice: 'NET', taxRate: 19 },
      }
      const { id } = await client.articles.create(article)
      try {
        const got = await client.articles.get(id)
        expect(got).toMatchObject({ title: article.title, articleNumber: article.articleNumber })
        await client.articles.update(id, { ...got, note: 'updated' })
        const stale = await failure(client.articles.update(id, { ...got, note: 'stale' }))
        expect(stale.code).toBe('API_CONFLICT')
      } finally {
        await client.articles.delete(id)
      }
      expect((await failure(client.articles.get(id))).code).toBe('API_NOT_FOUND')
    })

    withCallback('event subscriptions: create, the same again is API_CONFLICT, delete (own record)', async () => {
      const subscription = { eventType: 'article.deleted' as const, callbackUrl: info.callbackUrl ?? '' }
      const { id } = await client.eventSubscriptions.create(subscription)
      try {
        expect((await client.eventSubscriptions.get(id)).eventType).toBe('article.deleted')
        expect((await failure(client.eventSubscriptions.create(subscription))).code).toBe('API_CONFLICT')
      } finally {
        await client.eventSubscriptions.delete(id)
      }
      expect((await client.eventSubscriptions.list()).some((s) => s.subscriptionId === id)).toBe(false)
    })

    sandboxOnly('contacts: a stale version is API_CONFLICT (lexoffice answers 406 or 409)', async () => {
      const { id } = await client.contacts.create({ version: 0, roles: { customer: {} }, person: { lastName: 'Vertragstest' } })
      const contact = await client.contacts.get(id)
      await client.contacts.update(id, { ...contact, note: 'one' })
      expect((await failure(client.contacts.update(id, { ...contact, note: 'two' }))).code).toBe('API_CONFLICT')
    })

    sandboxOnly('uploads: a voucher document, its status, a file attached to a voucher', async () => {
      const pdf = Buffer.from('%PDF-1.4\n% contract test\n%%EOF\n')
      const upload = await client.files.upload(pdf, { filename: 'beleg.pdf', type: 'voucher' })
      expect(upload.voucherId).toMatch(UUID)
      expect((await client.files.status(upload.id)).status).toBe('upload_success')
      const attached = await client.vouchers.uploadFile(upload.voucherId ?? '', pdf, { filename: 'zweites.pdf' })
      expect((await client.vouchers.get(upload.voucherId ?? '')).files).toEqual([upload.id, attached.id])
      expect((await client.files.download(attached.id)).data.equals(pdf)).toBe(true)
    })

    sandboxOnly('sendMail: a finalized invoice is sent (202); a draft quotation is API_CONFLICT', async () => {
      const body: Invoice = {
        voucherDate: '2026-03-02T00:00:00.000+01:00',
        address: { name: 'Vertragstest GmbH', countryCode: 'DE' },
        lineItems: [
          {
            type: 'custom',
            name: 'Test',
            quantity: 1,
            unitName: 'Stück',
            unitPrice: { currency: 'EUR', netAmount: 1, taxRatePercentage: 19 },
          },
        ],
        totalPrice: { currency: 'EUR' },
        taxConditions: { taxType: 'net' },
        shippingConditions: { shippingType: 'none' },
      }
      const { id } = await client.invoices.create(body, { finalize: true })
      await client.invoices.sendMail(id, { recipients: ['kunde@example.com'] })
      const draft = await client.quotations.create({ ...body, expirationDate: '2026-04-01T00:00:00.000+02:00' })
      expect((await failure(client.quotations.sendMail(draft.id, { recipients: ['kunde@example.com'] }))).code).toBe('API_CONFLICT')
    })

    sandboxOnly('interaction status: read one, update it with its version', async () => {
      const open = await client.voucherlist.list({ voucherType: 'invoice', voucherStatus: 'open', size: 25 })
      for (const entry of open.content) {
        const status = await client.invoices.getInteractionStatus(entry.id).catch((err: unknown) => {
          if (isLexofficeError(err, 'API_NOT_FOUND')) return undefined
          throw err
        })
        if (status === undefined) continue
        const result = await client.invoices.updateInteractionStatus(entry.id, { status: 'accepted', version: status.version })
        expect(result.version).toBe(status.version + 1)
        return
      }
      throw new Error('no invoice with an interaction status')
    })

    partnerOnly('partner API: organization and the partner-integration record', async () => {
      expect(typeof (await client.organization.get()).companyName).toBe('string')
      const integration = await client.partnerIntegrations.get()
      expect(typeof integration.status).toBe('string')
      expect(typeof integration.version).toBe('number')
    })

    partnerOnly('partner API: cash boxes and their balances (pages of at most 100)', async () => {
      const box = (await client.cashBoxes.list()).at(0)
      if (box === undefined) {
        notChecked.push('cash boxes')
        return
      }
      expect(await client.cashBoxes.get(box.cashBoxId)).toMatchObject({ cashBoxId: box.cashBoxId })
      const page = await client.cashBoxes.listBalances(box.cashBoxId, { page: 0, size: 100, sort: 'voucherDate,DESC' })
      expect(page.size).toBeLessThanOrEqual(100)
    })

    partnerOnly('partner API: financial accounts and the latest transaction', async () => {
      const account = (await client.financeAccounts.list()).at(0)
      if (account === undefined) {
        notChecked.push('financial accounts')
        return
      }
      expect(await client.financeAccounts.get(account.financialAccountId)).toMatchObject({ financialAccountId: account.financialAccountId })
      if (account.iban)
        expect((await client.financeAccounts.list({ iban: account.iban })).map((a) => a.financialAccountId)).toContain(
          account.financialAccountId,
        )
      const latest = await client.financeTransactions.latest(account.financialAccountId).catch((err: unknown) => {
        if (isLexofficeError(err, 'API_NOT_FOUND')) return undefined
        throw err
      })
      if (latest === undefined) notChecked.push('the latest financial transaction')
      else expect(Array.isArray(await client.financeTransactions.assignments(latest.financialTransactionId))).toBe(true)
    })

    partnerOnly("partner API: a contact's bank account is created and deleted again (own record)", async () => {
      const contact = (await client.contacts.list({ size: 1 })).content.at(0)
      if (contact?.id === undefined) {
        notChecked.push('contact bank accounts')
        return
      }
      const before = await client.contactBankAccounts.list(contact.id)
      const { id } = await client.contactBankAccounts.create(contact.id, {
        accountHolder: 'Vertragstest',
        bankName: 'Testbank',
        iban: 'DE02120300000000202051',
        bic: 'BYLADEM1001',
      })
      try {
        expect((await client.contactBankAccounts.get(contact.id, id)).iban).toBe('DE02120300000000202051')
      } finally {
        await client.contactBankAccounts.delete(contact.id, id)
      }
      expect((await client.contactBankAccounts.list(contact.id)).map((a) => a.id)).toEqual(before.map((a) => a.id))
    })
  })
}

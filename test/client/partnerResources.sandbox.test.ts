import { randomUUID } from 'node:crypto'
import { createSandbox, DEMO_PARTNER_COUNTS, type Sandbox } from '../../lib/sandbox'
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import type { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { Invoice } from '../../lib/client/types/salesVouchers'
import { apiError } from './helpers/apiError'
import { sandboxProvider } from './helpers/sandboxProvider'

/** The client's newer resources (uploads, partner API) against the sandbox. */
let sandbox: Sandbox
let client: LexofficeClient

beforeAll(async () => {
  sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: false } })
  client = createLexofficeClient(await sandboxProvider(sandbox), { apiURL: sandbox.endpoints.apiURL, rateLimit: false })
})
afterAll(() => sandbox.close())

const data = () => sandbox.api.organization(sandbox.organization.organizationId)
/** The first of `items` (the test fails when there is none). */
function first<T>(items: Iterable<T>): T {
  for (const item of items) return item
  throw new Error('expected at least one item')
}
const pdf = (bytes = 64): Buffer => Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(bytes, 0x20)])
const invoice = (): Invoice => ({
  voucherDate: '2026-03-02T00:00:00.000+01:00',
  address: { name: 'Bike & Ride GmbH & Co. KG', countryCode: 'DE' },
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
  shippingConditions: { shippingType: 'none' },
})

describe('uploads', () => {
  test('vouchers.uploadFile attaches a file to an existing voucher; files.status reads its processing state', async () => {
    const voucher = first(data().vouchers.values())
    const before = (await client.vouchers.get(voucher.id)).files ?? []
    const { id } = await client.vouchers.uploadFile(voucher.id, pdf(), { filename: 'beleg.pdf' })
    expect((await client.vouchers.get(voucher.id)).files).toEqual([...before, id])
    expect(await client.files.status(id)).toEqual({ id, status: 'upload_success' })
    const file = await client.files.download(id)
    expect([file.contentType, file.data.equals(pdf())]).toEqual(['application/pdf', true])
    expect((await apiError(client.vouchers.uploadFile('00000000-0000-4000-8000-000000000000', pdf(), { filename: 'a.pdf' }))).code).toBe(
      'API_NOT_FOUND',
    )
  })

  test('files.upload: a voucher document makes a voucher, an attachment does not', async () => {
    const asVoucher = await client.files.upload(new Blob([new Uint8Array(pdf())], { type: 'application/pdf' }), {
      filename: 'eingang.pdf',
      type: 'voucher',
    })
    expect(typeof asVoucher.voucherId).toBe('string')
    const attachment = await client.files.upload(pdf(), { filename: 'agb.pdf', type: 'attachment' })
    expect(Object.keys(attachment)).toEqual(['id'])
  })

  test('size limits and bad arguments are refused before anything is sent', async () => {
    const seen = sandbox.requests.length
    const tooBig = Buffer.alloc(5 * 1024 * 1024 + 1)
    await expect(client.files.upload(tooBig, { filename: 'big.pdf', type: 'voucher' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    })
    await expect(client.files.upload(Buffer.alloc(2 * 1024 * 1024 + 1), { filename: 'big.pdf', type: 'attachment' })).rejects.toThrow(
      /at most 2097152/,
    )
    await expect(client.vouchers.uploadFile(first(data().vouchers.keys()), tooBig, { filename: 'big.pdf' })).rejects.toThrow(TypeError)
    await expect(client.files.upload(Buffer.alloc(0), { filename: 'empty.pdf', type: 'voucher' })).rejects.toThrow(/empty/)
    await expect(client.files.upload(pdf(), { filename: 'a".pdf', type: 'voucher' })).rejects.toThrow(/filename/)
    await expect(client.files.upload(pdf(), { filename: 'a.pdf', type: 'receipt' as never })).rejects.toThrow(/type/)
    expect(sandbox.requests.length).toBe(seen)
    // Exactly 5 MiB is accepted (lexoffice: 5,242,880 bytes inclusive).
    await expect(client.files.upload(Buffer.alloc(5 * 1024 * 1024, 0x25), { filename: 'max.pdf', type: 'voucher' })).resolves.toBeDefined()
  })
})

describe('sendMail and interaction status', () => {
  test('sendMail on invoices and dunnings; a draft is API_CONFLICT (409); no recipients is a TypeError', async () => {
    const { id } = await client.invoices.create(invoice(), { finalize: true })
    const attachment = await client.files.upload(pdf(), { filename: 'agb.pdf', type: 'attachment' })
    await client.invoices.sendMail(id, {
      recipients: ['kunde@example.com'],
      attachments: [{ id: attachment.id, fileName: 'AGB', fileExtension: 'pdf' }],
    })
    expect(data().sentMails.at(-1)).toMatchObject({ voucherId: id, attachmentIds: [attachment.id] })
    const draft = await client.quotations.create({ ...invoice(), expirationDate: '2026-04-01T00:00:00.000+02:00' })
    const refused = await apiError(client.quotations.sendMail(draft.id, { recipients: ['a@b.de'] }))
    expect([refused.code, refused.upstreamStatus]).toEqual(['API_CONFLICT', 409])
    await expect(client.invoices.sendMail(id, { recipients: [] })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' })
    const open = [...data().salesVouchers.values()].find((v) => v.voucherType === 'invoice' && v.voucherStatus === 'open')!
    const full = await client.invoices.get(open.id)
    const dunning = await client.dunnings.create(
      {
        ...invoice(),
        address: { contactId: full.address.contactId! },
        taxConditions: { taxType: full.taxConditions.taxType },
        shippingConditions: { shippingType: 'none' },
      },
      { precedingSalesVoucherId: open.id },
    )
    await client.dunnings.sendMail(dunning.id, { recipients: ['a@b.de'] })
    expect(data().sentMails.at(-1)).toMatchObject({ resource: 'dunnings', voucherId: dunning.id })
  })

  test('interaction status: read, update with the version, stale -> API_CONFLICT', async () => {
    const id = first(data().interactionStatuses.keys())
    const status = await client.invoices.getInteractionStatus(id)
    expect(status).toMatchObject({ resourceId: id, status: 'TRANSMITTED' })
    const result = await client.invoices.updateInteractionStatus(id, { status: 'rejected', version: status.version })
    expect(result.version).toBe(status.version + 1)
    expect((await apiError(client.invoices.updateInteractionStatus(id, { status: 'accepted', version: status.version }))).code).toBe(
      'API_CONFLICT',
    )
  })
})

describe('partner resources', () => {
  test('contact bank accounts: list, create, get, update (contact version), stale -> API_CONFLICT, delete', async () => {
    const contactId = first(data().bankAccounts.keys())
    expect(await client.contactBankAccounts.list(contactId)).toHaveLength(1)
    const account = { accountHolder: 'Liese Meyer', bankName: 'DKB', iban: 'DE02120300000000202051', bic: 'BYLADEM1001' }
    const created = await client.contactBankAccounts.create(contactId, account)
    const got = await client.contactBankAccounts.get(contactId, created.id)
    expect(got).toMatchObject({ ...account, id: created.id, version: created.version })
    const updated = await client.contactBankAccounts.update(contactId, created.id, {
      ...got,
      bankName: 'Neue Bank',
      version: got.version!,
    })
    const stale = await apiError(client.contactBankAccounts.update(contactId, created.id, { ...got, version: got.version! }))
    expect([updated.version, stale.code]).toEqual([got.version! + 1, 'API_CONFLICT'])
    await client.contactBankAccounts.delete(contactId, created.id)
    expect(await client.contactBankAccounts.list(contactId)).toHaveLength(1)
  })

  test('organization and partner integrations', async () => {
    expect(await client.organization.get()).toMatchObject({ companyName: sandbox.organization.companyName })
    const integration = await client.partnerIntegrations.get()
    expect(integration.status).toBe('OAUTH_CONNECTED')
    expect(await client.partnerIntegrations.update({ status: 'ACTIVE', version: integration.version })).toMatchObject({ status: 'ACTIVE' })
    expect((await apiError(client.partnerIntegrations.update({ status: 'ACTIVE', version: integration.version }))).code).toBe(
      'API_CONFLICT',
    )
  })

  test('cash boxes: list, get, balances paged and iterated', async () => {
    const boxes = await client.cashBoxes.list()
    expect(boxes).toHaveLength(DEMO_PARTNER_COUNTS.cashBoxes)
    const box = boxes.find((b) => b.cashBoxName === 'Ladenkasse')!
    expect(await client.cashBoxes.get(box.cashBoxId)).toEqual(box)
    const { content } = await client.cashBoxes.listBalances(box.cashBoxId, { page: 0, size: 1, sort: 'voucherDate,DESC' })
    expect(content[0]?.voucherNumber).toBe('Z-0003')
    const all = await client.cashBoxes.listAllBalances(box.cashBoxId, { sort: 'voucherNumber,ASC' }, { pageSize: 2 })
    expect(all.map((b) => b.voucherNumber)).toEqual(['Z-0001', 'Z-0002', 'Z-0003'])
    await expect(client.cashBoxes.listAllBalances(box.cashBoxId, {}, { pageSize: 101 })).rejects.toThrow(/between 1 and 100/)
  })

  test('finance: accounts by filter, the latest transaction and its assignments', async () => {
    expect(await client.financeAccounts.list()).toHaveLength(DEMO_PARTNER_COUNTS.financialAccounts)
    const giro = first(await client.financeAccounts.list({ externalReference: 'giro-1' }))
    expect(await client.financeAccounts.list({ iban: giro.iban! })).toEqual([giro])
    expect(await client.financeAccounts.get(giro.financialAccountId)).toEqual(giro)
    const latest = await client.financeTransactions.latest(giro.financialAccountId)
    expect(latest.purpose).toBe('Kontoführung')
    expect(await client.financeTransactions.get(latest.financialTransactionId)).toEqual(latest)
    expect(await client.financeTransactions.assignments(latest.financialTransactionId)).toEqual([])
    const assigned = first(data().transactionAssignments.keys())
    expect((await client.financeTransactions.assignments(assigned))[0]?.type).toBe('invoice')
  })

  test('a connection without the partner scopes gets API_FORBIDDEN', async () => {
    const narrow = createLexofficeClient(await sandboxProvider(sandbox, 'profile.read'), {
      apiURL: sandbox.endpoints.apiURL,
      rateLimit: false,
    })
    for (const call of [
      narrow.organization.get(),
      narrow.cashBoxes.list(),
      narrow.financeAccounts.list(),
      narrow.files.status(randomUUID()),
    ]) {
      expect((await apiError(call)).code).toBe('API_FORBIDDEN')
    }
  })
})

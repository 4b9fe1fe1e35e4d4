/**
 * Attacks on the API client's paths: an id that is not a lexoffice id must never leave its
 * resource path. `.` and `..` are removed by URL normalisation (`articles.delete('..')` would send
 * `DELETE /v1/`), so every id is checked to be a UUID before any request is made.
 */
import { randomUUID } from 'node:crypto'
import { inspect } from 'node:util'
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import type { LexofficeClient } from '../../lib/client/LexofficeClient'
import type { Contact } from '../../lib/client/types/contacts'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { sandboxProvider } from '../client/helpers/sandboxProvider'
import { useSecretScan } from './helpers/secretScan'

const scan = useSecretScan()
let sandbox: Sandbox
let client: LexofficeClient

beforeAll(async () => {
  sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: false } })
  scan.secrets(() => sandbox.knownSecrets())
  client = createLexofficeClient(await sandboxProvider(sandbox), {
    apiURL: sandbox.endpoints.apiURL,
    connectionKey: 'ids',
    rateLimit: false,
  })
})
afterAll(() => sandbox.close())

const contact = { version: 1, roles: { customer: {} }, company: { name: 'X' } } as unknown as Contact

/** Every client method that puts a caller's id into a path (or a voucher id into a query). */
const CALLS: Array<[string, (c: LexofficeClient, id: string) => Promise<unknown>]> = [
  ['articles.get', (c, id) => c.articles.get(id)],
  ['articles.update', (c, id) => c.articles.update(id, { title: 'x' } as never)],
  ['articles.delete', (c, id) => c.articles.delete(id)],
  ['contacts.get', (c, id) => c.contacts.get(id)],
  ['contacts.update', (c, id) => c.contacts.update(id, contact)],
  ['invoices.get', (c, id) => c.invoices.get(id)],
  ['invoices.downloadFile', (c, id) => c.invoices.downloadFile(id)],
  ['quotations.get', (c, id) => c.quotations.get(id)],
  ['creditNotes.downloadFile', (c, id) => c.creditNotes.downloadFile(id)],
  ['orderConfirmations.get', (c, id) => c.orderConfirmations.get(id)],
  ['deliveryNotes.downloadFile', (c, id) => c.deliveryNotes.downloadFile(id)],
  ['downPaymentInvoices.get', (c, id) => c.downPaymentInvoices.get(id)],
  ['downPaymentInvoices.downloadFile', (c, id) => c.downPaymentInvoices.downloadFile(id)],
  ['dunnings.get', (c, id) => c.dunnings.get(id)],
  ['dunnings.downloadFile', (c, id) => c.dunnings.downloadFile(id)],
  ['dunnings.create', (c, id) => c.dunnings.create({} as never, { precedingSalesVoucherId: id })],
  ['recurringTemplates.get', (c, id) => c.recurringTemplates.get(id)],
  ['payments.get', (c, id) => c.payments.get(id)],
  ['vouchers.get', (c, id) => c.vouchers.get(id)],
  ['vouchers.update', (c, id) => c.vouchers.update(id, {} as never)],
  ['eventSubscriptions.get', (c, id) => c.eventSubscriptions.get(id)],
  ['eventSubscriptions.delete', (c, id) => c.eventSubscriptions.delete(id)],
  ['files.download', (c, id) => c.files.download(id)],
  ['files.status', (c, id) => c.files.status(id)],
  ['invoices.getInteractionStatus', (c, id) => c.invoices.getInteractionStatus(id)],
  ['contactBankAccounts.list', (c, id) => c.contactBankAccounts.list(id)],
  ['contactBankAccounts.delete (account id)', (c, id) => c.contactBankAccounts.delete(randomUUID(), id)],
  ['cashBoxes.get', (c, id) => c.cashBoxes.get(id)],
  ['financeAccounts.get', (c, id) => c.financeAccounts.get(id)],
  ['financeTransactions.get', (c, id) => c.financeTransactions.get(id)],
]

const BAD_IDS = ['.', '..', '../..', '%2e%2e', '../profile', 'a/b', 'c-1', `${randomUUID()}/..`, ` ${randomUUID()}`, `${randomUUID()}?x=1`]

describe.each(CALLS)('%s', (_name, call) => {
  test.each(BAD_IDS)('refuses the id %p with a TypeError before any request', async (id) => {
    sandbox.resetLog()
    const err = await call(client, id).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    expect(sandbox.requests).toEqual([])
    scan.record('error', inspect(err))
  })

  test('passes a lexoffice id (a UUID, any case) on to lexoffice', async () => {
    sandbox.resetLog()
    const err: unknown = await call(client, randomUUID().toUpperCase()).catch((e: unknown) => e)
    expect(sandbox.requests.length).toBeGreaterThan(0)
    scan.record('error', `${JSON.stringify(err)} ${inspect(err, { depth: 5 })}`)
  })
})

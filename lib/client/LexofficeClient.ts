import { inspect } from 'node:util'
import { ApiTransport } from './ApiTransport'
import { resolveClientOptions, type LexofficeClientOptions } from './LexofficeClientOptions'
import { ArticlesResource } from './resources/ArticlesResource'
import { CashBoxesResource } from './resources/CashBoxesResource'
import { ContactBankAccountsResource } from './resources/ContactBankAccountsResource'
import { ContactsResource } from './resources/ContactsResource'
import { DownPaymentInvoicesResource } from './resources/DownPaymentInvoicesResource'
import { DunningsResource } from './resources/DunningsResource'
import { EventSubscriptionsResource } from './resources/EventSubscriptionsResource'
import { FilesResource } from './resources/FilesResource'
import { FinanceAccountsResource } from './resources/FinanceAccountsResource'
import { FinanceTransactionsResource } from './resources/FinanceTransactionsResource'
import { InvoicesResource } from './resources/InvoicesResource'
import { ListOnlyResource } from './resources/ListOnlyResource'
import { OrganizationResource } from './resources/OrganizationResource'
import { PartnerIntegrationsResource } from './resources/PartnerIntegrationsResource'
import { PaymentsResource } from './resources/PaymentsResource'
import { ProfileResource } from './resources/ProfileResource'
import { RecurringTemplatesResource } from './resources/RecurringTemplatesResource'
import { SalesVoucherResource } from './resources/SalesVoucherResource'
import { VoucherlistResource } from './resources/VoucherlistResource'
import { VouchersResource } from './resources/VouchersResource'
import type { Country, PaymentCondition, PostingCategory, PrintLayout } from './types/reference'
import type { CreditNote, DeliveryNote, OrderConfirmation, Quotation } from './types/salesVouchers'

/**
 * Typed lexoffice (Lexware Office) API client over node:http(s) (keep-alive).
 *
 * Every call goes through the package's one request pipeline (the same as `req.lexoffice.fetch`):
 * client-side pacing (default 1.9 req/s for the whole app, or per connection with
 * `rateLimit.scope`; optionally shared across processes through Redis) -> `Authorization: Bearer` from the token
 * provider -> a timeout (default 30 s) -> on 401 exactly one `refreshAfterUnauthorized()` and
 * one retry -> on 429 bounded backoff with jitter (then `LexofficeApiError`) -> GET/PUT/DELETE
 * retried on 5xx and network errors; POST never retried once it may have reached lexoffice (timeout,
 * 5xx, reset), only when the connection was refused before sending -> errors as
 * `LexofficeApiError` (all three lexoffice error formats) or `LexofficeError`.
 *
 * The token, API key and provider live in private fields: `JSON.stringify`, `util.inspect`,
 * errors and hooks never show them.
 *
 * @example
 * ```ts
 * import { LexofficeClient } from 'passport-lexoffice'
 * const client = new LexofficeClient({ apiKey: process.env.LEXOFFICE_API_KEY! })
 * const profile = await client.profile.get()
 * for await (const contact of client.contacts.iterate({ customer: true })) console.log(contact.id)
 * ```
 */
export class LexofficeClient {
  /** `/v1/profile` */
  readonly profile: ProfileResource
  /** `/v1/contacts` */
  readonly contacts: ContactsResource
  /** `/v1/invoices` (with the partner API's interaction status) */
  readonly invoices: InvoicesResource
  /** `/v1/quotations` */
  readonly quotations: SalesVoucherResource<Quotation>
  /** `/v1/credit-notes` */
  readonly creditNotes: SalesVoucherResource<CreditNote>
  /** `/v1/order-confirmations` */
  readonly orderConfirmations: SalesVoucherResource<OrderConfirmation>
  /** `/v1/delivery-notes` */
  readonly deliveryNotes: SalesVoucherResource<DeliveryNote>
  /** `/v1/down-payment-invoices` (read-only) */
  readonly downPaymentInvoices: DownPaymentInvoicesResource
  /** `/v1/dunnings` (always drafts; `precedingSalesVoucherId` required) */
  readonly dunnings: DunningsResource
  /** `/v1/recurring-templates` (read-only, paged) */
  readonly recurringTemplates: RecurringTemplatesResource
  /** `/v1/payments` (payment status of a voucher) */
  readonly payments: PaymentsResource
  /** `/v1/vouchers` */
  readonly vouchers: VouchersResource
  /** `/v1/voucherlist` */
  readonly voucherlist: VoucherlistResource
  /** `/v1/articles` */
  readonly articles: ArticlesResource
  /** `/v1/event-subscriptions` */
  readonly eventSubscriptions: EventSubscriptionsResource
  /** `/v1/payment-conditions` */
  readonly paymentConditions: ListOnlyResource<PaymentCondition>
  /** `/v1/posting-categories` */
  readonly postingCategories: ListOnlyResource<PostingCategory>
  /** `/v1/countries` */
  readonly countries: ListOnlyResource<Country>
  /** `/v1/print-layouts` */
  readonly printLayouts: ListOnlyResource<PrintLayout>
  /** `/v1/files` */
  readonly files: FilesResource
  /** `/v1/contacts/{id}/bankaccounts` (partner API) */
  readonly contactBankAccounts: ContactBankAccountsResource
  /** `/v1/organization` (partner API) */
  readonly organization: OrganizationResource
  /** `/v1/partner-integrations` (partner API) */
  readonly partnerIntegrations: PartnerIntegrationsResource
  /** `/v1/cash-boxes` (partner API, read-only here) */
  readonly cashBoxes: CashBoxesResource
  /** `/v1/finance/accounts` (partner API, read-only here) */
  readonly financeAccounts: FinanceAccountsResource
  /** `/v1/finance/transactions` (partner API, read-only here) */
  readonly financeTransactions: FinanceTransactionsResource

  readonly #transport: ApiTransport

  /**
   * @throws TypeError (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for bad options.
   */
  constructor(options: LexofficeClientOptions) {
    const t = options instanceof ApiTransport ? options : transportFor(options)
    this.#transport = t
    this.profile = new ProfileResource(t)
    this.contacts = new ContactsResource(t)
    this.invoices = new InvoicesResource(t)
    this.quotations = new SalesVoucherResource<Quotation>(t, '/v1/quotations')
    this.creditNotes = new SalesVoucherResource<CreditNote>(t, '/v1/credit-notes')
    this.orderConfirmations = new SalesVoucherResource<OrderConfirmation>(t, '/v1/order-confirmations')
    this.deliveryNotes = new SalesVoucherResource<DeliveryNote>(t, '/v1/delivery-notes')
    this.downPaymentInvoices = new DownPaymentInvoicesResource(t)
    this.dunnings = new DunningsResource(t)
    this.recurringTemplates = new RecurringTemplatesResource(t)
    this.payments = new PaymentsResource(t)
    this.vouchers = new VouchersResource(t)
    this.voucherlist = new VoucherlistResource(t)
    this.articles = new ArticlesResource(t)
    this.eventSubscriptions = new EventSubscriptionsResource(t)
    this.paymentConditions = new ListOnlyResource<PaymentCondition>(t, '/v1/payment-conditions')
    this.postingCategories = new ListOnlyResource<PostingCategory>(t, '/v1/posting-categories')
    this.countries = new ListOnlyResource<Country>(t, '/v1/countries')
    this.printLayouts = new ListOnlyResource<PrintLayout>(t, '/v1/print-layouts')
    this.files = new FilesResource(t)
    this.contactBankAccounts = new ContactBankAccountsResource(t)
    this.organization = new OrganizationResource(t)
    this.partnerIntegrations = new PartnerIntegrationsResource(t)
    this.cashBoxes = new CashBoxesResource(t)
    this.financeAccounts = new FinanceAccountsResource(t)
    this.financeTransactions = new FinanceTransactionsResource(t)
  }

  /** The API base URL this client talks to (without `/v1`). */
  get apiURL(): string {
    return this.#transport.apiURL
  }

  /** A secret-free view. */
  toJSON(): Record<string, unknown> {
    return { apiURL: this.apiURL }
  }

  /** @internal Secret-free `util.inspect` output. */
  [inspect.custom](): string {
    return `LexofficeClient { apiURL: '${this.apiURL}' }`
  }
}

function transportFor(options: LexofficeClientOptions): ApiTransport {
  const resolved = resolveClientOptions(options)
  return new ApiTransport(resolved, resolved)
}

/** A client on an existing transport (the `lexoffice()` middleware shares one per request with `req.lexoffice.fetch`). @internal */
export function lexofficeClientOn(transport: ApiTransport): LexofficeClient {
  return new LexofficeClient(transport as unknown as LexofficeClientOptions)
}

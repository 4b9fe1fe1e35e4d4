import { completeUnitPrice, round, type LineItem } from './calc'
import type { JsonObject } from './http'
import { POSTING_CATEGORIES } from './referenceData'
import { contactName, createSalesVoucher, salesKind } from './salesModel'
import { seedBilling } from './seedBilling'
import type { BookkeepingVoucher, Entity, EntityFields, OrganizationData, SalesVoucherType } from './OrganizationData'
import { seedPartner } from './seedPartner'

/**
 * The demo organisation's data the sandbox API starts with: fixed names and amounts, and ids from a
 * random generator seeded by the organisation id, so every run (and every test) sees the same
 * records in the same order. {@link DEMO_DATA_COUNTS} states how many of each there are;
 * `seedBilling.ts` adds down-payment invoices, recurring templates and payments
 * (`DEMO_BILLING_COUNTS`), `seedPartner.ts` the partner-API records (`DEMO_PARTNER_COUNTS`).
 *
 * @packageDocumentation
 */

/** How many records of each kind the demo data holds (tests may rely on these). */
export const DEMO_DATA_COUNTS = Object.freeze({
  /** 24 companies and 12 persons. */
  contacts: 36,
  /** Contacts with the customer role (16 + 2 companies with both roles + 11 persons). */
  customers: 29,
  /** Contacts with the vendor role (6 + 2 companies with both roles + 1 person). */
  vendors: 9,
  articles: 12,
  /** 5 draft, 10 open, 12 paid, 3 voided. */
  invoices: 30,
  quotations: 6,
  creditNotes: 4,
  orderConfirmations: 4,
  deliveryNotes: 3,
  /** Bookkeeping vouchers (`/v1/vouchers`). */
  vouchers: 8,
})

/** mulberry32: a small, fast, seeded 32-bit generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

function uuidFrom(random: () => number): () => string {
  return () => {
    const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256))
    bytes[6] = (bytes[6] & 0x0f) | 0x40
    bytes[8] = (bytes[8] & 0x3f) | 0x80
    const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
}

/** A day as a lexoffice timestamp at local midnight (CET), `2026-01-05T00:00:00.000+01:00`. */
function day(offsetDays: number): string {
  const d = new Date(Date.UTC(2026, 0, 5) + offsetDays * 86_400_000)
  return `${d.toISOString().slice(0, 10)}T00:00:00.000+01:00`
}

/** An instant on that day (09:00 UTC), for created/updated dates. */
function instant(offsetDays: number): string {
  return new Date(Date.UTC(2026, 0, 5, 9) + offsetDays * 86_400_000).toISOString()
}

type Company = [name: string, street: string, zip: string, city: string, country: string, roles: 'c' | 'v' | 'cv']
const COMPANIES: Company[] = [
  ['Müller & Söhne GmbH', 'Hauptstraße 12', '10115', 'Berlin', 'DE', 'c'],
  ['Bike & Ride GmbH & Co. KG', 'Musterstraße 42', '79112', 'Freiburg', 'DE', 'c'],
  ['Schmidt Elektrotechnik AG', 'Leopoldstraße 101', '80802', 'München', 'DE', 'c'],
  ['Bäckerei Schneider', 'Mühlenweg 3', '20095', 'Hamburg', 'DE', 'c'],
  ['Fischer Logistik GmbH', 'Hafenstraße 8', '28195', 'Bremen', 'DE', 'c'],
  ['Weber IT-Consulting', 'Domstraße 20', '50668', 'Köln', 'DE', 'c'],
  ['Meyer Bau GmbH', 'Zeil 55', '60313', 'Frankfurt am Main', 'DE', 'c'],
  ['Wagner Medien KG', 'Königstraße 7', '70173', 'Stuttgart', 'DE', 'c'],
  ['Becker Gartenbau', 'Rosenweg 14', '40213', 'Düsseldorf', 'DE', 'c'],
  ['Hoffmann Möbelwerkstatt', 'Karl-Liebknecht-Straße 9', '04107', 'Leipzig', 'DE', 'c'],
  ['Schäfer Reisen GmbH', 'Prager Straße 2', '01069', 'Dresden', 'DE', 'c'],
  ['Koch & Partner Steuerberatung', 'Georgstraße 30', '30159', 'Hannover', 'DE', 'c'],
  ['Richter Feinkost OHG', 'Königstorgraben 11', '90402', 'Nürnberg', 'DE', 'c'],
  ['Klein Software Solutions GmbH', 'Westenhellweg 5', '44137', 'Dortmund', 'DE', 'c'],
  ['Wolf Druckerei', 'Kettwiger Straße 21', '45127', 'Essen', 'DE', 'c'],
  ['Alpenblick Hotel GmbH', 'Maria-Theresien-Straße 18', '6020', 'Innsbruck', 'AT', 'c'],
  ['Bürobedarf Neumann GmbH', 'Industriestraße 4', '68159', 'Mannheim', 'DE', 'v'],
  ['Stadtwerke Musterstadt', 'Am Wasserturm 1', '12345', 'Musterstadt', 'DE', 'v'],
  ['Fernmelde Nord GmbH', 'Funkweg 6', '24103', 'Kiel', 'DE', 'v'],
  ['Papierwelt Schwarz KG', 'Bahnhofstraße 19', '33602', 'Bielefeld', 'DE', 'v'],
  ['Cloudhost Zimmermann GmbH', 'Serverring 2', '76131', 'Karlsruhe', 'DE', 'v'],
  ['Kaffeerösterei Braun', 'Bohnengasse 5', '48143', 'Münster', 'DE', 'v'],
  ['Krüger Handelsgesellschaft mbH', 'Speicherstadt 3', '20457', 'Hamburg', 'DE', 'cv'],
  ['Hartmann Industrievertrieb GmbH', 'Werkstraße 77', '09111', 'Chemnitz', 'DE', 'cv'],
]

type Person = [salutation: string, first: string, last: string, city: string, zip: string, roles: 'c' | 'v']
const PERSONS: Person[] = [
  ['Herr', 'Max', 'Mustermann', 'Berlin', '10117', 'c'],
  ['Frau', 'Erika', 'Musterfrau', 'Köln', '50667', 'c'],
  ['Herr', 'Jonas', 'Lange', 'Mainz', '55116', 'c'],
  ['Frau', 'Sophie', 'Schmitt', 'Bonn', '53111', 'c'],
  ['Herr', 'Leon', 'Krause', 'Kassel', '34117', 'c'],
  ['Frau', 'Marie', 'Lehmann', 'Potsdam', '14467', 'c'],
  ['Herr', 'Paul', 'Köhler', 'Augsburg', '86150', 'c'],
  ['Frau', 'Emma', 'Huber', 'Regensburg', '93047', 'c'],
  ['Herr', 'Felix', 'Kaiser', 'Ulm', '89073', 'c'],
  ['Frau', 'Hannah', 'Fuchs', 'Jena', '07743', 'c'],
  ['Herr', 'Lukas', 'Peters', 'Rostock', '18055', 'c'],
  ['Frau', 'Lea', 'Scholz', 'Lübeck', '23552', 'v'],
]

type ArticleRow = [title: string, type: 'PRODUCT' | 'SERVICE', unitName: string, netPrice: number, taxRate: number]
const ARTICLES: ArticleRow[] = [
  ['Beratungsstunde', 'SERVICE', 'Stunde', 95, 19],
  ['Webdesign Paket S', 'SERVICE', 'Pauschal', 1200, 19],
  ['Wartungsvertrag (monatlich)', 'SERVICE', 'Monat', 149, 19],
  ['Schulung vor Ort', 'SERVICE', 'Tag', 890, 19],
  ['Abus Kabelschloss Primo 590', 'PRODUCT', 'Stück', 13.4, 19],
  ['Fahrradhelm Urban', 'PRODUCT', 'Stück', 49.9, 19],
  ['LED-Rücklicht', 'PRODUCT', 'Stück', 12.5, 19],
  ['Energieriegel Testpaket', 'PRODUCT', 'Packung', 5, 7],
  ['Fachbuch Buchhaltung', 'PRODUCT', 'Stück', 34.9, 7],
  ['Kaffee Hausmischung 1 kg', 'PRODUCT', 'Packung', 18.5, 7],
  ['Druckerpapier A4 (500 Blatt)', 'PRODUCT', 'Packung', 6.2, 19],
  ['Versandpauschale', 'SERVICE', 'Pauschal', 6.9, 19],
]

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .replace(/&/g, 'und')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}

/** A GTIN-13 with a correct check digit. */
function gtin(n: number): string {
  const body = `400638${String(n).padStart(6, '0')}`
  const sum = Array.from(body).reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0)
  return `${body}${(10 - (sum % 10)) % 10}`
}

/** Fills an organisation with the demo data. Called once, when the organisation is first used. */
export function seedOrganization(org: OrganizationData): void {
  const random = rng(fnv1a(org.organizationId))
  const newId = uuidFrom(random)
  const organizationId = org.organizationId
  /** The fields of a resource created (and last changed) `offsetDays` from the demo date, at `version`. */
  const seededFields = (offsetDays: number, version: number): EntityFields => ({
    id: newId(),
    organizationId,
    createdDate: instant(offsetDays),
    updatedDate: instant(offsetDays),
    version,
  })

  const roles = (r: string): JsonObject => ({
    ...(r.includes('c') ? { customer: { number: org.next('customer', 10000) } } : {}),
    ...(r.includes('v') ? { vendor: { number: org.next('vendor', 70000) } } : {}),
  })

  const customers: Entity[] = []
  const vendors: Entity[] = []
  const addContact = (contact: Entity, r: string): void => {
    org.contacts.set(contact.id, contact)
    if (r.includes('c')) customers.push(contact)
    if (r.includes('v')) vendors.push(contact)
  }

  COMPANIES.forEach(([name, street, zip, city, countryCode, r], i) => {
    const domain = `${slug(name)}.example`
    addContact(
      {
        ...seededFields(-30 + i, 0),
        roles: roles(r),
        company: {
          name,
          ...(countryCode === 'DE'
            ? { taxNumber: `${12 + i}/345/${67890 + i}`, vatRegistrationId: `DE${String(123456789 + i * 1111)}` }
            : {}),
          allowTaxFreeInvoices: countryCode !== 'DE',
          contactPersons: [
            {
              salutation: i % 2 === 0 ? 'Herr' : 'Frau',
              firstName: i % 2 === 0 ? 'Thomas' : 'Anna',
              lastName: name.split(/[ &-]/)[0] ?? name,
              primary: true,
              emailAddress: `kontakt@${domain}`,
              phoneNumber: `0800 ${1000 + i}`,
            },
          ],
        },
        addresses: { billing: [{ street, zip, city, countryCode }] },
        emailAddresses: { business: [`info@${domain}`] },
        phoneNumbers: { business: [`0${30 + i} ${200000 + i * 37}`] },
        note: '',
        archived: false,
      },
      r,
    )
  })
  PERSONS.forEach(([salutation, firstName, lastName, city, zip, r], i) => {
    addContact(
      {
        ...seededFields(-6 + i, 0),
        roles: roles(r),
        person: { salutation, firstName, lastName },
        addresses: { billing: [{ street: `Lindenallee ${i + 1}`, zip, city, countryCode: 'DE' }] },
        emailAddresses: { private: [`${slug(firstName)}.${slug(lastName)}@example.com`] },
        phoneNumbers: { mobile: [`0170 ${5550000 + i}`] },
        note: '',
        archived: false,
      },
      r,
    )
  })

  const articles: Entity[] = ARTICLES.map(([title, type, unitName, netPrice, taxRate], i) => {
    const article: Entity = {
      ...seededFields(-40 + i, 1),
      archived: false,
      title,
      type,
      articleNumber: `ART-${String(i + 1).padStart(4, '0')}`,
      ...(type === 'PRODUCT' ? { gtin: gtin(i + 1) } : {}),
      unitName,
      price: { netPrice, grossPrice: round(netPrice * (1 + taxRate / 100), 4), leadingPrice: 'NET', taxRate },
    }
    org.articles.set(article.id, article)
    return article
  })

  const lineItems = (n: number): LineItem[] => {
    const count = 1 + (n % 3)
    return Array.from({ length: count }, (_, k) => {
      const article = articles[(n * 5 + k * 3) % articles.length]
      const price = article['price'] as { netPrice: number; taxRate: number }
      return {
        id: article.id,
        type: article['type'] === 'SERVICE' ? 'service' : 'material',
        name: article['title'] as string,
        quantity: 1 + Math.floor(random() * 5),
        unitName: article['unitName'] as string,
        unitPrice: completeUnitPrice(price.netPrice, undefined, price.taxRate),
        discountPercentage: 0,
      }
    })
  }

  const addressOf = (contact: Entity): JsonObject => {
    const billing = ((contact['addresses'] as JsonObject)['billing'] as JsonObject[])[0]
    return { contactId: contact.id, name: contactName(contact), ...billing }
  }

  let n = 0
  const sales = (type: SalesVoucherType, statuses: string[]): void => {
    const kind = salesKind(type)
    statuses.forEach((status) => {
      const offset = n * 3
      const contact = customers[n % customers.length]
      const extra: JsonObject = {}
      if (type === 'invoice') {
        extra['paymentConditions'] = { paymentTermLabel: 'Zahlbar innerhalb von 14 Tagen ohne Abzug', paymentTermDuration: 14 }
        extra['shippingConditions'] = { shippingDate: day(offset), shippingType: 'delivery' }
        if (status !== 'draft') extra['dueDate'] = day(offset + 14)
      }
      if (type === 'quotation') extra['expirationDate'] = day(offset + 30)
      const voucher = createSalesVoucher(
        org,
        type,
        {
          voucherDate: day(offset),
          address: addressOf(contact),
          lineItems: lineItems(n),
          taxType: 'net',
          introduction: `Vielen Dank für Ihren Auftrag. Hiermit erhalten Sie Ihre ${kind.documentName}.`,
          remark: 'Wir freuen uns auf die weitere Zusammenarbeit.',
          extra,
        },
        status,
        instant(offset),
        newId,
      )
      voucher.updatedDate = instant(offset + (status === 'paid' || status === 'paidoff' ? 10 : 0))
      n++
    })
  }
  const repeat = (status: string, count: number): string[] => Array.from({ length: count }, () => status)
  sales('invoice', [...repeat('draft', 5), ...repeat('open', 10), ...repeat('paid', 12), ...repeat('voided', 3)])
  sales('quotation', ['draft', 'draft', 'open', 'open', 'open', 'accepted'])
  sales('creditnote', ['draft', 'open', 'paidoff', 'paidoff'])
  sales('orderconfirmation', ['draft', 'open', 'open', 'open'])
  sales('deliverynote', ['draft', 'open', 'open'])

  const purchaseCategory = (POSTING_CATEGORIES.find((c) => c.name === 'Bürobedarf') ?? POSTING_CATEGORIES[0]).id
  const incomeCategory = (POSTING_CATEGORIES.find((c) => c.name === 'Einnahmen') ?? POSTING_CATEGORIES[0]).id
  const bookkeeping: Array<[type: string, status: string, gross: number]> = [
    ['purchaseinvoice', 'open', 119],
    ['purchaseinvoice', 'paid', 238],
    ['purchaseinvoice', 'paid', 59.5],
    ['purchaseinvoice', 'unchecked', 35.7],
    ['purchaseinvoice', 'open', 1190],
    ['salesinvoice', 'paid', 476],
    ['salesinvoice', 'open', 83.3],
    ['purchasecreditnote', 'paidoff', 23.8],
  ]
  bookkeeping.forEach(([type, voucherStatus, gross], i) => {
    const sale = type.startsWith('sales')
    const contact = sale ? customers[i % customers.length] : vendors[i % vendors.length]
    const tax = round(gross - gross / 1.19)
    const voucher: BookkeepingVoucher = {
      ...seededFields(i * 4, 1),
      type,
      voucherStatus,
      voucherNumber: `${sale ? 'SR' : 'ER'}-2026-${String(i + 1).padStart(3, '0')}`,
      voucherDate: day(i * 4),
      dueDate: day(i * 4 + 14),
      totalGrossAmount: gross,
      totalTaxAmount: tax,
      taxType: 'gross',
      useCollectiveContact: false,
      contactId: contact.id,
      remark: `Beleg ${i + 1}`,
      voucherItems: [{ amount: gross, taxAmount: tax, taxRatePercent: 19, categoryId: sale ? incomeCategory : purchaseCategory }],
      files: [],
    }
    org.vouchers.set(voucher.id, voucher)
  })

  const ctx = { newId, customers, articles, day, instant, addressOf }
  seedBilling(org, ctx)
  seedPartner(org, ctx)
}

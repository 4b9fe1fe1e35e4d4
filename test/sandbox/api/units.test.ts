import { computeTotals } from '../../../lib/sandbox/api/calc'
import { errorsFor } from '../../../lib/sandbox/api/errors'
import { callbackUrlProblem, EVENT_TYPES } from '../../../lib/sandbox/api/eventSubscriptions'
import { parseMultipart } from '../../../lib/sandbox/api/files'
import { ApiFailure, decodeSearchString, isTimestamp, likeMatcher } from '../../../lib/sandbox/api/http'
import { parsePaging, toPage } from '../../../lib/sandbox/api/paging'
import { renderPdf } from '../../../lib/sandbox/api/pdf'
import { RateLimiter } from '../../../lib/sandbox/api/rateLimit'
import { DEMO_DATA_COUNTS } from '../../../lib/sandbox/api/seed'
import { ApiStore } from '../../../lib/sandbox/api/store'
import type { SandboxRequest } from '../../../lib/sandbox/types'

const req = (query: string): SandboxRequest => ({
  method: 'GET',
  path: '/v1/x',
  query: new URLSearchParams(query),
  headers: {},
  body: Buffer.alloc(0),
  params: {},
})

describe('search strings', () => {
  it('undoes the HTML encoding after URL decoding', () => {
    expect(decodeSearchString('Müller &amp; Söhne')).toBe('Müller & Söhne')
    expect(decodeSearchString('a &lt;b&gt; &quot;c&quot; &#39;d&#x27;')).toBe('a <b> "c" \'d\'')
    expect(decodeSearchString('&amp;amp;')).toBe('&amp;')
    expect(decodeSearchString('AT&T')).toBe('AT&T')
    expect(new URLSearchParams(`name=${encodeURIComponent('Bike &amp; Ride')}`).get('name')).toBe('Bike &amp; Ride')
  })

  it('matches substrings case-insensitively with _ and % wildcards and backslash escapes', () => {
    expect(likeMatcher('doe@example')('john.doe@example.com')).toBe(true)
    expect(likeMatcher('a_b@example.com')('azb@example.com')).toBe(true)
    expect(likeMatcher('a\\_b@example.com')('azb@example.com')).toBe(false)
    expect(likeMatcher('a\\_b@example.com')('a_b@example.com')).toBe(true)
    expect(likeMatcher('a%b@example')('anna.and.jacob@example.com')).toBe(true)
    expect(likeMatcher('MÜLLER')('Müller & Söhne GmbH')).toBe(true)
    expect(likeMatcher('(.*)')('anything')).toBe(false)
  })

  it('checks lexoffice timestamps strictly', () => {
    expect(isTimestamp('2023-02-21T00:00:00.000+01:00')).toBe(true)
    expect(isTimestamp('2023-02-21T00:00:00.000Z')).toBe(true)
    expect(isTimestamp('2023-02-21T00:00:00+01:00')).toBe(false)
    expect(isTimestamp('2023-02-21')).toBe(false)
    expect(isTimestamp('2023-13-45T00:00:00.000Z')).toBe(false)
  })
})

describe('paging', () => {
  const errors = errorsFor('regular', '/v1/x')
  const failure = (query: string, max = 250): ApiFailure => {
    try {
      parsePaging(req(query), errors, max)
    } catch (err) {
      return err as ApiFailure
    }
    throw new Error('expected a failure')
  }

  it('parses page and size with defaults and the per-endpoint cap', () => {
    expect(parsePaging(req(''), errors, 250)).toEqual({ page: 0, size: 25 })
    expect(parsePaging(req('page=3&size=100'), errors, 250)).toEqual({ page: 3, size: 100 })
    expect(parsePaging(req('size=500'), errors, 100)).toEqual({ page: 0, size: 100 })
  })

  it('refuses bad numbers and pages beyond the 10,000 window', () => {
    for (const q of ['page=-1', 'page=x', 'size=0', 'size=1.5', 'page=1&page=2']) expect(failure(q).response.status).toBe(400)
    expect(parsePaging(req('page=399&size=25'), errors, 250)).toEqual({ page: 399, size: 25 })
    expect(failure('page=400&size=25').response.body).toMatchObject({ message: 'Maximum search window size exceeded', status: 400 })
    expect(parsePaging(req('page=99&size=100'), errors, 100)).toEqual({ page: 99, size: 100 })
    expect(failure('page=100&size=100', 100).response.status).toBe(400)
  })

  it('builds Spring-style pages', () => {
    const items = Array.from({ length: 7 }, (_, i) => i)
    expect(toPage(items, { page: 0, size: 3 })).toEqual({
      content: [0, 1, 2],
      first: true,
      last: false,
      totalPages: 3,
      totalElements: 7,
      numberOfElements: 3,
      size: 3,
      number: 0,
      sort: [],
    })
    expect(toPage(items, { page: 2, size: 3 })).toMatchObject({ content: [6], first: false, last: true, numberOfElements: 1 })
    expect(toPage(items, { page: 5, size: 3 })).toMatchObject({ content: [], last: true, numberOfElements: 0 })
    expect(toPage([], { page: 0, size: 25 })).toMatchObject({ content: [], first: true, last: true, totalPages: 0, totalElements: 0 })
  })
})

describe('error factories', () => {
  it('renders legacy and regular shapes', () => {
    const legacy = errorsFor('legacy', '/v1/contacts').validation([{ field: 'company.name', violation: 'NOTNULL', message: 'x' }])
    expect(legacy).toMatchObject({
      status: 406,
      body: { IssueList: [{ i18nKey: 'missing_entity', source: 'company.name', type: 'validation_failure', args: null }] },
    })
    const regular = errorsFor('regular', '/v1/invoices').conflict('dup', 'eventType')
    expect(regular.body).toMatchObject({ status: 409, error: 'Conflict', path: '/v1/invoices', details: [{ field: 'eventType' }] })
  })
})

describe('PDF writer', () => {
  it('writes a valid PDF 1.4 with a correct xref table, escaping text', () => {
    const pdf = renderPdf('Rechnung RE0001', [
      { text: 'Rechnung RE0001', bold: true, size: 18 },
      { text: 'Klammer (a) \\ und Umlaute äöü € ✓' },
    ])
    const text = pdf.toString('latin1')
    expect(text.startsWith('%PDF-1.4\n')).toBe(true)
    expect(text.endsWith('%%EOF\n')).toBe(true)
    expect(text).toContain('(Klammer \\(a\\) \\\\ und Umlaute \xe4\xf6\xfc \\200 ?) Tj')
    const xref = Number(/startxref\n(\d+)\n/.exec(text)![1])
    const entries = [...text.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]))
    expect(entries).toHaveLength(7)
    entries.forEach((offset, i) => expect(text.startsWith(`${i + 1} 0 obj`, offset)).toBe(true))
    expect(text).toMatch(/trailer\n<< \/Size 8 \/Root 1 0 R \/Info 7 0 R >>/)
  })
})

describe('RateLimiter', () => {
  it('is a token bucket per key on an injected clock', () => {
    let now = 0
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, () => now)
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false])
    expect(limiter.take('b')).toBe(true)
    now = 499
    expect(limiter.take('a')).toBe(false)
    now = 500
    expect(limiter.take('a')).toBe(true)
    now = 100_000
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false])
    expect(limiter.stats('a')).toEqual({ allowed: 7, limited: 3 })
    expect(limiter.stats()).toEqual({ allowed: 8, limited: 3 })
    limiter.reset()
    expect(limiter.stats()).toEqual({ allowed: 0, limited: 0 })
  })

  it('can be disabled', () => {
    const limiter = new RateLimiter(false, () => 0)
    expect(Array.from({ length: 100 }, () => limiter.take('a')).every(Boolean)).toBe(true)
    expect(limiter.enabled).toBe(false)
  })
})

describe('multipart parser', () => {
  it('parses fields and files, and rejects malformed bodies', () => {
    const body = Buffer.from(
      '--XyZ\r\nContent-Disposition: form-data; name="type"\r\n\r\nvoucher\r\n' +
        '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\nbinary\r\n' +
        '--XyZ--\r\n',
    )
    const parts = parseMultipart(body, 'multipart/form-data; boundary=XyZ')!
    expect(parts.map((p) => [p.name, p.filename, p.contentType, p.data.toString()])).toEqual([
      ['type', undefined, undefined, 'voucher'],
      ['file', 'a.pdf', 'application/pdf', '%PDF\r\nbinary'],
    ])
    expect(parseMultipart(body, 'multipart/form-data')).toBeUndefined()
    expect(parseMultipart(Buffer.from('--XyZ\r\nno end'), 'multipart/form-data; boundary=XyZ')).toBeUndefined()
  })
})

describe('sales voucher totals', () => {
  it('computes gross vouchers from gross unit prices', () => {
    const items = [
      { type: 'custom', name: 'x', quantity: 2, unitPrice: { currency: 'EUR', netAmount: 10, grossAmount: 11.9, taxRatePercentage: 19 } },
    ]
    expect(computeTotals(items, 'gross')).toEqual({
      totalPrice: { currency: 'EUR', totalNetAmount: 20, totalGrossAmount: 23.8, totalTaxAmount: 3.8 },
      taxAmounts: [{ taxRatePercentage: 19, taxAmount: 3.8, netAmount: 20 }],
    })
  })
})

describe('event subscriptions', () => {
  it('knows the documented event types and checks callback URLs', () => {
    expect(EVENT_TYPES).toEqual(
      expect.arrayContaining(['contact.created', 'invoice.status.changed', 'token.revoked', 'payment.changed', 'article.deleted']),
    )
    expect(callbackUrlProblem('https://example.com/hook', false)).toBeUndefined()
    expect(callbackUrlProblem('http://127.0.0.1:3000/hook', true)).toBeUndefined()
    expect(callbackUrlProblem('http://[::1]:3000/hook', true)).toBeUndefined()
    expect(callbackUrlProblem('http://127.0.0.1:3000/hook', false)).toBeDefined()
    expect(callbackUrlProblem('http://localhost.example.com/hook', true)).toBeDefined()
    expect(callbackUrlProblem('https://user:pw@example.com/hook', true)).toBeDefined()
  })
})

describe('demo data', () => {
  it('is deterministic per organisation and matches DEMO_DATA_COUNTS', () => {
    const a = new ApiStore().organization('11111111-1111-4111-8111-111111111111')
    const b = new ApiStore().organization('11111111-1111-4111-8111-111111111111')
    const c = new ApiStore().organization('22222222-2222-4222-8222-222222222222')
    expect([...a.contacts.keys()]).toEqual([...b.contacts.keys()])
    expect([...a.salesVouchers.values()].map((v) => v.voucherNumber)).toEqual([...b.salesVouchers.values()].map((v) => v.voucherNumber))
    expect([...a.contacts.keys()][0]).not.toBe([...c.contacts.keys()][0])
    const kinds = [...a.salesVouchers.values()].map((v) => v.voucherType)
    const count = (t: string) => kinds.filter((k) => k === t).length
    expect({
      contacts: a.contacts.size,
      customers: [...a.contacts.values()].filter((x) => (x['roles'] as { customer?: unknown }).customer !== undefined).length,
      vendors: [...a.contacts.values()].filter((x) => (x['roles'] as { vendor?: unknown }).vendor !== undefined).length,
      articles: a.articles.size,
      invoices: count('invoice'),
      quotations: count('quotation'),
      creditNotes: count('creditnote'),
      orderConfirmations: count('orderconfirmation'),
      deliveryNotes: count('deliverynote'),
      vouchers: a.vouchers.size,
    }).toEqual({ ...DEMO_DATA_COUNTS })
    expect(new ApiStore({ seedDemoData: false }).organization('x').contacts.size).toBe(0)
  })
})

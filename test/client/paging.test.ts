import { LexofficeClient } from '../../lib/client/LexofficeClient'
import { LexofficeSearchWindowError } from '../../lib/client/LexofficeSearchWindowError'
import { encodeSearchString } from '../../lib/client/encodeSearchString'
import { page, startTestServer, type TestServer } from './helpers/testServer'

let server: TestServer
/** Entries the fake list endpoints hold. */
let total = 0
/** When set, the server claims this many entries and never marks a page `last` (a huge result). */
let endless: number | undefined

beforeAll(async () => {
  server = await startTestServer((req) => {
    const size = Number(req.query.get('size') ?? 25)
    const number = Number(req.query.get('page') ?? 0)
    if (endless !== undefined) {
      const content = Array.from({ length: size }, (_, i) => ({ id: `e${number * size + i}` }))
      return { status: 200, body: { ...page(content, number, Math.ceil(endless / size), endless), last: false } }
    }
    const content = Array.from({ length: Math.max(0, Math.min(size, total - number * size)) }, (_, i) => ({ id: `c${number * size + i}` }))
    return { status: 200, body: page(content, number, Math.ceil(total / size), total) }
  })
})
afterAll(() => server.close())
beforeEach(() => {
  server.seen.length = 0
  endless = undefined
})

const client = (): LexofficeClient => new LexofficeClient({ apiKey: 'paging-key', apiURL: server.url, rateLimit: false })

describe('async iteration over pages', () => {
  test('iterate() follows `page` until `last` and keeps the filters', async () => {
    total = 7
    const ids: string[] = []
    for await (const c of client().contacts.iterate({ customer: true, name: 'Mey' }, { pageSize: 3 })) ids.push(c.id ?? '')
    expect(ids).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'])
    expect(
      server.seen.map((s) => [s.path, s.query.get('page'), s.query.get('size'), s.query.get('customer'), s.query.get('name')]),
    ).toEqual([
      ['/v1/contacts', '0', '3', 'true', 'Mey'],
      ['/v1/contacts', '1', '3', 'true', 'Mey'],
      ['/v1/contacts', '2', '3', 'true', 'Mey'],
    ])
  })

  test('listAll() on articles and voucherlist; default page size 250', async () => {
    total = 300
    await expect(client().articles.listAll({ type: 'PRODUCT' })).resolves.toHaveLength(300)
    expect(server.seen.map((s) => s.query.get('size'))).toEqual(['250', '250'])
    server.seen.length = 0
    total = 2
    const entries = await client().voucherlist.listAll({ voucherType: 'invoice', voucherStatus: 'any' })
    expect(entries).toHaveLength(2)
    expect(server.seen[0]?.query.get('voucherType')).toBe('invoice')
  })

  test('stopping early fetches no further pages', async () => {
    total = 100
    for await (const c of client().contacts.iterate({}, { pageSize: 10 })) if (c.id === 'c3') break
    expect(server.seen).toHaveLength(1)
  })

  test("beyond the 10,000-entry search window: a typed error after yielding the window (default 'error')", async () => {
    endless = 20_000
    let yielded = 0
    let caught: unknown
    try {
      for await (const _ of client().voucherlist.iterate({ voucherType: 'any', voucherStatus: 'any' })) yielded++
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(LexofficeSearchWindowError)
    expect((caught as LexofficeSearchWindowError).code).toBe('API_VALIDATION')
    expect((caught as LexofficeSearchWindowError).yielded).toBe(10_000)
    expect((caught as LexofficeSearchWindowError).totalElements).toBe(20_000)
    expect(yielded).toBe(10_000)
    // Never asked for a page reaching past entry 10,000.
    const last = server.seen.at(-1)
    expect((Number(last?.query.get('page')) + 1) * Number(last?.query.get('size'))).toBeLessThanOrEqual(10_000)
  })

  test("searchWindow: 'stop' ends quietly at the window", async () => {
    endless = 12_345
    const all = await client().contacts.listAll({}, { pageSize: 250, searchWindow: 'stop' })
    expect(all).toHaveLength(10_000)
    expect(server.seen).toHaveLength(40)
  })

  test('an invalid page size is refused', async () => {
    await expect(client().contacts.listAll({}, { pageSize: 500 })).rejects.toThrow(/pageSize/)
  })
})

describe('search strings are HTML-encoded, then URL-encoded', () => {
  test('encodeSearchString', () => {
    expect(encodeSearchString('Smith & Sons')).toBe('Smith%20%26amp%3B%20Sons')
    expect(encodeSearchString('<b>')).toBe('%26lt%3Bb%26gt%3B')
    expect(encodeSearchString('Müller_%')).toBe('M%C3%BCller_%25')
  })

  test('contacts name and email, voucherlist voucherNumber/contactName, vouchers voucherNumber', async () => {
    total = 0
    await client().contacts.list({ name: 'Smith & Sons <GmbH>', email: 'a&b@x.de', number: 5 })
    const contacts = server.seen.at(0)
    expect(contacts?.rawQuery).toBe('email=a%26amp%3Bb%40x.de&name=Smith%20%26amp%3B%20Sons%20%26lt%3BGmbH%26gt%3B&number=5')
    // What lexoffice sees after URL-decoding is the HTML-encoded text.
    expect(contacts?.query.get('name')).toBe('Smith &amp; Sons &lt;GmbH&gt;')

    await client().voucherlist.list({ voucherType: 'any', voucherStatus: 'any', voucherNumber: 'RE<1>&2', contactName: 'A & B' })
    expect(server.seen[1]?.query.get('voucherNumber')).toBe('RE&lt;1&gt;&amp;2')
    expect(server.seen[1]?.query.get('contactName')).toBe('A &amp; B')

    await client().vouchers.findByNumber('V&1')
    expect(server.seen[2]?.rawQuery).toBe('voucherNumber=V%26amp%3B1')
  })

  test('non-search filters are only URL-encoded', async () => {
    total = 0
    await client().articles.list({ articleNumber: 'A&B' })
    expect(server.seen[0]?.query.get('articleNumber')).toBe('A&B')
  })
})

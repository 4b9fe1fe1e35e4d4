import { inspect } from 'node:util'
import { LexofficeApiError } from '../../lib/errors'
import { LexofficeClient } from '../../lib/client/LexofficeClient'
import { parseApiError } from '../../lib/client/parseApiError'
import { startTestServer, type Reply, type TestServer } from './helpers/testServer'

const TOKEN = 'secret-token-errors-ABCDEFGH123456'
const CONTACT_ID = 'be2b6a4e-3f8e-4a47-9d5c-0c2c6d3f1a01'
let server: TestServer
let next: Reply = { status: 200 }
let client: LexofficeClient

beforeAll(async () => {
  server = await startTestServer(() => next)
  client = new LexofficeClient({ apiKey: TOKEN, apiURL: server.url, rateLimit: false, retry: false })
})
afterAll(() => server.close())

async function failWith(reply: Reply, call: () => Promise<unknown> = () => client.contacts.get(CONTACT_ID)): Promise<LexofficeApiError> {
  next = reply
  const err: unknown = await call().then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(LexofficeApiError)
  return err as LexofficeApiError
}

function expectNoSecret(err: unknown): void {
  for (const text of [JSON.stringify(err), inspect(err, { depth: 10, showHidden: true }), String((err as Error).stack)]) {
    expect(text).not.toContain(TOKEN)
    expect(text).not.toContain('Bearer secret')
  }
}

describe('lexoffice error shapes', () => {
  test('gateway shape {message}', async () => {
    const err = await failWith({ status: 401, body: { message: 'Unauthorized' } })
    expect(err.code).toBe('API_UNAUTHORIZED')
    expect(err.upstreamStatus).toBe(401)
    expect(err.status).toBe(401)
    expect(err.message).toBe(`lexoffice answered 401 to GET /v1/contacts/${CONTACT_ID}: Unauthorized`)
    expect(err.details).toEqual([])
    expect(err.traceId).toBeUndefined()
    expect(err.request).toEqual({ method: 'GET', path: `/v1/contacts/${CONTACT_ID}` })
  })

  test('legacy IssueList shape (contacts, files, vouchers)', async () => {
    const body = {
      IssueList: [
        { i18nKey: 'missing_entity', source: 'company.name', type: 'validation_failure', additionalData: null, args: null },
        { i18nKey: 'invalid_value', source: 'roles', type: 'validation_failure' },
      ],
    }
    const err = await failWith({ status: 406, body }, () => client.contacts.create({ version: 0, roles: {} }))
    expect(err.code).toBe('API_VALIDATION')
    expect(err.status).toBe(422)
    expect(err.details).toEqual([
      { field: 'company.name', violation: 'missing_entity', message: 'validation_failure' },
      { field: 'roles', violation: 'invalid_value', message: 'validation_failure' },
    ])
    expect(err.message).toContain('missing_entity at company.name')
    expect(err.request).toEqual({ method: 'POST', path: '/v1/contacts' })
  })

  test('regular shape with traceId and details', async () => {
    const body = {
      timestamp: '2026-11-23T10:00:00.000+01:00',
      status: 406,
      error: 'Not Acceptable',
      path: '/v1/invoices',
      traceId: '90d78d0777be',
      message: 'Validation failed for request. Please see details list for specific causes.',
      details: [{ violation: 'NOTNULL', field: 'lineItems[0].unitPrice.taxRatePercentage', message: 'darf nicht leer sein' }],
    }
    const err = await failWith({ status: 406, body })
    expect(err.code).toBe('API_VALIDATION')
    expect(err.traceId).toBe('90d78d0777be')
    expect(err.details).toEqual([
      { violation: 'NOTNULL', field: 'lineItems[0].unitPrice.taxRatePercentage', message: 'darf nicht leer sein' },
    ])
    expect(err.toJSON()).toMatchObject({
      code: 'API_VALIDATION',
      upstreamStatus: 406,
      traceId: '90d78d0777be',
      request: { method: 'GET', path: `/v1/contacts/${CONTACT_ID}` },
    })
  })

  test.each([
    [400, 'API_VALIDATION'],
    [402, 'API_PAYMENT_REQUIRED'],
    [403, 'API_FORBIDDEN'],
    [404, 'API_NOT_FOUND'],
    [405, 'API_ERROR'],
    [406, 'API_VALIDATION'],
    [409, 'API_CONFLICT'],
    [415, 'API_ERROR'],
    [500, 'API_SERVER_ERROR'],
    [501, 'API_SERVER_ERROR'],
    [503, 'API_SERVER_ERROR'],
    [504, 'API_SERVER_ERROR'],
  ])('status %i maps to %s', async (status, code) => {
    const err = await failWith({ status, body: { message: null } })
    expect(err.code).toBe(code)
    expect(err.upstreamStatus).toBe(status)
  })

  test("a stale version is API_CONFLICT also as lexoffice's 406 naming version (contacts); other 406s stay API_VALIDATION", () => {
    const request = { method: 'PUT', path: '/v1/contacts/c-1' }
    const issue = (source: string, i18nKey: string) =>
      JSON.stringify({ IssueList: [{ i18nKey, source, type: 'validation_failure', additionalData: null, args: null }] })
    const stale = parseApiError(406, issue('version', 'invalid_value'), request)
    expect([stale.code, stale.status, stale.upstreamStatus]).toEqual(['API_CONFLICT', 409, 406])
    // A missing version is a mistake of the request, not a conflict.
    expect(parseApiError(406, issue('version', 'missing_entity'), request).code).toBe('API_VALIDATION')
    expect(parseApiError(406, issue('company.name', 'invalid_value'), request).code).toBe('API_VALIDATION')
    expect(parseApiError(409, issue('version', 'conflict'), request).code).toBe('API_CONFLICT')
  })

  test('429 becomes a LexofficeApiError API_RATE_LIMITED', async () => {
    const err = await failWith({ status: 429, body: { message: 'Rate limit exceeded' } })
    expect(err).toBeInstanceOf(LexofficeApiError)
    expect(err.code).toBe('API_RATE_LIMITED')
  })

  test('non-JSON and empty bodies still give typed errors', async () => {
    const html = await failWith({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body>Bad Gateway</body></html>' })
    expect(html.code).toBe('API_SERVER_ERROR')
    expect(html.message).toBe(`lexoffice answered 502 to GET /v1/contacts/${CONTACT_ID}`)
    const empty = await failWith({ status: 404 })
    expect(empty.code).toBe('API_NOT_FOUND')
  })

  test('a 2xx answer that is not JSON is an API_ERROR, not a crash', async () => {
    const err = await failWith({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>login</html>' })
    expect(err.code).toBe('API_ERROR')
    expect(err.upstreamStatus).toBe(200)
  })

  test('no token, Authorization header or query string ends up in an error', async () => {
    // A gateway 403 that echoes the Authorization header back, as AWS-style gateways do.
    const echo = await failWith(
      {
        status: 403,
        body: { message: `'${TOKEN}' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer ${TOKEN}'.` },
      },
      () => client.contacts.list({ email: 'private@example.com' }),
    )
    expect(echo.code).toBe('API_FORBIDDEN')
    expect(echo.message).toContain('[REDACTED]')
    expect(echo.request).toEqual({ method: 'GET', path: '/v1/contacts' })
    expectNoSecret(echo)
    expect(JSON.stringify(echo)).not.toContain('private')
    const legacy = await failWith({ status: 400, body: { IssueList: [{ i18nKey: `Bearer ${TOKEN}`, source: TOKEN, type: 'x' }] } })
    expectNoSecret(legacy)
  })

  test('parseApiError bounds long texts and strips control characters', () => {
    const err = parseApiError(500, JSON.stringify({ message: `a\u0000b\n${'x'.repeat(1000)}` }), { method: 'GET', path: '/v1/x' })
    expect(err.message.length).toBeLessThan(400)
    // eslint-disable-next-line no-control-regex -- the assertion is that no control character is left
    expect(err.message).not.toMatch(/[\u0000-\u001f]/)
  })
})

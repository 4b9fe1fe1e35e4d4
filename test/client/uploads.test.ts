import { LexofficeClient } from '../../lib/client/LexofficeClient'
import { apiError } from './helpers/apiError'
import { startTestServer, type Reply, type TestServer } from './helpers/testServer'

/**
 * Uploads are multipart POSTs through the same transport as every call: paced, given a Bearer
 * token, retried after a 401 (refresh) or 429 (lexoffice did nothing), and never retried after
 * an unknown outcome (5xx, reset, timeout), where lexoffice may already have stored the file.
 */
let server: TestServer
let replies: Reply[] = []
beforeAll(async () => {
  server = await startTestServer(() => replies.shift() ?? { status: 202, body: { id: 'file-1' } })
})
afterAll(() => server.close())
beforeEach(() => {
  server.seen.length = 0
  replies = []
})

const ID = '4f3a1c2e-0000-4000-8000-000000000001'
const client = (timeoutMs = 5000): LexofficeClient =>
  new LexofficeClient({
    apiKey: 'upload-key',
    apiURL: server.url,
    timeoutMs,
    rateLimit: { ratePerSecond: 1000 },
    retry: { retries: 3, rateLimitRetries: 2, baseDelayMs: 1, maxDelayMs: 5 },
  })
const receipt = Buffer.from('%PDF-1.4 receipt')
function first<T>(items: readonly T[]): T {
  const [item] = items
  if (item === undefined) throw new Error('expected a request')
  return item
}

test('sends multipart/form-data with the file (and type for /v1/files) and a Bearer token', async () => {
  expect(await client().vouchers.uploadFile(ID, receipt, { filename: 'beleg.pdf' })).toEqual({ id: 'file-1' })
  const req = first(server.seen)
  expect([req.method, req.path]).toEqual(['POST', `/v1/vouchers/${ID}/files`])
  expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
  expect(req.headers.authorization).toBe('Bearer upload-key')
  const body = req.body.toString('latin1')
  expect(body).toContain('name="file"; filename="beleg.pdf"')
  expect(body).toContain('Content-Type: application/pdf')
  expect(body).toContain('%PDF-1.4 receipt')
  expect(body).not.toContain('name="type"')

  await client().files.upload(receipt, { filename: 'agb.pdf', type: 'attachment' })
  expect(server.seen[1]?.body.toString('latin1')).toMatch(/name="type"\r\n\r\nattachment\r\n/)
})

test.each<[string, Reply]>([
  ['a 500', { status: 500, body: { message: null } }],
  ['a 504', { status: 504, body: { message: 'Endpoint request timed out' } }],
  ['a reset connection', 'destroy'],
])('after %s the upload is not repeated (its outcome is unknown)', async (_name, reply) => {
  replies = [reply]
  await expect(client().vouchers.uploadFile(ID, receipt, { filename: 'a.pdf' })).rejects.toBeDefined()
  expect(server.seen).toHaveLength(1)
})

test('after a timeout the upload is not repeated', async () => {
  replies = ['hang']
  await expect(client(300).files.upload(receipt, { filename: 'a.pdf', type: 'voucher' })).rejects.toMatchObject({ code: 'TIMEOUT' })
  expect(server.seen).toHaveLength(1)
})

test('a 429 (lexoffice performed nothing) is retried with the same file', async () => {
  replies = [{ status: 429, body: { message: 'Rate limit exceeded' } }]
  expect(await client().files.upload(receipt, { filename: 'a.pdf', type: 'voucher' })).toEqual({ id: 'file-1' })
  expect(server.seen).toHaveLength(2)
  // The same part again (the multipart boundary differs from one sending to the next).
  const part = (i: number): string => {
    const boundary = /boundary=(.+)$/.exec(String(server.seen[i]?.headers['content-type']))?.[1] ?? '?'
    return (server.seen[i]?.body.toString('latin1') ?? '').split(boundary).join('BOUNDARY')
  }
  expect(part(1)).toBe(part(0))
  expect(part(1)).toContain('%PDF-1.4 receipt')
})

test('a 401 refreshes the token once and sends the upload again with the new one', async () => {
  let token = 'old-token'
  const refreshing = new LexofficeClient({
    tokenProvider: {
      getAccessToken: () => Promise.resolve(token),
      refreshAfterUnauthorized: () => Promise.resolve((token = 'new-token')),
    },
    apiURL: server.url,
    rateLimit: false,
  })
  replies = [{ status: 401, body: { message: 'Unauthorized' } }]
  await refreshing.vouchers.uploadFile(ID, new Blob([receipt]), { filename: 'scan.png' })
  expect(server.seen.map((s) => s.headers.authorization)).toEqual(['Bearer old-token', 'Bearer new-token'])
  expect(server.seen[1]?.body.toString('latin1')).toContain('Content-Type: image/png')
})

test("lexoffice's 406 for a refused file is API_VALIDATION with the issue", async () => {
  replies = [{ status: 406, body: { IssueList: [{ i18nKey: 'inacceptable_file_extension', source: 'file', type: 'validation_failure' }] } }]
  const err = await apiError(client().files.upload(receipt, { filename: 'a.pdf', type: 'voucher' }))
  expect(err.code).toBe('API_VALIDATION')
  expect(err.details[0]).toMatchObject({ field: 'file', violation: 'inacceptable_file_extension' })
})

import { createSandbox, DEFAULT_SANDBOX_SCOPES, type Sandbox, type SandboxOptions } from '../../../lib/sandbox'
import { obtainCode, REDIRECT, tokenCall } from '../helpers'

/** Helpers for the sandbox API tests: a sandbox with a connected token, and a tiny fetch client. */

export interface ApiResponse {
  status: number
  headers: Headers
  body: Buffer
  /** The parsed JSON answer, untyped like supertest's `body`: assertions read it and expect() checks its shape. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above; calls on it are typed at the call site
  json: any
}

export interface RequestOptions {
  body?: unknown
  /** Raw body (string or bytes) sent as is. */
  raw?: string | Buffer
  headers?: Record<string, string>
  token?: string | null
}

/** A connected API client: real HTTP against the sandbox with a Bearer token. */
export class ApiClient {
  constructor(
    readonly sandbox: Sandbox,
    readonly token: string,
    readonly refreshToken: string,
  ) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
    const token = options.token === undefined ? this.token : options.token
    if (token !== null) headers['authorization'] = `Bearer ${token}`
    let body: string | Buffer | undefined
    if (options.raw !== undefined) body = options.raw
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] ??= 'application/json'
    }
    const res = await fetch(`${this.sandbox.endpoints.apiURL}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : new Uint8Array(body) } : {}),
      redirect: 'manual',
    })
    const buffer = Buffer.from(await res.arrayBuffer())
    let json: unknown
    if ((res.headers.get('content-type') ?? '').includes('json') && buffer.length > 0) json = JSON.parse(buffer.toString('utf8'))
    return { status: res.status, headers: res.headers, body: buffer, json }
  }

  get(path: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('GET', path, options)
  }
  post(path: string, body: unknown, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('POST', path, { ...options, body })
  }
  put(path: string, body: unknown, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('PUT', path, { ...options, body })
  }
  delete(path: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('DELETE', path, options)
  }
}

/** Connects once through the sandbox: authorize (auto-approved, redirect not followed), then the token call. */
export async function connect(sandbox: Sandbox, scope: string = DEFAULT_SANDBOX_SCOPES.join(' ')): Promise<ApiClient> {
  sandbox.addRedirectUri(REDIRECT)
  const { code, verifier } = await obtainCode(sandbox, { scope })
  const res = await tokenCall(sandbox, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier })
  if (res.status !== 200) throw new Error(`token answered ${res.status}: ${await res.text()}`)
  const tokens = (await res.json()) as { access_token: string; refresh_token: string }
  return new ApiClient(sandbox, tokens.access_token, tokens.refresh_token)
}

/** A sandbox (auto-approve, rate limit off unless given) and one connected client. */
export async function startApi(options: SandboxOptions = {}): Promise<{ sandbox: Sandbox; api: ApiClient }> {
  const sandbox = await createSandbox({ autoApprove: true, ...options, api: { rateLimit: false, ...options.api } })
  try {
    return { sandbox, api: await connect(sandbox) }
  } catch (err) {
    await sandbox.close()
    throw err
  }
}

/** Asserts the legacy `IssueList` shape and returns the issues. */
export function expectLegacy(res: ApiResponse, status: number): Array<Record<string, unknown>> {
  expect(res.status).toBe(status)
  expect(Object.keys(res.json as object)).toEqual(['IssueList'])
  expect(Array.isArray(res.json.IssueList)).toBe(true)
  expect(res.json.IssueList.length).toBeGreaterThan(0)
  const issues = res.json.IssueList as Array<Record<string, unknown>>
  for (const issue of issues) {
    expect(Object.keys(issue).sort()).toEqual(['additionalData', 'args', 'i18nKey', 'source', 'type'])
  }
  return issues
}

/** Asserts the regular error shape and returns its details. */
export function expectRegular(res: ApiResponse, status: number, path: string): Array<Record<string, unknown>> {
  expect(res.status).toBe(status)
  expect(Object.keys(res.json as object).sort()).toEqual(['details', 'error', 'message', 'path', 'status', 'timestamp', 'traceId'])
  expect(res.json.status).toBe(status)
  expect(res.json.path).toBe(path)
  expect(res.json.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/)
  return res.json.details as Array<Record<string, unknown>>
}

/** A valid invoice body. */
export function invoiceBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    voucherDate: '2026-03-02T00:00:00.000+01:00',
    address: { name: 'Bike & Ride GmbH & Co. KG', street: 'Musterstraße 42', city: 'Freiburg', zip: '79112', countryCode: 'DE' },
    lineItems: [
      {
        type: 'custom',
        name: 'Energieriegel Testpaket',
        quantity: 2,
        unitName: 'Stück',
        unitPrice: { currency: 'EUR', netAmount: 5, taxRatePercentage: 7 },
      },
      {
        type: 'custom',
        name: 'Beratung',
        quantity: 1.5,
        unitName: 'Stunde',
        unitPrice: { currency: 'EUR', netAmount: 100, taxRatePercentage: 19 },
      },
      { type: 'text', name: 'Hinweis', description: 'Nur ein Text' },
    ],
    totalPrice: { currency: 'EUR' },
    taxConditions: { taxType: 'net' },
    shippingConditions: { shippingDate: '2026-03-02T00:00:00.000+01:00', shippingType: 'delivery' },
    ...overrides,
  }
}

import type { Profile } from 'passport'
import { ErrorCodes, LexofficeApiError, type LexofficeErrorCode } from '../errors'
import { type FetchLike, httpRequest } from '../http/httpRequest'

/**
 * The body of lexoffice's `GET /v1/profile` (docs/lexoffice.md §3). Only the members this package
 * reads are typed; everything else is kept in `_json`.
 *
 * @example
 * ```ts
 * const json = profile._json as LexofficeProfileJson
 * console.log(json.taxType)
 * ```
 */
export interface LexofficeProfileJson {
  organizationId?: string
  companyName?: string
  created?: { userId?: string; userName?: string; userEmail?: string; date?: string }
  connectionId?: string
  taxType?: string
  smallBusiness?: boolean
  [extra: string]: unknown
}

/**
 * A passport `Profile` built from `GET /v1/profile`.
 * `id` is `created.userId` (the lexoffice user who established the connection).
 *
 * @example
 * ```ts
 * function verify(accessToken: string, refreshToken: string | undefined, profile: LexofficeProfile | undefined, done: LexofficeVerifyCallback) {
 *   done(null, { id: profile!.id, connectionId: profile!.connectionId })
 * }
 * ```
 */
export interface LexofficeProfile extends Profile {
  provider: 'lexoffice'
  /** `created.userId`. */
  id: string
  /** `created.userName`, else `companyName`, else the user id. */
  displayName: string
  /** `[{ value: created.userEmail }]` when lexoffice sent an email. */
  emails?: Array<{ value: string; type?: string }>
  /** The lexoffice organisation (tenant). */
  organizationId: string | undefined
  /** The id of this API connection; it is the `resourceId` of `token.revoked` webhooks. */
  connectionId: string | undefined
  /** The organisation's company name. */
  companyName: string | undefined
  /** The raw response body. */
  _raw: string
  /** The parsed response body. */
  _json: LexofficeProfileJson
}

/**
 * @internal
 *
 * @example
 * ```ts
 * await fetchLexofficeProfile({ apiURL: 'https://api.lexware.io', accessToken, timeoutMs: 10_000 })
 * ```
 */
export interface FetchProfileOptions {
  apiURL: string
  accessToken: string
  timeoutMs: number
  fetch?: FetchLike | undefined
}

const STATUS_CODES: Record<number, LexofficeErrorCode> = {
  401: ErrorCodes.API_UNAUTHORIZED,
  402: ErrorCodes.API_PAYMENT_REQUIRED,
  403: ErrorCodes.API_FORBIDDEN,
  404: ErrorCodes.API_NOT_FOUND,
  429: ErrorCodes.API_RATE_LIMITED,
}

/**
 * Reads `GET {apiURL}/v1/profile` with the access token (Bearer header only, with a timeout)
 * and maps it to a {@link LexofficeProfile}. Non-2xx answers and unusable bodies become a
 * {@link LexofficeApiError} (status 502) that names the HTTP status, never the token.
 *
 * @throws LexofficeApiError (`API_UNAUTHORIZED`, `API_FORBIDDEN`, `API_SERVER_ERROR`, `API_ERROR`...)
 * @throws LexofficeNetworkError (`TIMEOUT`, `NETWORK_ERROR`, `RESPONSE_TOO_LARGE`)
 * @example
 * ```ts
 * const profile = await fetchLexofficeProfile({ apiURL: 'https://api.lexware.io', accessToken, timeoutMs: 10_000 })
 * console.log(profile.organizationId, profile.emails?.[0]?.value)
 * ```
 */
export async function fetchLexofficeProfile(options: FetchProfileOptions): Promise<LexofficeProfile> {
  const request = { method: 'GET', path: '/v1/profile' }
  const res = await httpRequest({
    method: 'GET',
    url: `${options.apiURL}/v1/profile`,
    headers: { authorization: `Bearer ${options.accessToken}`, accept: 'application/json' },
    timeoutMs: options.timeoutMs,
    maxBodyBytes: 256 * 1024,
    fetch: options.fetch,
  })
  if (res.status !== 200) {
    const code = STATUS_CODES[res.status] ?? (res.status >= 500 ? ErrorCodes.API_SERVER_ERROR : ErrorCodes.API_ERROR)
    throw new LexofficeApiError(code, `lexoffice answered HTTP ${res.status} to GET /v1/profile.`, {
      upstreamStatus: res.status,
      status: 502,
      request,
    })
  }
  const raw = res.text()
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    json = undefined
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new LexofficeApiError(ErrorCodes.API_ERROR, 'lexoffice answered GET /v1/profile with a body that is not a JSON object.', {
      upstreamStatus: res.status,
      status: 502,
      request,
    })
  }
  return mapLexofficeProfile(json as LexofficeProfileJson, raw)
}

/**
 * Maps a `/v1/profile` body to a {@link LexofficeProfile}.
 *
 * @throws LexofficeApiError (`API_ERROR`) when `created.userId` is missing.
 * @example
 * ```ts
 * const profile = mapLexofficeProfile(JSON.parse(raw), raw)
 * ```
 */
export function mapLexofficeProfile(json: LexofficeProfileJson, raw: string): LexofficeProfile {
  const created = json.created !== null && typeof json.created === 'object' ? json.created : {}
  const userId = typeof created.userId === 'string' && created.userId !== '' ? created.userId : undefined
  if (userId === undefined) {
    throw new LexofficeApiError(ErrorCodes.API_ERROR, 'lexoffice answered GET /v1/profile without created.userId.', {
      upstreamStatus: 200,
      status: 502,
      request: { method: 'GET', path: '/v1/profile' },
    })
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
  const companyName = str(json.companyName)
  const email = str(created.userEmail)
  const profile: LexofficeProfile = {
    provider: 'lexoffice',
    id: userId,
    displayName: str(created.userName) ?? companyName ?? userId,
    organizationId: str(json.organizationId),
    connectionId: str(json.connectionId),
    companyName,
    _raw: raw,
    _json: json,
  }
  if (email !== undefined) profile.emails = [{ value: email }]
  return profile
}

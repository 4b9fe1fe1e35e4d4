import { ErrorCodes, LexofficeApiError } from '../errors'

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
 * A passport-style profile (the shape of `passport.Profile`, declared here so that the package's
 * types need no `@types/passport`) built from `GET /v1/profile`.
 * `id` is `created.userId` (the lexoffice user who established the connection).
 *
 * @example
 * ```ts
 * function verify(accessToken: string, refreshToken: string | undefined, profile: LexofficeProfile | undefined, done: LexofficeVerifyCallback) {
 *   done(null, { id: profile!.id, connectionId: profile!.connectionId })
 * }
 * ```
 */
export interface LexofficeProfile {
  provider: 'lexoffice'
  /** `created.userId`. */
  id: string
  /** `created.userName`, else `companyName`, else the user id. */
  displayName: string
  /** `[{ value: created.userEmail }]` when lexoffice sent an email. */
  emails?: Array<{ value: string; type?: string }>
  /** Not sent by lexoffice; declared for passport's `Profile` shape. */
  username?: string
  /** Not sent by lexoffice; declared for passport's `Profile` shape. */
  name?: { familyName: string; givenName: string; middleName?: string }
  /** Not sent by lexoffice; declared for passport's `Profile` shape. */
  photos?: Array<{ value: string }>
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
 * Maps a `/v1/profile` body to a {@link LexofficeProfile}.
 *
 * @throws LexofficeApiError (`API_ERROR`) when `created.userId` is missing.
 * @example
 * ```ts
 * const profile = mapLexofficeProfile(JSON.parse(raw), raw)
 * ```
 */
export function mapLexofficeProfile(json: LexofficeProfileJson, raw: string): LexofficeProfile {
  const given: unknown = json.created
  const created: NonNullable<LexofficeProfileJson['created']> = given !== null && typeof given === 'object' ? given : {}
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

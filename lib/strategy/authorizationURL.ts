/** Parameters the strategy sets itself; an `authorizationParams()` override cannot replace them. */
const RESERVED = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'state',
  'code_challenge',
  'code_challenge_method',
  'scope',
  'response_mode',
])

/** Inputs of {@link buildAuthorizationURL}. @internal */
export interface AuthorizationURLParts {
  authorizationURL: string
  clientID: string
  redirectUri: string
  state: string
  /** The S256 challenge of this login's verifier. */
  codeChallenge: string
  /** Space-separated scope, or `undefined` to omit it (lexoffice then grants all scopes). */
  scope: string | undefined
  connectionName: string | undefined
  /** What `authorizationParams()` returned; only string values of non-reserved names are used. */
  extra: unknown
}

/**
 * The lexoffice authorization request (docs/lexoffice.md §2b): `response_type=code`,
 * `client_id`, `redirect_uri`, `state`, `code_challenge` with `code_challenge_method=S256`, and
 * `scope`/`connection_name` when set. Extra parameters from `authorizationParams()` are added
 * first, so they can never replace these.
 *
 * @internal
 */
export function buildAuthorizationURL(parts: AuthorizationURLParts): string {
  const url = new URL(parts.authorizationURL)
  if (parts.extra !== null && typeof parts.extra === 'object') {
    for (const [key, value] of Object.entries(parts.extra as Record<string, unknown>)) {
      if (!RESERVED.has(key) && typeof value === 'string') url.searchParams.set(key, value)
    }
  }
  if (parts.connectionName !== undefined && !url.searchParams.has('connection_name'))
    url.searchParams.set('connection_name', parts.connectionName)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', parts.clientID)
  url.searchParams.set('redirect_uri', parts.redirectUri)
  url.searchParams.set('state', parts.state)
  url.searchParams.set('code_challenge', parts.codeChallenge)
  url.searchParams.set('code_challenge_method', 'S256')
  if (parts.scope !== undefined) url.searchParams.set('scope', parts.scope)
  return url.href
}

import { assertUrl, invalidArg } from './options/assert'

/**
 * The lexoffice environments. `production` is lexoffice itself (`app.lexware.de`,
 * `api.lexware.io`); `sandbox` is lexoffice's partner sandbox (`app.lexware-sandbox.de`,
 * `api.lexware-sandbox.io`). Our own in-process sandbox is used by overriding the URLs
 * (see `createSandbox().endpoints`).
 */
export type LexofficeEnvironment = 'production' | 'sandbox'

/** Every URL the package talks to. All of them can be overridden. */
export interface LexofficeEndpoints {
  /** `GET` authorization endpoint, e.g. `https://app.lexware.de/oauth2/authorize`. */
  authorizationURL: string
  /** `POST` token endpoint, e.g. `https://app.lexware.de/oauth2/token`. */
  tokenURL: string
  /** `POST` RFC 7009 revocation endpoint, e.g. `https://app.lexware.de/oauth2/revoke`. */
  revokeURL: string
  /** API base without the `/v1` suffix, e.g. `https://api.lexware.io`. */
  apiURL: string
}

/**
 * The documented lexoffice endpoints per environment (docs/lexoffice.md §1, §2b).
 *
 * @example
 * ```ts
 * import { LEXOFFICE_ENDPOINTS } from 'passport-lexoffice'
 * console.log(LEXOFFICE_ENDPOINTS.sandbox.apiURL) // https://api.lexware-sandbox.io
 * ```
 */
export const LEXOFFICE_ENDPOINTS: Readonly<Record<LexofficeEnvironment, Readonly<LexofficeEndpoints>>> = Object.freeze({
  production: Object.freeze({
    authorizationURL: 'https://app.lexware.de/oauth2/authorize',
    tokenURL: 'https://app.lexware.de/oauth2/token',
    revokeURL: 'https://app.lexware.de/oauth2/revoke',
    apiURL: 'https://api.lexware.io',
  }),
  sandbox: Object.freeze({
    authorizationURL: 'https://app.lexware-sandbox.de/oauth2/authorize',
    tokenURL: 'https://app.lexware-sandbox.de/oauth2/token',
    revokeURL: 'https://app.lexware-sandbox.de/oauth2/revoke',
    apiURL: 'https://api.lexware-sandbox.io',
  }),
})

/** Endpoint options as users give them: an environment plus any overrides. */
export interface EndpointOptions extends Partial<LexofficeEndpoints> {
  /** Which lexoffice to talk to. Default `production`. */
  environment?: LexofficeEnvironment
}

/**
 * Resolves the environment and overrides into four checked URLs (https, or http on loopback).
 *
 * @example
 * ```ts
 * const urls = resolveEndpoints({ environment: 'sandbox' })
 * ```
 */
export function resolveEndpoints(options: EndpointOptions = {}): LexofficeEndpoints {
  const env: string = options.environment ?? 'production' // JavaScript callers pass any string
  if (env !== 'production' && env !== 'sandbox') {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"environment" must be "production" or "sandbox"')
  }
  const base = LEXOFFICE_ENDPOINTS[env]
  const resolved: LexofficeEndpoints = {
    authorizationURL: options.authorizationURL ?? base.authorizationURL,
    tokenURL: options.tokenURL ?? base.tokenURL,
    revokeURL: options.revokeURL ?? base.revokeURL,
    apiURL: (options.apiURL ?? base.apiURL).replace(/\/+$/, '').replace(/\/v1$/, ''),
  }
  for (const [name, value] of Object.entries(resolved)) assertUrl(value, name)
  return resolved
}

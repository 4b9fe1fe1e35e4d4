import { createHash, randomBytes } from 'node:crypto'

/**
 * PKCE (RFC 7636) and `state` helpers. lexoffice accepts only `S256` and so do we: there is
 * deliberately no `plain` variant (RFC 7636 §7.2 forbids downgrading).
 *
 * @packageDocumentation
 */

/**
 * Characters RFC 7636 §4.1 allows in a code verifier (`unreserved`), 43 to 128 of them.
 *
 * @example
 * ```ts
 * CODE_VERIFIER_PATTERN.test(generateCodeVerifier()) // true
 * ```
 */
export const CODE_VERIFIER_PATTERN = /^[A-Za-z0-9._~-]{43,128}$/

/**
 * A fresh PKCE code verifier: base64url of 32 CSPRNG bytes (256 bits, RFC 7636 §7.1), which
 * is always 43 characters from the unreserved set. Create one per authorization request.
 *
 * @example
 * ```ts
 * import { generateCodeVerifier, computeCodeChallenge } from 'passport-lexoffice'
 * const verifier = generateCodeVerifier()
 * const challenge = computeCodeChallenge(verifier) // send with code_challenge_method=S256
 * ```
 */
export function generateCodeVerifier(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * The `S256` code challenge of a verifier: `BASE64URL(SHA256(ASCII(verifier)))` without
 * padding (RFC 7636 §4.2), always 43 characters.
 *
 * @throws TypeError (`ERR_INVALID_ARG_VALUE`) when `verifier` is not 43-128 unreserved characters.
 * @example
 * ```ts
 * computeCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')
 * // => 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' (RFC 7636 Appendix B)
 * ```
 */
export function computeCodeChallenge(verifier: string): string {
  if (typeof verifier !== 'string' || !CODE_VERIFIER_PATTERN.test(verifier)) {
    const err = new TypeError('a PKCE code verifier must be 43 to 128 characters from [A-Za-z0-9._~-]') as TypeError & { code: string }
    err.code = 'ERR_INVALID_ARG_VALUE'
    throw err
  }
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

/**
 * A fresh, non-guessable `state` value: base64url of 32 CSPRNG bytes (256 bits; RFC 6749
 * §10.10 asks for at least 128).
 *
 * @example
 * ```ts
 * const state = generateState() // 43 characters
 * ```
 */
export function generateState(): string {
  return randomBytes(32).toString('base64url')
}

import { resolveEndpoints } from '../endpoints'
import { TokenCipher, type TokenCipherOptions } from '../tokens/crypto/TokenCipher'
import type { TokenManagerOAuthOptions } from '../tokens/resolveTokenManagerOptions'
import { UsageError } from './args'

/**
 * The command's configuration from the environment: client credentials (never from argv, which
 * every user of the machine can read with `ps`) and the store's encryption keys.
 *
 * @internal
 */

/**
 * `LEXOFFICE_CLIENT_ID`, `LEXOFFICE_CLIENT_SECRET`, `LEXOFFICE_ENV`, `LEXOFFICE_TOKEN_URL`,
 * `LEXOFFICE_REVOKE_URL` as TokenManager `oauth` options. Messages name variables, never values.
 * @throws UsageError when the credentials are missing or `LEXOFFICE_ENV` is unknown.
 * @example
 * ```ts
 * const manager = new TokenManager({ store, oauth: oauthFromEnv(process.env) })
 * ```
 * @internal
 */
export function oauthFromEnv(env: NodeJS.ProcessEnv): TokenManagerOAuthOptions {
  const clientID = env.LEXOFFICE_CLIENT_ID
  const clientSecret = env.LEXOFFICE_CLIENT_SECRET
  if (!clientID || !clientSecret)
    throw new UsageError('LEXOFFICE_CLIENT_ID and LEXOFFICE_CLIENT_SECRET must be set in the environment to refresh tokens')
  const environment = env.LEXOFFICE_ENV ?? 'production'
  if (environment !== 'production' && environment !== 'sandbox') throw new UsageError('LEXOFFICE_ENV must be "production" or "sandbox"')
  try {
    resolveEndpoints({
      environment,
      ...(env.LEXOFFICE_TOKEN_URL ? { tokenURL: env.LEXOFFICE_TOKEN_URL } : {}),
      ...(env.LEXOFFICE_REVOKE_URL ? { revokeURL: env.LEXOFFICE_REVOKE_URL } : {}),
    })
  } catch {
    throw new UsageError('LEXOFFICE_TOKEN_URL and LEXOFFICE_REVOKE_URL must be https URLs (http only on localhost/127.0.0.1)')
  }
  return {
    clientID,
    clientSecret,
    environment,
    ...(env.LEXOFFICE_TOKEN_URL ? { tokenURL: env.LEXOFFICE_TOKEN_URL } : {}),
    ...(env.LEXOFFICE_REVOKE_URL ? { revokeURL: env.LEXOFFICE_REVOKE_URL } : {}),
  }
}

/**
 * `LEXOFFICE_ENCRYPTION_KEYS="<keyId>:<base64 key>[,<keyId>:<base64 key>...]"` (the first key is
 * current) as a TokenCipher, or `undefined` when the variable is unset.
 * @throws UsageError for a malformed list or keys TokenCipher refuses (not 32 bytes, bad key id).
 * @example
 * ```ts
 * const encryption = encryptionFromEnv({ LEXOFFICE_ENCRYPTION_KEYS: '2026-01:' + key })
 * ```
 * @internal
 */
export function encryptionFromEnv(env: NodeJS.ProcessEnv, onDecryptError?: TokenCipherOptions['onDecryptError']): TokenCipher | undefined {
  const text = env.LEXOFFICE_ENCRYPTION_KEYS?.trim()
  if (!text) return undefined
  const keys: Record<string, string> = {}
  let currentKeyId: string | undefined
  for (const part of text.split(',')) {
    const i = part.indexOf(':')
    const id = part.slice(0, i).trim()
    const key = part.slice(i + 1).trim()
    if (i < 1 || key === '') throw new UsageError('LEXOFFICE_ENCRYPTION_KEYS must be "<keyId>:<base64 key>[,...]"')
    keys[id] = key
    currentKeyId ??= id
  }
  try {
    return new TokenCipher({ keys, currentKeyId: currentKeyId!, ...(onDecryptError ? { onDecryptError } : {}) })
  } catch (err) {
    // TokenCipher's messages name key ids and lengths, never key material.
    throw new UsageError(`LEXOFFICE_ENCRYPTION_KEYS is invalid: ${(err as Error).message}`)
  }
}

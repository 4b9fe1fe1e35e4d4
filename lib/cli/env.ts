import { resolveEndpoints } from '../endpoints'
import { encryptionKeysFromEnv } from '../tokens/crypto/encryptionKeysFromEnv'
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
 * current) as a TokenCipher, or `undefined` when the variable is unset; parsed by the same
 * `encryptionKeysFromEnv` the app uses.
 * @throws UsageError for a malformed list or keys TokenCipher refuses (not 32 bytes, bad key id).
 * @internal
 */
export function encryptionFromEnv(env: NodeJS.ProcessEnv, onDecryptError?: TokenCipherOptions['onDecryptError']): TokenCipher | undefined {
  let options: TokenCipherOptions | undefined
  try {
    options = encryptionKeysFromEnv(env)
  } catch (err) {
    // Its messages name the variable and key ids, never key material.
    throw new UsageError((err as Error).message)
  }
  return options && new TokenCipher({ ...options, ...(onDecryptError ? { onDecryptError } : {}) })
}

/**
 * The `encryption` rule of stores shared between processes (Redis, a session store, a database:
 * they hold every customer's refresh tokens, credentials to their books): the option is required,
 * either keys or an explicit `false` (docs/security.md §7). The one place every shared store uses.
 *
 * @internal
 */
import { invalidArg } from '../../options/assert'
import { TokenCipher } from '../crypto/TokenCipher'
import type { EncryptionOption } from './recordCodec'

/**
 * `encryption` of a shared store: a {@link TokenCipher} or its options (`{ keys, currentKeyId }`),
 * or `false` to store records as plain JSON (say so explicitly).
 *
 * @example
 * ```ts
 * const encryption: SharedStoreEncryption = { keys: { k1: process.env.TOKEN_KEY! }, currentKeyId: 'k1' }
 * ```
 */
export type SharedStoreEncryption = EncryptionOption | false

/**
 * The cipher of a shared store; `undefined` for `encryption: false`.
 * @throws TypeError when `encryption` is left out, or the keys are invalid.
 * @internal
 */
export function resolveSharedStoreCipher(encryption: unknown, store: string): TokenCipher | undefined {
  if (encryption === false) return undefined
  if (encryption === undefined)
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      `${store} needs the "encryption" option: tokens in a shared store are encrypted at rest. ` +
        `Pass encryption: encryptionKeysFromEnv() and set LEXOFFICE_ENCRYPTION_KEYS="<keyId>:<32 random bytes, base64>[,...]" ` +
        `(e.g. "k1:" followed by the output of "openssl rand -base64 32"; the first key encrypts, all decrypt), ` +
        `or pass encryption: false to store tokens as plaintext.`,
    )
  return TokenCipher.from(encryption as EncryptionOption)
}

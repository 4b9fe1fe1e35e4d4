/**
 * The `encryption` rule of stores shared between processes (a database holds every customer's
 * refresh tokens): the option is required, either keys or an explicit `false`.
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
 * @example
 * ```ts
 * const cipher = resolveSharedStoreCipher(options.encryption, 'PostgresTokenStore')
 * ```
 * @internal
 */
export function resolveSharedStoreCipher(encryption: unknown, store: string): TokenCipher | undefined {
  if (encryption === false) return undefined
  if (encryption === undefined)
    throw invalidArg(
      'ERR_INVALID_ARG_TYPE',
      `${store}: "encryption" is required: give keys ({ keys, currentKeyId }, e.g. from LEXOFFICE_ENCRYPTION_KEYS="<keyId>:<base64 key>[,...]") or opt out with encryption: false`,
    )
  return TokenCipher.from(encryption as EncryptionOption)
}

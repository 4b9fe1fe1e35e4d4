import { invalidArg } from '../../options/assert'
import { TokenCipher, type TokenCipherOptions } from './TokenCipher'

/** The environment variable that holds the token encryption keys. */
export const ENCRYPTION_KEYS_ENV = 'LEXOFFICE_ENCRYPTION_KEYS'

/**
 * The token encryption keys from `LEXOFFICE_ENCRYPTION_KEYS`, as the `encryption` option of the
 * token stores: `"<keyId>:<base64 key>[,<keyId>:<base64 key>...]"`, each key 32 random bytes
 * (`openssl rand -base64 32`), key ids of `A-Z a-z 0-9 _ -`. The **first** key encrypts new
 * writes; all of them decrypt, so a rotation is: put the new key first and keep the old one behind
 * it until every record was rewritten (each refresh rewrites its record).
 *
 * The same variable is read by the `passport-lexoffice` command, so the app and the cron job
 * share one configuration.
 *
 * @param env - Where to read it from. Default `process.env`.
 * @returns The keys and the current key id, or `undefined` when the variable is unset or blank.
 * @throws TypeError (`ERR_INVALID_ARG_VALUE`) for a malformed list, a duplicate key id or a key
 *   that is not 32 bytes. The message names the variable and key ids, never key material.
 * @example
 * ```ts
 * import { encryptionKeysFromEnv } from 'passport-lexoffice'
 * import { RedisTokenStore } from 'passport-lexoffice/redis'
 *
 * // LEXOFFICE_ENCRYPTION_KEYS="2026-11:<base64 key>,2026-05:<older base64 key>"
 * const encryption = encryptionKeysFromEnv()
 * if (!encryption) throw new Error('set LEXOFFICE_ENCRYPTION_KEYS')
 * const store = new RedisTokenStore({ client: redis, encryption })
 * ```
 */
export function encryptionKeysFromEnv(env: NodeJS.ProcessEnv = process.env): TokenCipherOptions | undefined {
  const text = env[ENCRYPTION_KEYS_ENV]?.trim()
  if (!text) return undefined
  const keys: Record<string, string> = {}
  let currentKeyId: string | undefined
  for (const part of text.split(',')) {
    const i = part.indexOf(':')
    const id = part.slice(0, i).trim()
    const key = part.slice(i + 1).trim()
    if (i < 1 || key === '')
      throw invalidArg('ERR_INVALID_ARG_VALUE', `${ENCRYPTION_KEYS_ENV} must be "<keyId>:<base64 key>[,<keyId>:<base64 key>...]"`)
    if (Object.hasOwn(keys, id)) throw invalidArg('ERR_INVALID_ARG_VALUE', `${ENCRYPTION_KEYS_ENV} names the key id "${id}" twice`)
    keys[id] = key
    currentKeyId ??= id
  }
  if (currentKeyId === undefined) throw invalidArg('ERR_INVALID_ARG_VALUE', `${ENCRYPTION_KEYS_ENV} names no key`)
  const options = { keys, currentKeyId }
  try {
    new TokenCipher(options)
  } catch (err) {
    // TokenCipher's messages name key ids and lengths, never key material.
    throw invalidArg('ERR_INVALID_ARG_VALUE', `${ENCRYPTION_KEYS_ENV} is invalid: ${(err as Error).message}`)
  }
  return options
}

import { invalidArg } from '../options/assert'
import { TokenCipher } from '../tokens/crypto/TokenCipher'
import type { LexofficeEncryptionOption } from './LexofficeOptions'

/**
 * Reads `"<keyId>:<base64 key>[,<keyId>:<base64 key>...]"` (the format of
 * `LEXOFFICE_ENCRYPTION_KEYS`; the first key encrypts, all decrypt) and checks the keys the way
 * the stores will. Messages name the variable, key ids and lengths, never key material.
 *
 * @internal
 */
export function parseEncryptionKeys(text: string, name: string): LexofficeEncryptionOption {
  const keys: Record<string, string> = {}
  let currentKeyId: string | undefined
  for (const part of text.split(',')) {
    const i = part.indexOf(':')
    const id = part.slice(0, i).trim()
    const key = part.slice(i + 1).trim()
    if (i < 1 || key === '') throw invalidArg('ERR_INVALID_ARG_VALUE', `${name} must be "<keyId>:<base64 key>[,<keyId>:<base64 key>...]"`)
    if (id in keys) throw invalidArg('ERR_INVALID_ARG_VALUE', `${name} names key id "${id}" twice`)
    keys[id] = key
    currentKeyId ??= id
  }
  const option: LexofficeEncryptionOption = { keys, currentKeyId: currentKeyId as string }
  try {
    new TokenCipher(option)
  } catch (err) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', `${name} is invalid: ${(err as Error).message}`)
  }
  return option
}

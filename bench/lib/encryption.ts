import { randomBytes } from 'node:crypto'
import { type TokenCipherOptions, encryptionKeysFromEnv } from '../../lib'

/**
 * The token encryption every bench store uses, as in production (RedisTokenStore requires it):
 * LEXOFFICE_ENCRYPTION_KEYS if set, else a key generated once per run and put into the
 * environment, which the children `forkTs` starts inherit, so that every process of a run shares it.
 */
export function benchEncryption(): TokenCipherOptions {
  process.env.LEXOFFICE_ENCRYPTION_KEYS ??= `bench:${randomBytes(32).toString('base64')}`
  return encryptionKeysFromEnv()!
}

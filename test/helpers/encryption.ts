import { randomBytes } from 'node:crypto'
import type { TokenCipherOptions } from '../../lib/tokens/crypto/TokenCipher'
import { encryptionKeysFromEnv } from '../../lib/tokens/crypto/encryptionKeysFromEnv'

/**
 * Token encryption for tests of the shared stores, which require it (as in production): the keys
 * of this test file in `LEXOFFICE_ENCRYPTION_KEYS` form, for child processes (put it into their
 * environment) and the CLI.
 */
export const TEST_ENCRYPTION_KEYS = `test:${randomBytes(32).toString('base64')}`

/**
 * The same keys as a store's `encryption` option.
 *
 * @example
 * ```ts
 * const store = new RedisTokenStore({ client, prefix, encryption: TEST_ENCRYPTION })
 * ```
 */
export const TEST_ENCRYPTION: TokenCipherOptions = encryptionKeysFromEnv({ LEXOFFICE_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS })!

/**
 * The example app's settings from the environment: the pending-login TTL and the token keys.
 */
import { randomBytes } from 'node:crypto'
import { readConfig } from '../../example-app/src/config'

test('PENDING_LOGIN_TTL_SECONDS sets the strategy pendingLoginTtlMs (default 10 minutes); nonsense is refused', () => {
  expect(readConfig({}).pendingLoginTtlMs).toBe(600_000)
  expect(readConfig({ PENDING_LOGIN_TTL_SECONDS: '90' }).pendingLoginTtlMs).toBe(90_000)
  for (const bad of ['0', '3601', '1.5', 'ten', '']) {
    expect(() => readConfig({ PENDING_LOGIN_TTL_SECONDS: bad })).toThrow(/PENDING_LOGIN_TTL_SECONDS/)
  }
})

test('LEXOFFICE_ENCRYPTION_KEYS gives the token keys; without it a key is generated (and flagged for the log line)', () => {
  const key = randomBytes(32).toString('base64')
  const given = readConfig({ LEXOFFICE_ENCRYPTION_KEYS: `2026-11:${key}` })
  expect(given.encryption).toEqual({ keys: { '2026-11': key }, currentKeyId: '2026-11' })
  expect(given.encryptionKeyGenerated).toBe(false)
  const generated = readConfig({})
  expect(generated.encryptionKeyGenerated).toBe(true)
  expect(generated.encryption.currentKeyId).toBe('generated')
  expect(() => readConfig({ LEXOFFICE_ENCRYPTION_KEYS: 'k1:short' })).toThrow(/LEXOFFICE_ENCRYPTION_KEYS is invalid/)
})

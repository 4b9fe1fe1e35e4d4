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

test('LEXOFFICE_ENCRYPTION_KEYS gives the token keys of a shared store; on the sandbox without it a key is generated (and flagged for the log line)', () => {
  const key = randomBytes(32).toString('base64')
  const given = readConfig({ REDIS_URL: 'redis://127.0.0.1:6379', LEXOFFICE_ENCRYPTION_KEYS: `2026-11:${key}` })
  expect(given.env.LEXOFFICE_ENCRYPTION_KEYS).toBe(`2026-11:${key}`)
  expect(given.encryptionKeyGenerated).toBe(false)
  for (const shared of [{ REDIS_URL: 'redis://127.0.0.1:6379' }, { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }]) {
    const generated = readConfig(shared)
    expect(generated.encryptionKeyGenerated).toBe(true)
    expect(generated.env.LEXOFFICE_ENCRYPTION_KEYS).toMatch(/^demo:/)
  }
  expect(readConfig({}).encryptionKeyGenerated).toBe(false) // tokens in memory
  expect(() => readConfig({ REDIS_URL: 'redis://x', LEXOFFICE_CLIENT_ID: 'real' })).toThrow(/LEXOFFICE_ENCRYPTION_KEYS/)
})

test('REDIS_URL or DATABASE_URL, not both; DATABASE_SCHEMA is a plain identifier', () => {
  expect(() => readConfig({ REDIS_URL: 'redis://x', DATABASE_URL: 'postgres://x' })).toThrow(/not both/)
  expect(readConfig({ DATABASE_URL: 'postgres://x' }).databaseSchema).toBe('public')
  expect(() => readConfig({ DATABASE_URL: 'postgres://x', DATABASE_SCHEMA: 'a; drop' })).toThrow(/DATABASE_SCHEMA/)
})

/**
 * Attacks on the token answer: what a broken proxy, a misconfigured sandbox or a changed token
 * endpoint can send back for a code exchange or a refresh. The sandbox processes the grant and
 * then alters its answer (`alter` fault), so rotation happens exactly as at lexoffice.
 */
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { MAX_TOKEN_LIFETIME_SECONDS } from '../../lib/oauth/LexofficeOAuthClient'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import type { TokenRecord } from '../../lib/tokens/TokenSet'
import { connectViaSandbox, expiring, oauthClientFor } from '../helpers/connect'
import { useSecretScan } from './helpers/secretScan'

const DAY_MS = MAX_TOKEN_LIFETIME_SECONDS * 1000
const scan = useSecretScan()
let sb: Sandbox
let store: MemoryTokenStore
let manager: TokenManager

beforeEach(async () => {
  sb = await createSandbox({ autoApprove: true })
  scan.secrets(() => sb.knownSecrets())
  store = new MemoryTokenStore()
  manager = new TokenManager({ store, oauth: oauthClientFor(sb), apiURL: sb.endpoints.apiURL, retry: { attempts: 1 } })
  manager.on('refreshFailed', (event) => console.warn('refresh failed', event))
  manager.on('authLost', (event) => console.warn('connection lost', event))
})
afterEach(() => sb.close())

/** What a caller sees of a failure: the error, recorded for the secrets scan. */
async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(Error)
  scan.record('error', JSON.stringify(err))
  console.error('failed:', err)
  return err as Record<string, unknown>
}

describe('an answer without refresh_token', () => {
  test('to the code exchange: refused at the OAuth client with TOKEN_RESPONSE_INVALID (502), never a TypeError', async () => {
    sb.failNextTokenCalls([{ kind: 'alter', omit: ['refresh_token'] }])
    const err = await failure(connectViaSandbox(sb))
    expect(err).toMatchObject({ name: 'LexofficeOAuthError', code: 'TOKEN_RESPONSE_INVALID', status: 502 })
    expect(err.message).toMatch(/refresh_token/)
  })

  test('to a refresh: the old refresh token is kept (RFC 6749 §6) and the new access token used', async () => {
    const first = await connectViaSandbox(sb)
    await manager.connect('user-1', expiring(first, -1000))
    sb.failNextTokenCalls([{ kind: 'alter', omit: ['refresh_token'] }])
    const access = await manager.getAccessToken('user-1')
    expect(access).not.toBe(first.access_token)
    const record = (await store.get('user-1')) as TokenRecord
    expect(record.tokens).toMatchObject({ accessToken: access, refreshToken: first.refresh_token })
    // lexoffice rotates on every refresh: the kept token was used up, so the next refresh is a reuse.
    // The connection ends cleanly (AUTH_LOST), exactly like a refresh whose answer never arrived.
    await manager.connect('user-1', { ...first, access_token: access, expiresAt: Date.now() - 1000 })
    const lost = await failure(manager.getAccessToken('user-1'))
    expect(lost).toMatchObject({ code: 'AUTH_LOST' })
  })
})

describe('expires_in without an upper bound', () => {
  test.each([
    ['1e10 (the year 2343)', 1e10],
    ['1e308 (Infinity in ms)', 1e308],
    ['172800 (two days)', 172_800],
  ])('%s at the code exchange is clamped to one day', async (_what, expiresIn) => {
    sb.failNextTokenCalls([{ kind: 'alter', set: { expires_in: expiresIn } }])
    const before = Date.now()
    const tokens = await connectViaSandbox(sb)
    expect(tokens.expires_in).toBe(MAX_TOKEN_LIFETIME_SECONDS)
    expect(tokens.expiresAt).toBeGreaterThanOrEqual(before + DAY_MS)
    expect(tokens.expiresAt).toBeLessThanOrEqual(Date.now() + DAY_MS)
  })

  test('1e308 never becomes an infinite expiry: three reads, no refresh', async () => {
    sb.failNextTokenCalls([{ kind: 'alter', set: { expires_in: 1e308 } }])
    await manager.connect('user-1', await connectViaSandbox(sb))
    for (let i = 0; i < 3; i++) await manager.getAccessToken('user-1')
    expect(sb.tokenCalls('refresh_token')).toBe(0)
    const expiresAt = (await store.get('user-1'))?.tokens?.expiresAt
    expect(Number.isFinite(expiresAt)).toBe(true)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + DAY_MS)
  })

  test('a refresh answer with a huge expires_in is clamped too', async () => {
    await manager.connect('user-1', expiring(await connectViaSandbox(sb), -1000))
    sb.failNextTokenCalls([{ kind: 'alter', set: { expires_in: 1e12 } }])
    await manager.getAccessToken('user-1')
    expect((await store.get('user-1'))?.tokens?.expiresAt).toBeLessThanOrEqual(Date.now() + DAY_MS)
  })

  test('Infinity itself (1e999 in the JSON) is refused as invalid', async () => {
    sb.failNextTokenCalls([{ kind: 'alter', set: { expires_in: Infinity } }])
    expect(await failure(connectViaSandbox(sb))).toMatchObject({ code: 'TOKEN_RESPONSE_INVALID' })
  })

  test('params handed to connect() by the app are clamped as well', async () => {
    const tokens = await connectViaSandbox(sb)
    await manager.connect('user-1', { ...tokens, expiresAt: 8_000_000_000_000_000 })
    expect((await store.get('user-1'))?.tokens?.expiresAt).toBeLessThanOrEqual(Date.now() + DAY_MS)
    await manager.connect('user-2', { ...tokens, expiresAt: Number.NaN, expires_in: Infinity })
    expect(Number.isFinite((await store.get('user-2'))?.tokens?.expiresAt)).toBe(true)
  })

  test.each([Infinity, -Infinity, Number.NaN])('a store refuses to write an active record with expiresAt %p', async (expiresAt) => {
    const tokens = { accessToken: 'a'.repeat(20), refreshToken: 'r'.repeat(20), expiresAt, obtainedAt: Date.now() }
    const record: TokenRecord = { version: 1, state: 'active', tokens, refreshCount: 0, connectedAt: Date.now() }
    await expect(store.set('user-1', record, 0)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    expect(await store.get('user-1')).toBeUndefined()
  })
})

/**
 * Tokens at rest: what someone who can read (or write) Redis gets. Shared stores refuse to start
 * without a decision about encryption, the example app's Redis holds no token in any key, keys
 * rotate without losing a connection, and a tampered record is refused, not served from memory.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type Redis from 'ioredis'
import session from 'express-session'
import { GENERATED_KEY_NOTICE, readConfig } from '../../example-app/src/config'
import { type StartedExample, startExample } from '../../example-app/src/startExample'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import type { DecryptErrorEvent } from '../../lib/tokens/crypto/TokenCipher'
import { encryptionKeysFromEnv } from '../../lib/tokens/crypto/encryptionKeysFromEnv'
import { ExpressSessionTokenStore } from '../../lib/tokens/stores/ExpressSessionTokenStore'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { RedisTokenStore } from '../../lib/redis/RedisTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import { connectRedis, deletePrefix } from '../client/helpers/redis'
import { REDIS_URL } from '../e2e/helpers'
import { signedInAgent, unpaced } from '../exampleApp/helpers'
import { connectViaSandbox, expiring, oauthClientFor } from '../helpers/connect'
import { useSecretScan } from './helpers/secretScan'
import { thrown } from './helpers/thrown'

const prefix = `lexoffice-security-rest-${randomUUID()}:`
const key = (): string => randomBytes(32).toString('base64')
const scan = useSecretScan()
let sandbox: Sandbox
let redis: Redis

beforeAll(async () => {
  sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: false } })
  redis = await connectRedis()
  scan.secrets(() => sandbox.knownSecrets())
})
afterAll(async () => {
  await deletePrefix(redis, prefix)
  redis.disconnect()
  await sandbox.close()
})

/** Every value stored under `under`, whatever its Redis type. */
async function everything(under: string): Promise<string> {
  const out: string[] = []
  for (const k of await redis.keys(`${under}*`)) {
    const type = await redis.type(k)
    if (type === 'string') out.push((await redis.get(k)) ?? '')
    else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(k)))
    else if (type === 'list') out.push(...(await redis.lrange(k, 0, -1)))
    else if (type === 'zset') out.push(...(await redis.zrange(k, '0', '-1')))
  }
  return out.join('\n')
}

describe('a shared store needs a decision about encryption', () => {
  test.each([
    ['RedisTokenStore', () => new RedisTokenStore({ client: redis } as never)],
    ['ExpressSessionTokenStore', () => new ExpressSessionTokenStore({ store: new session.MemoryStore() } as never)],
  ])('%s without "encryption" throws a TypeError that says how to give keys or opt out', (name, make) => {
    expect(thrown(make)).toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
      message: expect.stringMatching(
        new RegExp(`^${name} needs the "encryption" option.*LEXOFFICE_ENCRYPTION_KEYS.*encryption: false`),
      ) as unknown,
    })
  })

  test('encryption: false is an explicit opt-out; the in-process MemoryTokenStore stays plaintext by default', () => {
    expect(() => new RedisTokenStore({ client: redis, encryption: false })).not.toThrow()
    expect(() => new ExpressSessionTokenStore({ store: new session.MemoryStore(), encryption: false })).not.toThrow()
    expect(() => new MemoryTokenStore()).not.toThrow()
  })

  test('LEXOFFICE_ENCRYPTION_KEYS: the first key is current; a bad value names the variable, never the key', () => {
    const [k1, k2] = [key(), key()]
    expect(encryptionKeysFromEnv({})).toBeUndefined()
    expect(encryptionKeysFromEnv({ LEXOFFICE_ENCRYPTION_KEYS: ` 2026-11:${k2} , 2026-05:${k1} ` })).toEqual({
      keys: { '2026-11': k2, '2026-05': k1 },
      currentKeyId: '2026-11',
    })
    const short = randomBytes(16).toString('base64')
    for (const value of [k1, `k1:${short}`, `k1:${k1},k1:${k2}`, 'k1:']) {
      const err = thrown(() => encryptionKeysFromEnv({ LEXOFFICE_ENCRYPTION_KEYS: value }))
      expect(err).toMatchObject({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_VALUE',
        message: expect.stringContaining('LEXOFFICE_ENCRYPTION_KEYS') as unknown,
      })
      expect((err as Error).message).not.toContain(short)
      expect((err as Error).message).not.toContain(k1)
    }
  })
})

describe('the example app in Redis mode', () => {
  let app: StartedExample
  const SESSION_SECRET = randomBytes(32).toString('base64url')
  const KEYS = `k1:${key()}`
  afterEach(() => app.close())

  test('no access or refresh token in any Redis key (sessions, tokens, events, claims); the record is an envelope of the configured key', async () => {
    const appPrefix = `${prefix}app:`
    app = await startExample(
      readConfig({ PORT: '0', REDIS_URL, REDIS_PREFIX: appPrefix, SESSION_SECRET, LEXOFFICE_ENCRYPTION_KEYS: KEYS }),
      unpaced(sandbox),
    )
    scan.watch(app.server).secrets(SESSION_SECRET, KEYS.slice(3))
    await signedInAgent(app)
    const stored = await everything(appPrefix)
    expect(stored).toContain('"connectionId"') // the session: a connection id, no token
    const record = (await redis.keys(`${appPrefix}lexoffice:token:*`)).at(0) ?? ''
    expect((await redis.hget(record, 'd'))?.startsWith('v1.k1.')).toBe(true)
    const tokens = sandbox.knownSecrets().filter((s) => s.length >= 43)
    expect(tokens.length).toBeGreaterThan(1)
    for (const token of tokens) expect(stored).not.toContain(token)
    expect(scan.recorded.some((r) => r.text.includes('LEXOFFICE_ENCRYPTION_KEYS is not set'))).toBe(false)
  })

  test('without LEXOFFICE_ENCRYPTION_KEYS the demo encrypts with a generated key (main.ts says so at start-up)', async () => {
    const appPrefix = `${prefix}generated:`
    const config = readConfig({ PORT: '0', REDIS_URL, REDIS_PREFIX: appPrefix })
    expect(config.encryptionKeyGenerated).toBe(true)
    expect(GENERATED_KEY_NOTICE).toContain('LEXOFFICE_ENCRYPTION_KEYS is not set')
    app = await startExample(config, unpaced(sandbox))
    scan.watch(app.server)
    await signedInAgent(app)
    const record = (await redis.keys(`${appPrefix}lexoffice:token:*`)).at(0) ?? ''
    expect((await redis.hget(record, 'd'))?.startsWith('v1.demo.')).toBe(true)
  })
})

describe('key rotation, through the one refresh path', () => {
  test('old records stay readable after a new key becomes current; a refresh rewrites them with it; the retired key reads nothing', async () => {
    const [k1, k2] = [key(), key()]
    const storePrefix = `${prefix}rotation:`
    const decryptErrors: DecryptErrorEvent[] = []
    const storeWith = (keys: Record<string, string>, currentKeyId: string): RedisTokenStore =>
      new RedisTokenStore({
        client: redis,
        prefix: storePrefix,
        encryption: { keys, currentKeyId, onDecryptError: (e) => decryptErrors.push(e) },
      })
    const managerOn = (store: RedisTokenStore): TokenManager =>
      new TokenManager({ store, oauth: oauthClientFor(sandbox), apiURL: sandbox.endpoints.apiURL })

    const before = managerOn(storeWith({ k1 }, 'k1'))
    await before.connect('user-1', expiring(await connectViaSandbox(sandbox), -1000))
    expect(await redis.hget(`${storePrefix}token:user-1`, 'd')).toMatch(/^v1\.k1\./)

    // Step 1 of the rotation: k2 current, k1 still listed. The due record is read with k1, refreshed, written with k2.
    const rotated = managerOn(storeWith({ k2, k1 }, 'k2'))
    const refreshesBefore = sandbox.tokenCalls('refresh_token')
    await rotated.getAccessToken('user-1')
    expect(sandbox.tokenCalls('refresh_token')).toBe(refreshesBefore + 1)
    expect(await redis.hget(`${storePrefix}token:user-1`, 'd')).toMatch(/^v1\.k2\./)

    // Step 2: k1 removed. Every instance still reads the connection; one that only knows k1 reads nothing.
    expect((await storeWith({ k2 }, 'k2').get('user-1'))?.state).toBe('active')
    expect(await storeWith({ k1 }, 'k1').get('user-1')).toBeUndefined()
    expect(decryptErrors).toEqual([{ key: 'user-1', reason: 'unknown_key', keyId: 'k2' }])
  })

  test('a record changed in Redis after it was read is opened and checked again, never served from memory', async () => {
    const storePrefix = `${prefix}tamper:`
    const decryptErrors: DecryptErrorEvent[] = []
    const store = new RedisTokenStore({
      client: redis,
      prefix: storePrefix,
      encryption: { keys: { k1: key() }, currentKeyId: 'k1', onDecryptError: (e) => decryptErrors.push(e) },
    })
    const manager = new TokenManager({ store, oauth: oauthClientFor(sandbox), apiURL: sandbox.endpoints.apiURL })
    await manager.connect('user-1', await connectViaSandbox(sandbox))
    expect((await store.get('user-1'))?.state).toBe('active')
    const envelope = (await redis.hget(`${storePrefix}token:user-1`, 'd')) ?? ''
    const body = envelope.split('.').at(3) ?? ''
    const flipped = `${envelope.slice(0, -body.length)}${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`
    await redis.hset(`${storePrefix}token:user-1`, 'd', flipped)
    expect(await store.get('user-1')).toBeUndefined()
    expect(decryptErrors).toEqual([{ key: 'user-1', reason: 'authentication_failed', keyId: 'k1' }])
  })
})

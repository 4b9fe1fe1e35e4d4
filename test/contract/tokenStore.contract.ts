/**
 * The contract every TokenStore must meet, run against each implementation (Memory,
 * ExpressSession, Redis via node-redis and via ioredis), with encryption off and on.
 */
import { randomBytes } from 'node:crypto'
import { TokenCipher, type DecryptErrorEvent } from '../../lib/tokens/crypto/TokenCipher'
import type { TokenStore } from '../../lib/tokens/TokenStore'
import type { TokenRecord, TokenSet } from '../../lib/tokens/TokenSet'

/** How the contract gets a store. */
export interface MakeStoreOptions {
  /** Encrypt records with this cipher. */
  encryption?: TokenCipher
  /** Return a store over the SAME data as this one (another "instance" of the app), instead of a fresh, empty one. */
  sameDataAs?: TokenStore
}

/** Creates a store; without `sameDataAs` it must be empty and isolated from every other store made before. */
export type MakeStore = (options: MakeStoreOptions) => TokenStore | Promise<TokenStore>

/** Extra abilities of a backend, used by the tests that need them. */
export interface ContractExtras {
  /** The raw stored bytes of a record as text (to prove encryption at rest), if the backend can show them. */
  readRaw?: (store: TokenStore, key: string) => Promise<string | undefined>
}

let counter = 0
/** A token set whose tokens are unique and easy to find in raw data. */
export function makeTokens(overrides: Partial<TokenSet> = {}): TokenSet {
  counter += 1
  const id = `${counter}-${randomBytes(6).toString('hex')}`
  return {
    accessToken: `AT-secret-${id}`,
    refreshToken: `RT-secret-${id}`,
    expiresAt: Date.now() + 4 * 3600_000,
    scope: 'contacts.read profile.read',
    organizationId: 'org-1',
    connectionId: 'conn-1',
    obtainedAt: Date.now(),
    ...overrides,
  }
}

/** An active record at `version`. */
export function makeRecord(version: number, tokens: TokenSet = makeTokens(), extra: Partial<TokenRecord> = {}): TokenRecord {
  return { version, state: 'active', tokens, refreshCount: version - 1, connectedAt: 1_700_000_000_000, ...extra }
}

function key(): string {
  return `user-${randomBytes(5).toString('hex')}`
}

function newCipher(keys: Record<string, Buffer>, currentKeyId: string, events?: DecryptErrorEvent[]): TokenCipher {
  return new TokenCipher({ keys, currentKeyId, ...(events ? { onDecryptError: (e: DecryptErrorEvent) => void events.push(e) } : {}) })
}

/**
 * Registers the contract tests for one store implementation.
 *
 * @example
 * ```ts
 * describeTokenStore('MemoryTokenStore', ({ encryption, sameDataAs }) =>
 *   new MemoryTokenStore({ ...(encryption ? { encryption } : {}), ...(sameDataAs ? { shareWith: sameDataAs as MemoryTokenStore } : {}) }))
 * ```
 */
export function describeTokenStore(name: string, makeStore: MakeStore, cleanup?: () => Promise<void>, extras: ContractExtras = {}): void {
  const k1 = randomBytes(32)
  const k2 = randomBytes(32)

  describe(`${name} (TokenStore contract)`, () => {
    if (cleanup) afterAll(cleanup)

    for (const encrypted of [false, true]) {
      describe(encrypted ? 'encrypted at rest' : 'plain', () => {
        const open = (): Promise<TokenStore> => Promise.resolve(makeStore(encrypted ? { encryption: newCipher({ k1 }, 'k1') } : {}))

        test('get of a missing key resolves undefined', async () => {
          const store = await open()
          await expect(store.get(key())).resolves.toBeUndefined()
        })

        test('set with expectedVersion 0, then get: equal content; neither what was written nor what was read can change the store', async () => {
          const store = await open()
          const k = key()
          const record = makeRecord(1, makeTokens(), { lastError: { code: 'TIMEOUT', at: 5 }, lastRefreshAt: 7 })
          await expect(store.set(k, record, 0)).resolves.toBe(true)
          const read = await store.get(k)
          expect(read).toEqual(record)
          expect(read).not.toBe(record)
          // Mutating what we wrote or what we read must not change what is stored: a read is a
          // fresh copy, or deeply frozen (then the assignment throws in strict mode).
          record.tokens!.refreshToken = 'mutated-after-write'
          let readOnly = false
          try {
            read!.tokens!.accessToken = 'mutated-after-read'
          } catch (err) {
            expect(err).toBeInstanceOf(TypeError)
            readOnly = true
          }
          const again = await store.get(k)
          expect(again!.tokens!.refreshToken).not.toBe('mutated-after-write')
          expect(again!.tokens!.accessToken).not.toBe('mutated-after-read')
          if (again === read) expect(readOnly && Object.isFrozen(again) && Object.isFrozen(again!.tokens)).toBe(true)
        })

        test('set resolves false when the expected version does not match (missing record, or existing record with 0)', async () => {
          const store = await open()
          const k = key()
          await expect(store.set(k, makeRecord(2), 1)).resolves.toBe(false)
          await expect(store.get(k)).resolves.toBeUndefined()
          const first = makeRecord(1)
          await expect(store.set(k, first, 0)).resolves.toBe(true)
          await expect(store.set(k, makeRecord(1), 0)).resolves.toBe(false)
          await expect(store.get(k)).resolves.toEqual(first)
        })

        test('set throws TypeError when record.version is not expectedVersion + 1', async () => {
          const store = await open()
          await expect(store.set(key(), makeRecord(3), 0)).rejects.toThrow(TypeError)
        })

        test('rollback: a stale write of an old read loses, the rotated refresh token survives', async () => {
          const store = await open()
          const k = key()
          await store.set(k, makeRecord(1, makeTokens({ refreshToken: 'RT-original' })), 0)
          // Two requests read version 1.
          const readA = (await store.get(k))!
          const readB = (await store.get(k))!
          expect(readA.version).toBe(1)
          expect(readB.version).toBe(1)
          // A refreshed: lexoffice rotated the refresh token; A persists version 2.
          const rotated = makeTokens({ refreshToken: 'RT-rotated-by-A' })
          await expect(store.set(k, { ...readA, version: 2, tokens: rotated, refreshCount: 1 }, 1)).resolves.toBe(true)
          // B ends later and writes back its stale view (old refresh token) as version 2.
          await expect(store.set(k, { ...readB, version: 2, lastError: { code: 'X', at: 1 } }, 1)).resolves.toBe(false)
          const stored = (await store.get(k))!
          expect(stored.version).toBe(2)
          expect(stored.tokens!.refreshToken).toBe('RT-rotated-by-A')
          expect(stored.lastError).toBeUndefined()
        })

        test('20 parallel compare-and-set writers on the same version: exactly one wins, and its record is stored', async () => {
          const store = await open()
          const k = key()
          await store.set(k, makeRecord(1), 0)
          const candidates = Array.from({ length: 20 }, () => makeRecord(2, makeTokens()))
          const results = await Promise.all(candidates.map((r) => store.set(k, r, 1)))
          expect(results.filter(Boolean)).toHaveLength(1)
          const winner = candidates[results.indexOf(true)]
          await expect(store.get(k)).resolves.toEqual(winner)
        })

        test('a tombstone (state lost) is stored, listed, and never due', async () => {
          const store = await open()
          const k = key()
          await store.set(k, makeRecord(1, makeTokens({ expiresAt: Date.now() - 1000 })), 0)
          expect(await store.listDue!(Date.now())).toContain(k)
          const tomb: TokenRecord = {
            version: 2,
            state: 'lost',
            lost: { reason: 'invalid_grant', at: 123 },
            refreshCount: 0,
            connectedAt: 1,
          }
          await expect(store.set(k, tomb, 1)).resolves.toBe(true)
          await expect(store.get(k)).resolves.toEqual(tomb)
          expect(await store.listDue!(Date.now() + 10 * 3600_000)).not.toContain(k)
          expect(await store.list!()).toContain(k)
          // Reconnecting over a tombstone is a normal compare-and-set write.
          await expect(store.set(k, makeRecord(3), 2)).resolves.toBe(true)
          expect((await store.get(k))!.state).toBe('active')
        })

        test('destroy removes the record (and its due entry); destroying a missing key is fine; the key can be reused from 0', async () => {
          const store = await open()
          const k = key()
          await store.set(k, makeRecord(1, makeTokens({ expiresAt: Date.now() - 1 })), 0)
          await store.destroy(k)
          await expect(store.get(k)).resolves.toBeUndefined()
          expect(await store.listDue!(Number.MAX_SAFE_INTEGER)).not.toContain(k)
          expect(await store.list!()).not.toContain(k)
          await expect(store.destroy(k)).resolves.toBeUndefined()
          await expect(store.set(k, makeRecord(1), 0)).resolves.toBe(true)
        })

        test('listDue: only active records expiring before the bound, soonest first; follows updates', async () => {
          const store = await open()
          const t = Date.now() + 3600_000
          const [a, b, c, d] = [key(), key(), key(), key()]
          await store.set(a, makeRecord(1, makeTokens({ expiresAt: t + 3000 })), 0)
          await store.set(b, makeRecord(1, makeTokens({ expiresAt: t + 1000 })), 0)
          await store.set(c, makeRecord(1, makeTokens({ expiresAt: t + 2000 })), 0)
          await store.set(d, makeRecord(1, makeTokens({ expiresAt: t + 9000 })), 0)
          const mine = (keys: string[]): string[] => keys.filter((x) => [a, b, c, d].includes(x))
          expect(mine(await store.listDue!(t + 2500))).toEqual([b, c])
          expect(mine(await store.listDue!(t + 1000))).toEqual([])
          expect(mine(await store.listDue!(t + 5000))).toEqual([b, c, a])
          // A refresh moves b to the back; a failed CAS must not move anything.
          await store.set(b, makeRecord(2, makeTokens({ expiresAt: t + 8000 })), 1)
          await expect(store.set(c, makeRecord(6, makeTokens({ expiresAt: t + 100 })), 5)).resolves.toBe(false)
          expect(mine(await store.listDue!(t + 8500))).toEqual([c, a, b])
        })

        test('list: every key, active and lost', async () => {
          const store = await open()
          const [a, b] = [key(), key()]
          await store.set(a, makeRecord(1), 0)
          await store.set(b, { version: 1, state: 'lost', lost: { reason: 'token.revoked', at: 1 }, refreshCount: 0, connectedAt: 1 }, 0)
          const keys = await store.list!()
          expect(keys).toEqual(expect.arrayContaining([a, b]))
          expect(new Set(keys).size).toBe(keys.length)
        })
      })
    }

    describe('encryption', () => {
      test('round trip with encryption; the raw stored value contains no token', async () => {
        const store = await makeStore({ encryption: newCipher({ k1 }, 'k1') })
        const k = key()
        const record = makeRecord(1)
        await store.set(k, record, 0)
        await expect(store.get(k)).resolves.toEqual(record)
        if (extras.readRaw) {
          const raw = await extras.readRaw(store, k)
          expect(raw).toBeDefined()
          expect(raw).not.toContain(record.tokens!.accessToken)
          expect(raw).not.toContain(record.tokens!.refreshToken)
          expect(raw).not.toContain('secret')
        }
      })

      test('key rotation: new writes use the current key, records under the old key stay readable', async () => {
        const oldStore = await makeStore({ encryption: newCipher({ k1 }, 'k1') })
        const [a, b] = [key(), key()]
        const recA = makeRecord(1)
        await oldStore.set(a, recA, 0)
        await oldStore.set(b, makeRecord(1), 0)
        const rotated = await makeStore({ encryption: newCipher({ k1, k2 }, 'k2'), sameDataAs: oldStore })
        await expect(rotated.get(a)).resolves.toEqual(recA)
        const recB2 = makeRecord(2)
        await expect(rotated.set(b, recB2, 1)).resolves.toBe(true)
        // Written with k2: a process that only knows k1 can no longer read it, but still reads a.
        const events: DecryptErrorEvent[] = []
        const onlyOld = await makeStore({ encryption: newCipher({ k1 }, 'k1', events), sameDataAs: oldStore })
        await expect(onlyOld.get(b)).resolves.toBeUndefined()
        expect(events).toEqual([{ key: b, reason: 'unknown_key', keyId: 'k2' }])
        await expect(onlyOld.get(a)).resolves.toEqual(recA)
        // And once k1 is retired, a (still under k1) reads as absent while b reads fine.
        const retired = await makeStore({ encryption: newCipher({ k2 }, 'k2'), sameDataAs: oldStore })
        await expect(retired.get(a)).resolves.toBeUndefined()
        await expect(retired.get(b)).resolves.toEqual(recB2)
      })

      test('unknown kid, wrong key under the same kid, and plaintext records read as undefined and fire onDecryptError', async () => {
        const plain = await makeStore({})
        const writer = await makeStore({ encryption: newCipher({ k1 }, 'k1'), sameDataAs: plain })
        const [a, p] = [key(), key()]
        await writer.set(a, makeRecord(1), 0)
        await plain.set(p, makeRecord(1), 0)
        const events: DecryptErrorEvent[] = []
        const unknown = await makeStore({ encryption: newCipher({ other: k2 }, 'other', events), sameDataAs: plain })
        await expect(unknown.get(a)).resolves.toBeUndefined()
        const wrongKey = await makeStore({ encryption: newCipher({ k1: k2 }, 'k1', events), sameDataAs: plain })
        await expect(wrongKey.get(a)).resolves.toBeUndefined()
        await expect(wrongKey.get(p)).resolves.toBeUndefined()
        expect(events).toEqual([
          { key: a, reason: 'unknown_key', keyId: 'k1' },
          { key: a, reason: 'authentication_failed', keyId: 'k1' },
          { key: p, reason: 'malformed' },
        ])
        // Unreadable reads as absent, so a new connection can replace it from version 0 (without
        // firing more decrypt events).
        const fresh = makeRecord(1)
        await expect(unknown.set(a, fresh, 0)).resolves.toBe(true)
        expect(events).toHaveLength(3)
        await expect(unknown.get(a)).resolves.toEqual(fresh)
        // A readable record is never replaced from version 0.
        await expect(unknown.set(a, makeRecord(1), 0)).resolves.toBe(false)
        await expect(unknown.get(a)).resolves.toEqual(fresh)
      })
    })
  })
}

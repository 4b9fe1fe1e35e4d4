import express from 'express'
import request from 'supertest'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { lexofficeHealth, lexofficeHealthRoute } from '../../lib/refresher/health'
import type { TokenStore } from '../../lib/tokens/TokenStore'
import { activeRecord, lostRecord, TOKEN_MARKER } from './fakes'

const T0 = 1_800_000_000_000
const now = (): number => T0

async function storeWith(records: Record<string, ReturnType<typeof activeRecord>>): Promise<MemoryTokenStore> {
  const store = new MemoryTokenStore()
  for (const [key, record] of Object.entries(records)) await store.set(key, record, 0)
  return store
}

describe('lexofficeHealth', () => {
  it('counts active, lost and expiring connections and lists the ones needing attention, without tokens', async () => {
    const store = await storeWith({
      fresh: activeRecord('fresh', T0 + 3 * 3600_000),
      soon: activeRecord('soon', T0 + 2 * 60_000),
      expired: activeRecord('expired', T0 - 60_000),
      revoked: lostRecord('token.revoked', T0 - 5000),
      grant: lostRecord('invalid_grant', T0 - 1000),
    })
    const report = await lexofficeHealth({ store }, { now })
    expect(report).toEqual({
      ok: false,
      checkedAt: T0,
      connections: { total: 5, active: 3, lost: 2, expiringSoon: 2 },
      lost: [
        { key: 'grant', reason: 'invalid_grant', at: T0 - 1000 },
        { key: 'revoked', reason: 'token.revoked', at: T0 - 5000 },
      ],
      expiringSoon: [
        { key: 'expired', expiresAt: T0 - 60_000, expiresInMs: -60_000 },
        { key: 'soon', expiresAt: T0 + 2 * 60_000, expiresInMs: 2 * 60_000 },
      ],
    })
    expect(JSON.stringify(report)).not.toContain(TOKEN_MARKER)
  })

  it('is ok when every connection is active and valid beyond warnWithinMs; lost ones can be tolerated', async () => {
    const store = await storeWith({ a: activeRecord('a', T0 + 20 * 60_000) })
    expect((await lexofficeHealth({ store }, { now })).ok).toBe(true)
    expect((await lexofficeHealth({ store, warnWithinMs: 30 * 60_000 }, { now })).ok).toBe(false)
    await store.set('b', lostRecord('disconnected', T0), 0)
    expect((await lexofficeHealth({ store }, { now })).ok).toBe(false)
    expect((await lexofficeHealth({ store, tolerateLost: true }, { now })).ok).toBe(true)
    expect((await lexofficeHealth({ manager: { store }, tolerateLost: true }, { now })).connections.total).toBe(2)
  })

  it('rejects a store that cannot list', () => {
    const store = new MemoryTokenStore()
    const noList: TokenStore = { get: store.get.bind(store), set: store.set.bind(store), destroy: store.destroy.bind(store) }
    expect(() => lexofficeHealthRoute({ store: noList })).toThrow(/list\(\)/)
    expect(() => lexofficeHealthRoute({})).toThrow(/store/)
  })
})

describe('lexofficeHealthRoute', () => {
  function app(store: TokenStore) {
    const a = express()
    a.get('/health/lexoffice', lexofficeHealthRoute({ store }, { now }))
    return a
  }

  it('answers 200 with the report when all is well', async () => {
    const store = await storeWith({ a: activeRecord('a', T0 + 3600_000) })
    const res = await request(app(store)).get('/health/lexoffice').expect(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toMatchObject({ ok: true, connections: { total: 1, active: 1, lost: 0, expiringSoon: 0 } })
  })

  it('answers 503 with the report when a connection is lost, never with a token', async () => {
    const store = await storeWith({ a: activeRecord('a', T0 + 60_000), b: lostRecord('invalid_grant', T0) })
    const res = await request(app(store)).get('/health/lexoffice').expect(503)
    expect(res.body).toMatchObject({ ok: false, connections: { lost: 1, expiringSoon: 1 } })
    expect(res.text).not.toContain(TOKEN_MARKER)
  })

  it('answers 503 with the error code when the store is unreachable', async () => {
    const broken: TokenStore = {
      get: async () => undefined,
      set: async () => false,
      destroy: async () => undefined,
      list: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'STORE_UNAVAILABLE' })
      },
    }
    const res = await request(app(broken)).get('/health/lexoffice').expect(503)
    expect(res.body).toEqual({ ok: false, error: 'STORE_UNAVAILABLE' })
  })
})

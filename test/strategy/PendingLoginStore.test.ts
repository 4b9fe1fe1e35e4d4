import { type PendingLogin, PendingLoginStore } from '../../lib/strategy/PendingLoginStore'

function login(state: string, createdAt: number, extra: Partial<PendingLogin> = {}): PendingLogin {
  return { state, codeVerifier: 'v-' + state, redirectUri: 'https://app.example/cb', issuer: 'https://app.lexware.de', createdAt, ...extra }
}

describe('PendingLoginStore', () => {
  let now = 1_000_000
  const store = new PendingLoginStore({ sessionKey: 'lexoffice', ttlMs: 600_000, maxPending: 5, now: () => now })
  beforeEach(() => {
    now = 1_000_000
  })

  it('keeps several pending logins under the session key and finds each', () => {
    const session: Record<string, unknown> = {}
    store.add(session, login('a', now))
    store.add(session, login('b', now))
    expect((session.lexoffice as { pending: unknown[] }).pending).toHaveLength(2)
    expect(store.take(session, 'b')).toEqual({ kind: 'found', login: login('b', now) })
    expect(store.take(session, 'a')).toEqual({ kind: 'found', login: login('a', now) })
  })

  it('is usable once: the second take of the same state is unknown', () => {
    const session: Record<string, unknown> = {}
    store.add(session, login('a', now))
    expect(store.take(session, 'a').kind).toBe('found')
    expect(store.take(session, 'a')).toEqual({ kind: 'unknown', hadRecord: true })
  })

  it('removes an expired login before reporting it expired', () => {
    const session: Record<string, unknown> = {}
    store.add(session, login('a', now))
    now += 600_000
    expect(store.take(session, 'a').kind).toBe('expired')
    expect(store.take(session, 'a').kind).toBe('unknown')
  })

  it('drops the oldest beyond maxPending', () => {
    const session: Record<string, unknown> = {}
    for (const s of ['1', '2', '3', '4', '5', '6']) {
      store.add(session, login(s, now))
      now += 1
    }
    expect(store.list(session).map((p) => p.state)).toEqual(['2', '3', '4', '5', '6'])
    expect(store.take(session, '1').kind).toBe('unknown')
  })

  it('tells whether the session ever started a login', () => {
    expect(store.take({}, 'x')).toEqual({ kind: 'unknown', hadRecord: false })
  })

  it('ignores malformed session data instead of crashing', () => {
    const session: Record<string, unknown> = { lexoffice: { pending: [{ state: 'a' }, null, 'x'] } }
    expect(store.take(session, 'a')).toEqual({ kind: 'unknown', hadRecord: true })
    expect(store.take({ lexoffice: 'garbage' }, 'a').kind).toBe('unknown')
  })

  it('restores a snapshot into a new session, merging and capping', () => {
    const old: Record<string, unknown> = {}
    store.add(old, login('a', now))
    store.add(old, login('b', now + 1))
    const snap = store.snapshot(old)
    const fresh: Record<string, unknown> = {}
    store.add(fresh, login('c', now + 2))
    store.restore(fresh, snap!)
    expect(store.list(fresh).map((p) => p.state)).toEqual(['a', 'b', 'c'])
  })
})

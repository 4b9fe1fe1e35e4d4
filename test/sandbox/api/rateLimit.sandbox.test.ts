import { createSandbox, type Sandbox } from '../../../lib/sandbox'
import { connect } from './helpers'

/** The rate limit runs on the sandbox clock, so these tests move time by hand instead of sleeping. */
describe('API rate limit', () => {
  let sandbox: Sandbox | undefined
  afterEach(() => sandbox?.close())

  it('answers 429 {"message":"Rate limit exceeded"} beyond the bucket, and refills with time', async () => {
    let now = Date.UTC(2026, 5, 1, 12)
    sandbox = await createSandbox({ autoApprove: true, now: () => now, api: { rateLimit: { perSecond: 2, burst: 2 } } })
    const api = await connect(sandbox)
    const { connectionId } = sandbox.connections()[0]
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await api.get('/v1/countries')).status)
    expect(statuses).toEqual([200, 200, 429, 429, 429])
    const limited = await api.get('/v1/contacts')
    expect(limited.status).toBe(429)
    expect(limited.json).toEqual({ message: 'Rate limit exceeded' })
    expect(sandbox.api.rateLimitStats(connectionId)).toEqual({ allowed: 2, limited: 4 })

    now += 500 // one token back at 2 per second
    expect((await api.get('/v1/countries')).status).toBe(200)
    expect((await api.get('/v1/countries')).status).toBe(429)
    now += 10_000 // refills only up to the burst
    const after = await Promise.all([1, 2, 3].map(() => api.get('/v1/countries')))
    expect(after.map((r) => r.status).sort()).toEqual([200, 200, 429])
    expect(sandbox.api.rateLimitStats()).toEqual({ allowed: 5, limited: 6 })
  })

  it('counts per connection', async () => {
    const now = Date.UTC(2026, 5, 1, 12)
    sandbox = await createSandbox({ autoApprove: true, now: () => now, api: { rateLimit: { perSecond: 1 } } })
    const a = await connect(sandbox)
    const b = await connect(sandbox)
    expect((await a.get('/v1/countries')).status).toBe(200)
    expect((await a.get('/v1/countries')).status).toBe(429)
    expect((await b.get('/v1/countries')).status).toBe(200)
  })

  it('never answers 429 with a high limit or with rateLimit: false', async () => {
    sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: { perSecond: 10_000, burst: 1_000 } } })
    const api = await connect(sandbox)
    const results = await Promise.all(Array.from({ length: 60 }, () => api.get('/v1/countries')))
    expect(results.every((r) => r.status === 200)).toBe(true)
    expect(sandbox.api.rateLimitStats()).toEqual({ allowed: 60, limited: 0 })
    await sandbox.close()

    sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: false } })
    const unlimited = await connect(sandbox)
    const many = await Promise.all(Array.from({ length: 60 }, () => unlimited.get('/v1/countries')))
    expect(many.every((r) => r.status === 200)).toBe(true)
    expect(sandbox.api.rateLimitStats().limited).toBe(0)
  })

  it("limits by default to lexoffice's 2 requests per second", async () => {
    const now = Date.UTC(2026, 5, 1, 12)
    sandbox = await createSandbox({ autoApprove: true, now: () => now })
    const api = await connect(sandbox)
    const statuses = await Promise.all([1, 2, 3].map(() => api.get('/v1/countries')))
    expect(statuses.map((r) => r.status).sort()).toEqual([200, 200, 429])
  })

  it('rejects invalid rateLimit options', async () => {
    await expect(createSandbox({ api: { rateLimit: { perSecond: 0 } } })).rejects.toThrow(TypeError)
    await expect(createSandbox({ api: { rateLimit: { perSecond: 2, burst: 0.5 } } })).rejects.toThrow(TypeError)
    await expect(createSandbox({ api: { rateLimit: true as never } })).rejects.toThrow(TypeError)
    await expect(createSandbox({ api: { bogus: 1 } as never })).rejects.toThrow(/api\.bogus/)
  })
})

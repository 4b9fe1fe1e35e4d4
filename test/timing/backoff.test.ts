import { equalJitterBackoff } from '../../lib/timing/backoff'

describe('equalJitterBackoff', () => {
  it('waits between half and all of min(max, base * 2^retry), rounded', () => {
    const low = () => 0
    const high = () => 0.999999
    expect([0, 1, 2, 3].map((n) => equalJitterBackoff(n, 100, 10_000, low))).toEqual([50, 100, 200, 400])
    expect([0, 1, 2, 3].map((n) => equalJitterBackoff(n, 100, 10_000, high))).toEqual([100, 200, 400, 800])
    expect(equalJitterBackoff(4, 25, 250, () => 0.5)).toBe(188) // 25 * 2^4 = 400, capped at 250: 125 + 0.5 * 125
    expect(equalJitterBackoff(20, 100, 1_000, high)).toBe(1_000)
    expect(equalJitterBackoff(20, 100, 1_000, low)).toBe(500)
    expect(equalJitterBackoff(-3, 100, 1_000, low)).toBe(50)
  })

  it('spreads callers with the default random source', () => {
    const waits = new Set(Array.from({ length: 50 }, () => equalJitterBackoff(4, 100, 10_000)))
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(800)
    expect(Math.max(...waits)).toBeLessThanOrEqual(1_600)
    expect(waits.size).toBeGreaterThan(1)
  })
})

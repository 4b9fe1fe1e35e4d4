import { delay } from '../../lib/timing/delay'

describe('delay', () => {
  beforeEach(() => jest.useFakeTimers())
  afterEach(() => jest.useRealTimers())

  it('resolves after the time; at once for zero or less', async () => {
    let done = false
    const waiting = delay(1_000).then(() => (done = true))
    await jest.advanceTimersByTimeAsync(999)
    expect(done).toBe(false)
    await jest.advanceTimersByTimeAsync(1)
    await waiting
    expect(done).toBe(true)
    await expect(delay(0)).resolves.toBeUndefined()
    await expect(delay(-5)).resolves.toBeUndefined()
  })

  it("rejects with the signal's reason when it aborts, before or during the wait, and clears its timer", async () => {
    const reason = new Error('stop')
    await expect(delay(1_000, AbortSignal.abort(reason))).rejects.toBe(reason)
    const controller = new AbortController()
    const waiting = delay(1_000, controller.signal)
    controller.abort(reason)
    await expect(waiting).rejects.toBe(reason)
    expect(jest.getTimerCount()).toBe(0)
  })
})

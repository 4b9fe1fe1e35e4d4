import { DeadlineTicker } from '../../lib/timing/DeadlineTicker'

describe('DeadlineTicker', () => {
  it('fires an overdue call and forgets finished ones', async () => {
    const ticker = new DeadlineTicker(20)
    const fired: string[] = []
    const finished = ticker.track(() => fired.push('finished'))
    ticker.done(finished)
    await new Promise<void>((resolve) => {
      ticker.track(() => {
        fired.push('late')
        resolve()
      })
    })
    expect(fired).toEqual(['late'])
    expect(ticker.size).toBe(0)
  })

  it('run: settles like the call, rejects with the timeout error when it hangs, and turns a synchronous throw into a rejection', async () => {
    const ticker = new DeadlineTicker(20)
    await expect(
      ticker.run(
        () => Promise.resolve(7),
        () => new Error('late'),
      ),
    ).resolves.toBe(7)
    await expect(
      ticker.run(
        () => Promise.reject(new Error('failed')),
        () => new Error('late'),
      ),
    ).rejects.toThrow('failed')
    const timeout = new Error('late')
    await expect(
      ticker.run(
        () => new Promise(() => undefined),
        () => timeout,
      ),
    ).rejects.toBe(timeout)
    await expect(
      ticker.run(
        () => {
          throw new Error('sync')
        },
        () => timeout,
      ),
    ).rejects.toThrow('sync')
    // A call that settles after its deadline changes nothing and leaves no unhandled rejection.
    let rejectLate!: (err: Error) => void
    const late = ticker.run(
      () => new Promise<never>((_, reject) => (rejectLate = reject)),
      () => timeout,
    )
    await expect(late).rejects.toBe(timeout)
    rejectLate(new Error('too late'))
    expect(ticker.size).toBe(0)
  })
})

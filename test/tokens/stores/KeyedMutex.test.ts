import { KeyedMutex } from '../../../lib/tokens/stores/KeyedMutex'

describe('KeyedMutex', () => {
  test('sections of one key run one at a time in call order; other keys run alongside; the map drains', async () => {
    const mutex = new KeyedMutex()
    const log: string[] = []
    let releaseFirst!: () => void
    const gate = new Promise<void>((resolve) => (releaseFirst = resolve))
    const first = mutex.run('a', async () => {
      log.push('a1 start')
      await gate
      log.push('a1 end')
      return 1
    })
    const second = mutex.run('a', async () => {
      log.push('a2')
      return 2
    })
    const other = mutex.run('b', async () => {
      log.push('b1')
      return 3
    })
    await expect(other).resolves.toBe(3)
    expect(log).toEqual(['a1 start', 'b1'])
    releaseFirst()
    await expect(Promise.all([first, second])).resolves.toEqual([1, 2])
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2'])
    expect(mutex.size).toBe(0)
  })

  test('a failing section rejects its caller and does not block the next one', async () => {
    const mutex = new KeyedMutex()
    const failing = mutex.run('k', async () => {
      throw new Error('boom')
    })
    const next = mutex.run('k', async () => 'ok')
    await expect(failing).rejects.toThrow('boom')
    await expect(next).resolves.toBe('ok')
    expect(mutex.size).toBe(0)
  })
})

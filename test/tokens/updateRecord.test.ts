import { ErrorCodes } from '../../lib/errors'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import type { TokenRecord } from '../../lib/tokens/TokenSet'
import { updateRecord } from '../../lib/tokens/updateRecord'

const lost = (version: number, reason: string): TokenRecord => ({
  version,
  state: 'lost',
  lost: { reason, at: 0 },
  refreshCount: 0,
  connectedAt: 0,
})

describe('updateRecord (the compare-and-set loop)', () => {
  it('writes with the version it read; after a lost race it reads and decides again', async () => {
    const store = new MemoryTokenStore()
    await store.set('k', lost(1, 'a'), 0)
    const seen: Array<number | undefined> = []
    const result = await updateRecord(
      store,
      'k',
      async (current) => {
        seen.push(current?.version)
        // Another writer comes first, once.
        if (seen.length === 1) await store.set('k', lost(2, 'other'), 1)
        return { write: lost((current?.version ?? 0) + 1, 'mine'), then: 'written' }
      },
      { conflict: 'kept changing' },
    )
    expect(result).toBe('written')
    expect(seen).toEqual([1, 2])
    expect(await store.get('k')).toMatchObject({ version: 3, lost: { reason: 'mine' } })
  })

  it('done ends without a write; again reads once more without counting a conflict; a known record spares the first read', async () => {
    const store = new MemoryTokenStore()
    const get = jest.spyOn(store, 'get')
    let steps = 0
    const result = await updateRecord(
      store,
      'k',
      (current) => {
        steps++
        if (steps < 4) return { again: true }
        return { done: current === undefined ? 'absent' : 'present' }
      },
      { conflict: 'x', attempts: 1, known: { record: undefined } },
    )
    expect(result).toBe('absent')
    expect(get).toHaveBeenCalledTimes(3)
    expect(await store.list()).toEqual([])
  })

  it('after the last lost race: STORE_CONFLICT (503), or the given error', async () => {
    const store = new MemoryTokenStore()
    let version = 0
    const alwaysLate = async (): Promise<{ write: TokenRecord; then: boolean }> => {
      await store.set('k', lost(++version, 'other'), version - 1) // someone else wins every time
      return { write: lost(version, 'mine'), then: true }
    }
    await expect(updateRecord(store, 'k', alwaysLate, { conflict: 'The record kept changing.', attempts: 3 })).rejects.toMatchObject({
      code: ErrorCodes.STORE_CONFLICT,
      status: 503,
      message: 'The record kept changing.',
    })
    expect(version).toBe(3)
    const own = new Error('given up')
    await expect(updateRecord(store, 'k', alwaysLate, { conflict: '', attempts: 2, exhausted: () => own })).rejects.toBe(own)
  })
})

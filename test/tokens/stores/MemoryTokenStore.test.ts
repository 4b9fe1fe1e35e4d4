import { MemoryTokenStore } from '../../../lib/tokens/stores/MemoryTokenStore'
import { describeTokenStore } from '../../contract/tokenStore.contract'

describeTokenStore('MemoryTokenStore', ({ encryption, sameDataAs }) => {
  if (sameDataAs !== undefined && !(sameDataAs instanceof MemoryTokenStore)) throw new Error('not a MemoryTokenStore')
  return new MemoryTokenStore({ ...(encryption ? { encryption } : {}), ...(sameDataAs ? { shareWith: sameDataAs } : {}) })
})

describe('MemoryTokenStore options', () => {
  test('rejects a shareWith that is not a MemoryTokenStore', () => {
    expect(() => new MemoryTokenStore({ shareWith: {} as never })).toThrow(TypeError)
  })
  test('rejects an encryption key that is not 32 bytes at construction', () => {
    expect(() => new MemoryTokenStore({ encryption: { keys: { k1: Buffer.alloc(16) }, currentKeyId: 'k1' } })).toThrow(/32 bytes/)
  })
})

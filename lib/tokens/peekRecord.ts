/**
 * The synchronous read of stores that hold records in this process's memory (MemoryTokenStore
 * without encryption, the token cache on a hit): the fresh-token path of `getAccessToken` then
 * answers without an await. Stores offer it under this symbol; `undefined` means "not in memory,
 * ask `get`" (also for a missing record: the async path gives the errors).
 * @internal
 */
import type { TokenRecord } from './TokenSet'
import type { TokenStore } from './TokenStore'

/** @internal */
export const PEEK_RECORD: unique symbol = Symbol('passport-lexoffice.peekRecord')

/** @internal */
export interface PeekableStore extends TokenStore {
  [PEEK_RECORD](key: string): TokenRecord | undefined
}

/** `true` when the store has a synchronous read. @internal */
export function isPeekable(store: TokenStore): store is PeekableStore {
  return typeof (store as Partial<PeekableStore>)[PEEK_RECORD] === 'function'
}

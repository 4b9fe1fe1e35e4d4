import { ErrorCodes, LexofficeError } from '../errors'
import type { TokenRecord } from './TokenSet'

/**
 * What one step of {@link updateRecord} decided about the record it read.
 * - `done`: finished without a write (nothing to change, or the answer is known);
 * - `write`: write this record (version: the one read + 1) and resolve `then` if nobody wrote in between;
 * - `again`: read again without counting a conflict (the step waited for something first).
 * @internal
 */
export type RecordUpdate<T> = { readonly done: T } | { readonly write: TokenRecord; readonly then: T } | { readonly again: true }

/** The two store calls {@link updateRecord} needs. @internal */
export interface RecordReadWrite {
  get(key: string): Promise<TokenRecord | undefined>
  set(key: string, record: TokenRecord, expectedVersion: number): Promise<boolean>
}

/** Options of {@link updateRecord}. @internal */
export interface UpdateRecordOptions {
  /** The `STORE_CONFLICT` message after the last lost race. */
  conflict: string
  /** Writes tried before giving up. Default 5. */
  attempts?: number
  /** A record already read by the caller: the first step decides on it instead of reading. */
  known?: { record: TokenRecord | undefined }
  /** The error after the last lost race, instead of `STORE_CONFLICT` (status 503). */
  exhausted?: () => Error
}

/**
 * The package's one compare-and-set loop: read the record, let `decide` choose, write with the
 * version that was read (the store's compare-and-set refuses the write when another writer came
 * first), and on such a lost race read and decide again, up to `attempts` writes. Nothing is ever
 * written over a record that `decide` has not seen. What `decide` throws passes through.
 *
 * @throws LexofficeError `STORE_CONFLICT` (503) after `attempts` lost races (or `exhausted()`).
 * @internal
 */
export async function updateRecord<T>(
  store: RecordReadWrite,
  key: string,
  decide: (current: TokenRecord | undefined) => RecordUpdate<T> | Promise<RecordUpdate<T>>,
  options: UpdateRecordOptions,
): Promise<T> {
  const attempts = options.attempts ?? 5
  let known = options.known
  for (let conflicts = 0; ;) {
    const current = known === undefined ? await store.get(key) : known.record
    known = undefined
    const step = await decide(current)
    if ('done' in step) return step.done
    if ('again' in step) continue
    if (await store.set(key, step.write, current?.version ?? 0)) return step.then
    if (++conflicts >= attempts) throw options.exhausted?.() ?? new LexofficeError(ErrorCodes.STORE_CONFLICT, options.conflict)
  }
}

import { ErrorCodes, LexofficeError } from '../errors'

/**
 * Thrown by paged iteration (`iterate`, `listAll`) when more entries match than lexoffice's
 * 10,000-entry search window lets anyone page through. Everything inside the window has been
 * yielded already. Narrow the filter (e.g. by date range) to read the rest. `code` is
 * `API_VALIDATION` (status 400). Pass `{ searchWindow: 'stop' }` to end quietly instead.
 *
 * @example
 * ```ts
 * try {
 *   for await (const v of client.voucherlist.iterate({ voucherType: 'any', voucherStatus: 'any' })) handle(v)
 * } catch (err) {
 *   if (err instanceof LexofficeSearchWindowError) console.warn(`only ${err.yielded} of ${err.totalElements} read`)
 * }
 * ```
 */
export class LexofficeSearchWindowError extends LexofficeError {
  /** Entries yielded before stopping. */
  readonly yielded: number
  /** `totalElements` lexoffice reported. */
  readonly totalElements: number
  constructor(path: string, yielded: number, totalElements: number) {
    super(
      ErrorCodes.API_VALIDATION,
      `${path} matches ${totalElements} entries; lexoffice pages through at most ${SEARCH_WINDOW}. Narrow the filter.`,
      { status: 400 },
    )
    this.yielded = yielded
    this.totalElements = totalElements
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), yielded: this.yielded, totalElements: this.totalElements }
  }
}

/**
 * lexoffice's hard search window: no page may reach past entry 10,000.
 *
 * @example
 * ```ts
 * const lastPage = Math.floor(SEARCH_WINDOW / 250) - 1 // 39
 * ```
 */
export const SEARCH_WINDOW = 10_000

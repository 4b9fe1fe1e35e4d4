import { LexofficeApiError } from '../../../lib/errors'

/** The LexofficeApiError a call rejects with (fails the test if it resolves or rejects with anything else). */
export async function apiError(p: Promise<unknown>): Promise<LexofficeApiError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(LexofficeApiError)
  return err as LexofficeApiError
}

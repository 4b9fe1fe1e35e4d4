/**
 * `expect.objectContaining(fields)` typed for `toThrow()`: @types/jest types asymmetric matchers as
 * `any`, and `toThrow()` compares the thrown error with the matcher field by field.
 */
export function errorWith(fields: Record<string, unknown>): Error {
  return expect.objectContaining(fields) as Error
}

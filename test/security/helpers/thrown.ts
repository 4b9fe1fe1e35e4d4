/** What `fn` throws, or `undefined` when it returns: for asserting on an error's fields with `toMatchObject`. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return undefined
}

/** The keys of `T` that `K` does not list. */
type Unlisted<T, K extends readonly PropertyKey[]> = Exclude<keyof T, K[number]>

/** Accepts the list when it names every key of `T`; otherwise asks for a `missing` member naming the unlisted keys. */
type EveryKey<T, K extends readonly PropertyKey[]> = [Unlisted<T, K>] extends [never] ? unknown : { missing: Unlisted<T, K> }

/**
 * Declares the key list of an option set once, checked by the compiler both ways: a key that is
 * not in `T` does not compile, and neither does a list that leaves a key of `T` out (the error
 * names it as `missing`). Used with `assertKnownKeys`, so adding an option to an interface
 * without teaching the checks about it fails `tsc`, and the two can never drift apart.
 * Curried so that `T` is written and the list is inferred.
 *
 * @internal
 */
export function optionKeys<T extends object>(): <const K extends readonly (keyof T & string)[]>(
  keys: K & EveryKey<T, K>,
) => readonly (keyof T & string)[] {
  return (keys) => keys
}

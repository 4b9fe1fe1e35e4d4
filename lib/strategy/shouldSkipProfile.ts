import type { SkipUserProfileOption } from './resolveStrategyOptions'

/**
 * Decides the `skipUserProfile` option for one login: a boolean, a synchronous `() => boolean`,
 * or passport-oauth2's asynchronous `(accessToken, done)` form, told apart by arity as
 * passport-oauth2 does.
 *
 * @example
 * ```ts
 * if (!(await shouldSkipProfile(options.skipUserProfile, accessToken))) profile = await loadProfile()
 * ```
 * @internal
 */
export function shouldSkipProfile(skip: SkipUserProfileOption, accessToken: string): Promise<boolean> {
  if (typeof skip !== 'function') return Promise.resolve(skip)
  if (skip.length > 1) {
    return new Promise((resolve, reject) => {
      ;(skip as (t: string, cb: (err: unknown, s?: boolean) => void) => void)(accessToken, (err, s) => {
        if (err) reject(err instanceof Error ? err : new Error('skipUserProfile failed'))
        else resolve(Boolean(s))
      })
    })
  }
  try {
    return Promise.resolve(Boolean((skip as () => boolean)()))
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error('skipUserProfile failed'))
  }
}

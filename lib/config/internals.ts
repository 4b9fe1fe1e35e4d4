import type { LexofficeClient } from '../client/LexofficeClient'
import type { LexofficeOAuthClient } from '../oauth/LexofficeOAuthClient'
import type { TokenManager } from '../tokens/TokenManager'
import type { ResolvedLexofficeOptions } from './resolveLexofficeOptions'

/** How requests find their owner in connect mode. @internal */
export type OwnerResolver = (req: Express.Request) => string | undefined | Promise<string | undefined>

/**
 * What the parts built from one configuration share, kept off the public object (a WeakMap, as
 * openid-client does) so that nothing of it is enumerable or inspectable. @internal
 */
export interface LexofficeInternals {
  readonly options: ResolvedLexofficeOptions
  readonly oauth: LexofficeOAuthClient
  readonly manager: TokenManager
  /** The clock (tests inject one). */
  readonly now: () => number
  /** An API client for one connection key (paced with every other client of this configuration). */
  clientFor(key: string): LexofficeClient
  /** An API client for an access token that has no stored connection yet (the profile call at login). */
  clientForToken(accessToken: string): LexofficeClient
  /** Where the ready-made routes are, once created: used by the guard and the error answers. */
  readonly routing: {
    /** `true` once `routes()` was created: requests without an owner are sign-ins (both modes in one app). */
    signIn: boolean
    /** Full path of the sign-in routes (e.g. `/auth/lexoffice`), learned from the first request through them. */
    signInPath: string | undefined
    /** Full path of the connect routes, learned likewise. */
    connectPath: string | undefined
    /** The owner of a request, in connect mode. */
    owner: OwnerResolver | undefined
  }
}

/** The owner of a request in connect mode: a non-empty id, else `undefined` (nobody signed in to the app). @internal */
export async function ownerOf(owner: OwnerResolver, req: Express.Request): Promise<string | undefined> {
  const id = await owner(req)
  return typeof id === 'string' && id !== '' ? id : undefined
}

const INTERNALS = new WeakMap<object, LexofficeInternals>()

/** @internal */
export function setInternals(target: object, internals: LexofficeInternals): void {
  INTERNALS.set(target, internals)
}

/** @internal */
export function internalsOf(target: object): LexofficeInternals {
  const found = INTERNALS.get(target)
  if (found === undefined) throw new TypeError('expected the object createLexoffice() returns')
  return found
}

/**
 * Compile-time checks of the public typing (run by `tsc --noEmit`), plus the matching runtime
 * behaviour: the four verify forms type-check without annotations, and `pkce: 'plain'` or a
 * `state` other than true do not.
 */
import type { Request } from 'express'
import { LexofficeStrategy, type LexofficeVerifyCallback } from '../../lib/strategy/LexofficeStrategy'
import type { LexofficeProfile } from '../../lib/strategy/profile'

const base = { clientID: 'id', clientSecret: 'secret', callbackURL: 'https://app.example/cb', scope: ['profile.read'] }
const asUser = (u: object): Express.User => u as Express.User

describe('LexofficeStrategy typing', () => {
  it('accepts the four verify forms (the params forms without annotations)', () => {
    // The forms with `params` (the ones that store tokens) infer every parameter type.
    const b = new LexofficeStrategy(base, (accessToken, refreshToken, params, profile, done) => {
      const r: string | undefined = refreshToken
      const expiresAt: number | undefined = params.expiresAt
      done(null, asUser({ id: profile?.organizationId, accessToken, expiresAt, r }))
    })
    const d = new LexofficeStrategy({ ...base, passReqToCallback: true }, (req, _a, _r, params, profile, done) => {
      const url: string = req.originalUrl
      done(null, asUser({ url, token: params.token_type, id: profile?.companyName }))
    })
    // The shorter forms need annotations (TypeScript types unannotated arrows by the first overload).
    const a = new LexofficeStrategy(
      base,
      (accessToken: string, refreshToken: string | undefined, profile: LexofficeProfile | undefined, done: LexofficeVerifyCallback) => {
        done(null, asUser({ id: profile?.id, accessToken, refreshToken }))
      },
    )
    const c = new LexofficeStrategy(
      { ...base, passReqToCallback: true },
      (
        req: Request,
        _accessToken: string,
        _refreshToken: string | undefined,
        profile: LexofficeProfile | undefined,
        done: LexofficeVerifyCallback,
      ) => {
        done(null, asUser({ url: req.originalUrl, id: profile?.connectionId }))
      },
    )
    expect([a, b, c, d].map((s) => s.name)).toEqual(['lexoffice', 'lexoffice', 'lexoffice', 'lexoffice'])
  })

  it("refuses pkce 'plain' and state false in the types and at runtime", () => {
    const verify = (_a: string, _r: string | undefined, _p: unknown, done: (err: unknown, user?: false) => void): void => done(null, false)
    // @ts-expect-error pkce 'plain' is not allowed
    expect(() => new LexofficeStrategy({ ...base, pkce: 'plain' }, verify)).toThrow(TypeError)
    // @ts-expect-error state false is not allowed
    expect(() => new LexofficeStrategy({ ...base, state: false }, verify)).toThrow(TypeError)
    // @ts-expect-error clientSecret is required
    expect(() => new LexofficeStrategy({ clientID: 'id', callbackURL: 'https://app.example/cb' }, verify)).toThrow(TypeError)
  })
})

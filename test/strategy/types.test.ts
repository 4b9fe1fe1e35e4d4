/**
 * Compile-time checks of the public typing (run by `tsc --noEmit`), plus the matching runtime
 * behaviour: the four verify forms type-check without annotations, and `pkce: 'plain'` or a
 * `state` other than true do not.
 */
import type { Request } from 'express'
import type { LexofficeTokenResponse } from '../../lib/oauth/LexofficeOAuthClient'
import { LexofficeStrategy, type LexofficeVerifyCallback } from '../../lib/strategy/LexofficeStrategy'
import type { LexofficeProfile } from '../../lib/strategy/profile'

const base = { clientID: 'id', clientSecret: 'secret', callbackURL: 'https://app.example/cb', scope: ['profile.read'] }
const asUser = (u: object): Express.User => u as Express.User

describe('LexofficeStrategy typing', () => {
  it('accepts the four verify forms (the params forms need annotations: TypeScript fixes contextual types at the first overload)', () => {
    const a = new LexofficeStrategy(base, (accessToken, refreshToken, profile, done) => {
      const s: string = accessToken
      const r: string | undefined = refreshToken
      done(null, asUser({ id: profile?.id, s, r }))
    })
    const b = new LexofficeStrategy(base, (accessToken: string, _refreshToken: string | undefined, params: LexofficeTokenResponse, profile: LexofficeProfile | undefined, done: LexofficeVerifyCallback) => {
      const expiresAt: number | undefined = params.expiresAt
      done(null, asUser({ id: profile?.organizationId, accessToken, expiresAt }))
    })
    const c = new LexofficeStrategy({ ...base, passReqToCallback: true }, (req, _accessToken, _refreshToken, profile, done) => {
      done(null, asUser({ url: req.originalUrl, id: profile?.connectionId }))
    })
    const d = new LexofficeStrategy({ ...base, passReqToCallback: true }, (req: Request, _a: string, _r: string | undefined, params: LexofficeTokenResponse, profile: LexofficeProfile | undefined, done: LexofficeVerifyCallback) => {
      done(null, asUser({ url: req.originalUrl, token: params.token_type, id: profile?.companyName }))
    })
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

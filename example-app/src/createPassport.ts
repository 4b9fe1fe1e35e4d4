import { Passport } from 'passport'
import { LexofficeStrategy, type LexofficeProfile, type LexofficeTokenResponse, type LexofficeVerifyCallback } from 'passport-lexoffice'
import type { AppDependencies } from './AppDependencies'
import type { AppUser } from './AppUser'

/** An Authenticator instance (what `new Passport()` builds). */
export type AppPassport = InstanceType<typeof Passport>

/** The app's passport with the LexofficeStrategy; a signed-in user is kept in the session as an AppUser. */
export function createPassport(deps: Pick<AppDependencies, 'baseURL' | 'oauth' | 'scope' | 'manager' | 'pendingLoginTtlMs'>): AppPassport {
  // An Authenticator of its own, not passport's global singleton: two apps in one process (the
  // cluster, the tests) must not replace each other's strategy and callback URL.
  const passport = new Passport()
  passport.use(
    new LexofficeStrategy(
      {
        clientID: deps.oauth.clientID,
        clientSecret: deps.oauth.clientSecret,
        callbackURL: `${deps.baseURL}/auth/lexoffice/callback`,
        authorizationURL: deps.oauth.authorizationURL,
        tokenURL: deps.oauth.tokenURL,
        revokeURL: deps.oauth.revokeURL,
        apiURL: deps.oauth.apiURL,
        scope: deps.scope,
        connectionName: 'passport-lexoffice example',
        ...(deps.pendingLoginTtlMs !== undefined && { pendingLoginTtlMs: deps.pendingLoginTtlMs }),
      },
      (
        _accessToken: string,
        _refreshToken: string | undefined,
        params: LexofficeTokenResponse,
        profile: LexofficeProfile | undefined,
        done: LexofficeVerifyCallback,
      ) => {
        const p = profile!
        const user: AppUser = {
          id: p.id,
          displayName: p.displayName,
          email: p.emails?.[0]?.value,
          organizationId: p.organizationId,
          companyName: p.companyName,
          connectionId: p.connectionId ?? p.id,
        }
        // The one line that hands the new token set to the token layer.
        // (Its `connected` event makes autoSubscribe restore the webhooks, see startExample.ts.)
        deps.manager.connect(user.connectionId, params, p).then(() => done(null, user), done)
      },
    ),
  )
  passport.serializeUser((user, done) => done(null, user))
  passport.deserializeUser((user: Express.User, done) => done(null, user))
  return passport
}

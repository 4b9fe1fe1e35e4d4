import { Passport } from 'passport'
import type { Lexoffice } from 'passport-lexoffice'

/** An Authenticator instance (what `new Passport()` builds). */
export type AppPassport = InstanceType<typeof Passport>

/**
 * The app's passport: the configuration's LexofficeStrategy (it stores the connection itself; the
 * default user is a small LexofficeUser), and the whole user object in the session.
 */
export function createPassport(lexoffice: Lexoffice): AppPassport {
  // An Authenticator of its own, not passport's global singleton: two apps in one process (the
  // cluster, the tests) must not replace each other's strategy.
  const passport = new Passport()
  passport.use(lexoffice.strategy)
  passport.serializeUser((user, done) => done(null, user))
  passport.deserializeUser((user: Express.User, done) => done(null, user))
  return passport
}

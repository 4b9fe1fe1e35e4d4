/**
 * Who is signed in: a lexoffice user ("sign in with lexoffice": passport keeps the package's
 * LexofficeUser, ids and names, never a token), or a user of the app's own (demo) login, who
 * connects lexoffice organisations to their account ("connect lexoffice").
 */
import type { LexofficeUser } from 'passport-lexoffice'

/** A user of the app's own login (a stand-in for a real one: no password). */
export interface DemoUser {
  id: string
  name: string
  demo: true
}

export type AppUser = LexofficeUser | DemoUser

/** The accounts of the demo login. */
export const DEMO_USERS: readonly Omit<DemoUser, 'demo'>[] = [
  { id: 'alice', name: 'Alice Example' },
  { id: 'bob', name: 'Bob Example' },
]

/** The signed-in user, if any. */
export function userOf(req: { user?: Express.User | undefined }): AppUser | undefined {
  return req.user as AppUser | undefined
}

export function isDemoUser(user: AppUser | undefined): user is DemoUser {
  return user !== undefined && 'demo' in user
}

/**
 * The owner of lexoffice connections in connect mode: the demo user's id. A lexoffice user has
 * none: their requests use the connection of their sign-in.
 */
export function ownerOf(req: { user?: Express.User | undefined }): string | undefined {
  const user = userOf(req)
  return isDemoUser(user) ? user.id : undefined
}

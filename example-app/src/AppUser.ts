/** What the app keeps about a signed-in user in the session: ids and names, never tokens. */
export interface AppUser {
  id: string
  displayName: string
  email: string | undefined
  organizationId: string | undefined
  companyName: string | undefined
  /** The connection key under which the token layer keeps this user's lexoffice tokens. */
  connectionId: string
}

/** The signed-in user (passport keeps our AppUser object in the session). */
export function userOf(req: { user?: Express.User | undefined }): AppUser | undefined {
  return req.user as AppUser | undefined
}

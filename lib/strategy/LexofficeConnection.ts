import type { IncomingMessage } from 'node:http'

/**
 * A lexoffice connection as the strategy stored it: who connected which organisation, never a
 * token. Serialisable (plain JSON), so it can live in a session.
 *
 * @example
 * ```ts
 * const connection: LexofficeConnection = {
 *   key: '4f1c…:8a2e…',
 *   organizationId: '4f1c…',
 *   connectionId: '77d1…',
 *   companyName: 'Müller & Söhne GmbH',
 *   user: { id: '8a2e…', name: 'Anna Müller', email: 'anna@example.com' },
 *   scope: 'profile.read contacts.read',
 *   connectedAt: 1_764_000_000_000,
 * }
 * ```
 */
export interface LexofficeConnection {
  /** The token store key: `req.lexoffice`, the token manager and the refresher know the connection by it. */
  key: string
  /** In connect mode: the id of your app's user who owns the connection. */
  owner?: string
  /** The lexoffice organisation (company). */
  organizationId: string
  /** lexoffice's id of this API connection (the `resourceId` of a `token.revoked` webhook). */
  connectionId: string
  /** The organisation's name, when lexoffice sent one. */
  companyName?: string
  /** The lexoffice user who granted the connection. */
  user: { id: string; name?: string; email?: string }
  /** The scopes lexoffice granted, space-separated, when it said. */
  scope?: string
  /** When the connection was stored, ms since the epoch. */
  connectedAt: number
}

/**
 * The user `req.user` holds after a sign-in with the default verify: the stored connection's
 * non-secret identity. Small and serialisable, so `passport.serializeUser((user, done) => done(null, user))`
 * keeps all of it in the session.
 *
 * @example
 * ```ts
 * app.get('/me', (req, res) => res.json({ name: (req.user as LexofficeUser).name }))
 * ```
 */
export interface LexofficeUser {
  /** The lexoffice user id. */
  id: string
  name?: string
  email?: string
  organizationId: string
  companyName?: string
  /** The lexoffice connection id. */
  connectionId: string
  /** The token store key of the connection. */
  connectionKey: string
}

/**
 * Decides what a new connection means for your app. Runs after the tokens were stored, with the
 * stored connection and the request; returns (or resolves) your app's user for a sign-in, any
 * truthy value to accept a connect, or `false` to refuse (the connection is then revoked and
 * removed, and the login fails with 403).
 *
 * @example
 * ```ts
 * const verify: LexofficeVerify = async (connection) => {
 *   const user = await db.users.upsert({ lexofficeUserId: connection.user.id, email: connection.user.email })
 *   return { id: user.id, name: user.name }
 * }
 * ```
 */
export type LexofficeVerify = (connection: LexofficeConnection, req: IncomingMessage) => unknown

/** The default verify's user for a connection. @internal */
export function userOf(connection: LexofficeConnection): LexofficeUser {
  const user: LexofficeUser = {
    id: connection.user.id,
    organizationId: connection.organizationId,
    connectionId: connection.connectionId,
    connectionKey: connection.key,
  }
  if (connection.user.name !== undefined) user.name = connection.user.name
  if (connection.user.email !== undefined) user.email = connection.user.email
  if (connection.companyName !== undefined) user.companyName = connection.companyName
  return user
}

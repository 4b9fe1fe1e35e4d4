/**
 * Warns once per strategy (via `logger`) about session cookie settings that make the callback
 * lose the session: `SameSite=Strict` (not sent on lexoffice's cross-site redirect back) and a
 * `Secure` cookie on a request Express does not see as https (express-session then sets no cookie).
 *
 * @param warned The warnings already given by this strategy (updated).
 * @internal
 */
export function checkSessionCookie(
  req: { session?: unknown; secure?: boolean },
  logger: { warn(message: string): void } | undefined,
  warned: Set<string>,
): void {
  const cookie = (req.session as { cookie?: { sameSite?: unknown; secure?: unknown } } | undefined)?.cookie
  if (!logger || !cookie) return
  const sameSite = cookie.sameSite
  if ((sameSite === true || (typeof sameSite === 'string' && sameSite.toLowerCase() === 'strict')) && !warned.has('strict')) {
    warned.add('strict')
    logger.warn(
      'passport-lexoffice: the session cookie is SameSite=Strict; browsers will not send it on the redirect back from lexoffice, so every callback fails. Use sameSite: "lax".',
    )
  }
  if (cookie.secure === true && req.secure === false && !warned.has('secure')) {
    warned.add('secure')
    logger.warn(
      'passport-lexoffice: the session cookie is Secure but this request is not https to Express, so express-session sets no cookie. Behind a proxy, set app.set("trust proxy", ...).',
    )
  }
}

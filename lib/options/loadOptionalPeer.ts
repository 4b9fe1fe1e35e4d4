/**
 * Loads an optional peer dependency (`redis`, `pg`, ...) on first use, and says exactly what to
 * install when it is missing instead of failing later with an unrelated error.
 *
 * @internal
 */

/**
 * An optional peer dependency is not installed. `message` names the package and the command
 * that installs it.
 * @internal
 */
export class MissingPeerError extends Error {
  override readonly name = 'MissingPeerError'
  readonly code = 'MISSING_PEER'
  constructor(
    readonly peer: string,
    purpose: string,
  ) {
    super(`${purpose} needs the "${peer}" package, which is not installed: npm install ${peer}`)
  }
}

/**
 * `require(name)`, or a {@link MissingPeerError} when `name` itself is missing (a missing
 * dependency of the peer, or any other load error, is rethrown as is).
 * @internal
 */
export function loadOptionalPeer(name: string, purpose: string): unknown {
  try {
    // A plain require (not createRequire): it resolves from this package, and jest can mock it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as unknown
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown }
    if (e.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${name}'`)) {
      throw new MissingPeerError(name, purpose)
    }
    throw err
  }
}

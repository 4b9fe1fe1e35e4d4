import { parseArgs } from 'node:util'
import { type PostgresTableNames, resolvePostgresTables } from '../postgres/postgresTables'

/**
 * Argument parsing of the `passport-lexoffice` command, with `node:util` `parseArgs` (no
 * framework). Everything here is pure: it reads the arguments and the environment it is given
 * and never touches `process`.
 *
 * @internal
 */

/**
 * A usage error: the command prints it with a hint to `--help` and exits 2.
 * @internal
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/**
 * Where the tokens are: Redis (`--redis`, `REDIS_URL`) with the store's key prefix, or
 * PostgreSQL (`--postgres`, `DATABASE_URL`) with the store's table names.
 * @internal
 */
export type StoreArgs = { redisURL: string; prefix: string } | { postgresURL: string; tables: PostgresTableNames }

/**
 * Parsed options of `passport-lexoffice migrate`.
 * @internal
 */
export interface MigrateArgs {
  command: 'migrate'
  /** Absent with `--print-sql` when no URL is given. */
  postgresURL?: string
  tables: PostgresTableNames
  printSQL: boolean
}

/**
 * Parsed options of `passport-lexoffice refresh`.
 * @internal
 */
export type RefreshArgs = StoreArgs & {
  command: 'refresh'
  windowMs: number
  concurrency: number
  json: boolean
  progress: boolean
  /** `--plaintext`: the store's records are not encrypted (the app passes `encryption: false`). */
  plaintext: boolean
}

/**
 * Parsed options of `passport-lexoffice status`.
 * @internal
 */
export type StatusArgs = StoreArgs & {
  command: 'status'
  json: boolean
  /** `--plaintext`: the store's records are not encrypted (the app passes `encryption: false`). */
  plaintext: boolean
}

/**
 * What the command line asks for.
 * @internal
 */
export type ParsedArgs = RefreshArgs | StatusArgs | MigrateArgs | { command: 'help' } | { command: 'version' }

/**
 * The help text (`passport-lexoffice --help`): commands, options, environment, exit status.
 * @example
 * ```ts
 * process.stdout.write(HELP)
 * ```
 */
export const HELP = `Usage: passport-lexoffice <command> [options]

Commands:
  refresh   Refresh every lexoffice connection whose access token expires within
            the window, through the same locked refresh path as the app. Run it
            from cron every 1-5 minutes to keep idle connections alive.
  status    List the stored connections: key, state, expiry, last refresh,
            refresh count, last error. Never shows a token.
  migrate   Create the PostgreSQL tables of PostgresTokenStore, PostgresLock and
            PostgresWebhookDedupeStore if they do not exist (idempotent, one
            transaction; safe to run on every deploy).
  sandbox   Run the built-in lexoffice sandbox and print the environment that
            points your app at it (see passport-lexoffice sandbox --help).

Options:
  --redis <url>         Redis holding the tokens (default: $REDIS_URL). Prefer
                        $REDIS_URL when the URL has a password: argv is visible in ps.
  --prefix <prefix>     Key prefix of the RedisTokenStore (default: lexoffice:)
  --postgres <url>      PostgreSQL holding the tokens instead (default: $DATABASE_URL
                        when $REDIS_URL is not set), e.g. postgres://user@host/db.
                        Prefer $DATABASE_URL when the URL has a password.
  --tokens-table <name>, --locks-table <name>, --webhook-claims-table <name>
                        PostgreSQL table names ("table" or "schema.table"; defaults
                        lexoffice_tokens, lexoffice_locks, lexoffice_webhook_claims)
  --print-sql           migrate: print the SQL instead of running it
  --window <duration>   refresh: refresh tokens expiring within this time
                        (default: 15m, at most 2h; e.g. 90s, 15m, 1h). Make it
                        longer than the cron interval.
  --concurrency <n>     refresh: connections refreshed at once (default: 4)
  --progress            refresh: progress on stderr even when it is not a terminal
  --plaintext           the store's records are not encrypted (your app passes
                        encryption: false); otherwise LEXOFFICE_ENCRYPTION_KEYS is required
  --json                machine-readable output on stdout
  -h, --help            show this help
  -v, --version         show the version

Environment (credentials are never read from the command line):
  LEXOFFICE_CLIENT_ID, LEXOFFICE_CLIENT_SECRET   partner client credentials (refresh)
  LEXOFFICE_ENV            production (default) or sandbox
  LEXOFFICE_TOKEN_URL, LEXOFFICE_REVOKE_URL      override the OAuth endpoints
  LEXOFFICE_ENCRYPTION_KEYS  the store's encryption keys (required unless --plaintext):
                           "<keyId>:<base64 key>[,<keyId>:<base64 key>...]";
                           the first one is the current key
  REDIS_URL                Redis URL when --redis is not given
  DATABASE_URL             PostgreSQL URL when --postgres is not given (and for
                           refresh/status only when REDIS_URL is not set)

Exit status:
  0  all fine
  1  a connection was lost during this run (the user must connect again)
  2  usage error
  3  the store (Redis or PostgreSQL) is unreachable
  4  some refreshes failed for a transient reason, or the run was interrupted
     (SIGINT/SIGTERM: refreshes under way finish first); retried next run
`

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * `15m`, `90s`, `1h`, `500ms` or a plain number of seconds, to milliseconds.
 * @throws UsageError for anything else, or outside 1 ms..48 h.
 * @internal
 */
export function parseDuration(text: string, name: string): number {
  const m = DURATION.exec(text.trim())
  if (m === null) throw new UsageError(`${name} must be a duration such as 90s, 15m or 1h (got "${text}")`)
  const ms = Math.round(Number(m[1]) * UNIT_MS[m.at(2) ?? 's'])
  if (ms < 1 || ms > 48 * 3_600_000) throw new UsageError(`${name} must be between 1ms and 48h`)
  return ms
}

/**
 * Parses `argv` (without `node` and the script). Throws {@link UsageError} for anything unknown.
 * @internal
 */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedArgs {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        redis: { type: 'string' },
        prefix: { type: 'string' },
        postgres: { type: 'string' },
        'tokens-table': { type: 'string' },
        'locks-table': { type: 'string' },
        'webhook-claims-table': { type: 'string' },
        'print-sql': { type: 'boolean' },
        window: { type: 'string' },
        concurrency: { type: 'string' },
        json: { type: 'boolean' },
        progress: { type: 'boolean' },
        plaintext: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const { values, positionals } = parsed
  const command = positionals.at(0)
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`)
  if (values.version === true) return { command: 'version' }
  if (command !== undefined && command !== 'refresh' && command !== 'status' && command !== 'migrate' && command !== 'help')
    throw new UsageError(`unknown command "${command}"`)
  if (values.help === true || command === 'help') return { command: 'help' }
  if (command === undefined) throw new UsageError('a command is required: refresh, status or migrate')

  const tables: PostgresTableNames = {
    ...(values['tokens-table'] !== undefined && { tokens: values['tokens-table'] }),
    ...(values['locks-table'] !== undefined && { locks: values['locks-table'] }),
    ...(values['webhook-claims-table'] !== undefined && { webhookClaims: values['webhook-claims-table'] }),
  }
  try {
    resolvePostgresTables(tables)
  } catch (err) {
    const flags: Record<string, string> = { tokens: '--tokens-table', locks: '--locks-table', webhookClaims: '--webhook-claims-table' }
    throw new UsageError((err as Error).message.replace(/"tables\.(\w+)"/, (_, key: string) => flags[key] ?? key))
  }
  if (command === 'migrate') {
    for (const opt of ['redis', 'prefix', 'window', 'concurrency', 'progress', 'json', 'plaintext'] as const) {
      if (values[opt] !== undefined) throw new UsageError(`--${opt} does not apply to migrate`)
    }
    const printSQL = values['print-sql'] === true
    const postgresURL = values.postgres ?? env.DATABASE_URL
    if (!printSQL && (postgresURL === undefined || postgresURL === ''))
      throw new UsageError('--postgres <url> (or DATABASE_URL) is required')
    if (postgresURL !== undefined && postgresURL !== '') assertPostgresURL(postgresURL)
    return { command, ...(postgresURL !== undefined && postgresURL !== '' && { postgresURL }), tables, printSQL }
  }
  if (values['print-sql'] !== undefined) throw new UsageError('--print-sql applies to migrate')
  const store = storeArgs(values, env, tables)
  const json = values.json === true
  const plaintext = values.plaintext === true
  // Shared stores encrypt tokens unless the app opted out; the command must be told which.
  if (plaintext && env.LEXOFFICE_ENCRYPTION_KEYS?.trim())
    throw new UsageError('--plaintext and LEXOFFICE_ENCRYPTION_KEYS exclude each other')
  if (!plaintext && !env.LEXOFFICE_ENCRYPTION_KEYS?.trim()) {
    throw new UsageError(
      'LEXOFFICE_ENCRYPTION_KEYS must be set to the keys your app encrypts tokens with, or --plaintext given for a store written with encryption: false',
    )
  }

  if (command === 'status') {
    for (const opt of ['window', 'concurrency', 'progress'] as const) {
      if (values[opt] !== undefined) throw new UsageError(`--${opt} applies to refresh, not status`)
    }
    return { command, ...store, json, plaintext }
  }
  const windowMs = parseDuration(values.window ?? '15m', '--window')
  if (windowMs > 2 * 3_600_000) throw new UsageError('--window must be at most 2h (half the lifetime of a lexoffice access token)')
  const concurrencyText = values.concurrency ?? '4'
  if (!/^\d+$/.test(concurrencyText) || Number(concurrencyText) < 1 || Number(concurrencyText) > 100)
    throw new UsageError('--concurrency must be an integer between 1 and 100')
  return { command, ...store, windowMs, concurrency: Number(concurrencyText), json, progress: values.progress === true, plaintext }
}

/**
 * The store of refresh and status: `--postgres`, or `--redis`, or else `REDIS_URL` (first, as
 * before PostgreSQL was supported), or else `DATABASE_URL`.
 */
function storeArgs(
  values: { redis?: string | undefined; prefix?: string | undefined; postgres?: string | undefined },
  env: NodeJS.ProcessEnv,
  tables: PostgresTableNames,
): StoreArgs {
  if (values.redis !== undefined && values.postgres !== undefined) throw new UsageError('give either --redis or --postgres, not both')
  const postgresURL = values.postgres ?? (values.redis === undefined && !env.REDIS_URL ? env.DATABASE_URL : undefined)
  if (postgresURL !== undefined && postgresURL !== '') {
    if (values.prefix !== undefined) throw new UsageError('--prefix applies to Redis; PostgreSQL uses --tokens-table')
    assertPostgresURL(postgresURL)
    return { postgresURL, tables }
  }
  if (Object.keys(tables).length > 0) throw new UsageError('--tokens-table, --locks-table and --webhook-claims-table apply to PostgreSQL')
  const redisURL = values.redis ?? env.REDIS_URL
  if (redisURL === undefined || redisURL === '')
    throw new UsageError('--redis <url> (or REDIS_URL) is required, or --postgres <url> (or DATABASE_URL)')
  let url: URL
  try {
    url = new URL(redisURL)
  } catch {
    throw new UsageError('--redis must be a redis:// or rediss:// URL')
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new UsageError('--redis must be a redis:// or rediss:// URL')
  const prefix = values.prefix ?? 'lexoffice:'
  if (prefix.length > 200) throw new UsageError('--prefix is too long')
  return { redisURL, prefix }
}

function assertPostgresURL(text: string): void {
  let url: URL | undefined
  try {
    url = new URL(text)
  } catch {
    url = undefined
  }
  if (url?.protocol !== 'postgres:' && url?.protocol !== 'postgresql:')
    throw new UsageError('--postgres must be a postgres:// or postgresql:// URL')
}

/**
 * The URL without user and password, for messages.
 * @internal
 */
export function redactURL(redisURL: string): string {
  try {
    const url = new URL(redisURL)
    url.username = ''
    url.password = ''
    return url.toString()
  } catch {
    return '<invalid URL>'
  }
}

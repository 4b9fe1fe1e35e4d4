/**
 * The `passport-lexoffice` command: `refresh` keeps idle lexoffice connections alive from cron,
 * `status` lists them. See {@link HELP} (`passport-lexoffice --help`) for options, environment
 * and exit codes.
 *
 * Client credentials come from the environment only (`LEXOFFICE_CLIENT_ID`,
 * `LEXOFFICE_CLIENT_SECRET`), never from argv, which every user of the machine can read with
 * `ps`. The store's client (node-redis or a `pg` pool, optional peer dependencies) is created here and closed
 * at the end, so the process exits on its own.
 *
 * @example
 * ```sh
 * # crontab: every minute; cron mails the operator when a connection was lost (exit 1)
 * * * * * * . /etc/myapp/lexoffice.env && npx passport-lexoffice refresh --window 15m
 * ```
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TokenManager } from '../tokens/TokenManager'
import { HELP, UsageError, parseCommandLine, type ParsedArgs } from './args'
import { ExitCode, refreshCommand, statusCommand, type CommandIO } from './commands'
import { encryptionFromEnv, oauthFromEnv } from './env'
import { migrateCommand } from './migrateCommand'
import { type OpenedStore, openStore, whereIs } from './openStore'
import { printable } from './format'
import { MissingPeerError } from '../options/loadOptionalPeer'
import { sandboxCommand } from './sandboxCommand'

export { HELP } from './args'

/**
 * What {@link main} reads and writes; `process` by default. `onSignal` lets `refresh` finish the
 * refreshes under way on Ctrl-C/SIGTERM instead of dying between lexoffice's rotation and the store write.
 *
 * @example
 * ```ts
 * const io: CliIO = { stdout: process.stdout, stderr: process.stderr, now: Date.now }
 * ```
 */
export interface CliIO extends CommandIO {
  onSignal?: (handler: () => void) => () => void
}

/**
 * Runs the command line `argv` (without `node` and the script) and resolves the exit code:
 * 0 all fine, 1 a connection was lost, 2 usage error, 3 store (Redis or PostgreSQL) unreachable, 4 some refreshes
 * failed transiently (or an unexpected error). Never prints a token or a secret.
 *
 * @example
 * ```ts
 * const code = await main(['status', '--json'], { REDIS_URL: 'redis://127.0.0.1:6379' })
 * ```
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, io: CliIO = processIO()): Promise<number> {
  if (argv[0] === 'sandbox') {
    return sandboxCommand(argv.slice(1), {
      ...io,
      untilStopped: () =>
        new Promise<void>((resolve) => {
          const unlisten = io.onSignal?.(() => {
            unlisten?.()
            resolve()
          })
        }),
    })
  }
  let args: ParsedArgs
  let oauth: ReturnType<typeof oauthFromEnv> | undefined
  let encryption: ReturnType<typeof encryptionFromEnv>
  try {
    args = parseCommandLine(argv, env)
    if (args.command === 'refresh') oauth = oauthFromEnv(env)
    encryption = encryptionFromEnv(env, ({ key, reason }) =>
      io.stderr.write(`warning: the record of ${printable(key)} cannot be decrypted (${reason}); check LEXOFFICE_ENCRYPTION_KEYS\n`),
    )
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    io.stderr.write(`passport-lexoffice: ${err.message}\nRun "passport-lexoffice --help" for usage.\n`)
    return ExitCode.USAGE
  }
  if (args.command === 'help') {
    io.stdout.write(HELP)
    return ExitCode.OK
  }
  if (args.command === 'version') {
    io.stdout.write(`${packageVersion()}\n`)
    return ExitCode.OK
  }

  if (args.command === 'migrate') {
    try {
      return await migrateCommand(args, io)
    } catch (err) {
      if (err instanceof MissingPeerError) return missingPeer(err, io)
      const unreachable = (err as { code?: unknown }).code !== 'STORE_UNAVAILABLE'
      io.stderr.write(
        `passport-lexoffice: ${unreachable ? 'cannot reach' : 'migration failed on'} ${whereIs({ postgresURL: args.postgresURL ?? '' })} (${describeError(err)})\n`,
      )
      return unreachable ? ExitCode.STORE_UNREACHABLE : ExitCode.FAILED
    }
  }

  let opened: OpenedStore
  try {
    // Refreshes run `concurrency` at a time, each with a lock query beside its store queries.
    opened = await openStore(args, encryption, args.command === 'refresh' ? args.concurrency + 2 : 2)
  } catch (err) {
    if (err instanceof MissingPeerError) return missingPeer(err, io)
    io.stderr.write(`passport-lexoffice: cannot reach ${whereIs(args)} (${describeError(err)})\n`)
    return ExitCode.STORE_UNREACHABLE
  }
  try {
    const { store } = opened
    if (args.command === 'status') return await statusCommand({ store }, args, io)

    let stopping = false
    const unlisten = io.onSignal?.(() => {
      if (!stopping) io.stderr.write('passport-lexoffice: stopping after the refreshes under way (signal again to abort)\n')
      stopping = true
    })
    try {
      // The same TokenManager as the app: its one locked refresh path, asked for `window` of validity.
      if (oauth === undefined) throw new TypeError('the refresh command reads its OAuth settings first')
      const manager = new TokenManager({ store, oauth })
      return await refreshCommand({ store, manager }, { ...args, shouldStop: () => stopping }, io)
    } finally {
      unlisten?.()
    }
  } catch (err) {
    if ((err as { code?: unknown }).code === 'STORE_UNAVAILABLE') {
      io.stderr.write(`passport-lexoffice: ${opened.where} became unreachable (${describeError(err)})\n`)
      return ExitCode.STORE_UNREACHABLE
    }
    io.stderr.write(`passport-lexoffice: ${describeError(err)}\n`)
    return ExitCode.FAILED
  } finally {
    await opened.close()
  }
}

/** A store package the command needs is not installed: say which, and how to install it (a setup error, exit 2). */
function missingPeer(err: MissingPeerError, io: CommandIO): number {
  io.stderr.write(`passport-lexoffice: ${err.message}\n`)
  return ExitCode.USAGE
}

/** A one-line, secret-free description: code and message of our errors and of socket errors. */
function describeError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | null
  const code = typeof e?.code === 'string' ? e.code : undefined
  const message = typeof e?.message === 'string' ? e.message.replace(/\b(rediss?|postgres(?:ql)?):\/\/\S*/gi, '<$1 URL>') : undefined
  const text = [code, message].filter((x) => x !== undefined && x !== '').join(': ')
  return printable(text || (typeof e?.name === 'string' ? e.name : 'unknown error')).slice(0, 300)
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    now: Date.now,
    onSignal: (handler) => {
      let count = 0
      const listener = (signal: NodeJS.Signals): void => {
        count++
        if (count > 1)
          process.exit(signal === 'SIGINT' ? 130 : 143) // second signal: abort now
        else handler()
      }
      process.on('SIGINT', listener)
      process.on('SIGTERM', listener)
      return () => {
        process.off('SIGINT', listener)
        process.off('SIGTERM', listener)
      }
    },
  }
}

/**
 * Runs the command with `process.argv` and sets `process.exitCode`; the `bin` shim calls it.
 *
 * @example
 * ```ts
 * require('passport-lexoffice/dist/cli/main.js').run()
 * ```
 */
export function run(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (err: unknown) => {
      process.stderr.write(`passport-lexoffice: ${describeError(err)}\n`)
      process.exitCode = ExitCode.FAILED
    },
  )
}

if (require.main === module) run()

import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { DEFAULT_SANDBOX_CLIENT, createSandbox } from '../sandbox'
import type { Sandbox } from '../sandbox/Sandbox'
import { ExitCode, type CommandIO } from './commands'

/** The callback paths of the ready-made routes (sign in, connect), registered by default. */
const DEFAULT_CALLBACK_PATHS = ['/auth/lexoffice/callback', '/lexoffice/callback']

/** Help of `passport-lexoffice sandbox`. @internal */
export const SANDBOX_HELP = `Usage: passport-lexoffice sandbox [options]

Starts the built-in lexoffice sandbox (OAuth server and API with demo data) and prints the
environment variables that point an app made with createLexoffice() at it. Runs until Ctrl-C.

Options:
  --port <port>          port to listen on (default: 4010; 0 picks a free one)
  --host <host>          loopback address to listen on (default: 127.0.0.1)
  --base-url <url>       your app's BASE_URL (default: http://localhost:3000); its
                         ${DEFAULT_CALLBACK_PATHS.join(' and ')} are registered
  --redirect-uri <url>   register another exact redirect URI (repeatable)
  --consent              show the consent page instead of approving at once
  -h, --help             show this help
`

/** What the command needs besides IO: a way to wait for Ctrl-C. @internal */
export interface SandboxCommandIO extends CommandIO {
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  untilStopped(): Promise<void>
  /** Called with the running sandbox (tests use it). */
  onStarted?(sandbox: Sandbox): void
}

/**
 * `passport-lexoffice sandbox`: runs the sandbox in the foreground so that the README's Quick
 * start runs unchanged against it, offline. Resolves the exit code when stopped. @internal
 */
export async function sandboxCommand(argv: readonly string[], io: SandboxCommandIO): Promise<number> {
  let values: { port?: string; host?: string; 'base-url'?: string; 'redirect-uri'?: string[]; consent?: boolean; help?: boolean }
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'base-url': { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        consent: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (err) {
    return usage(io, (err as Error).message)
  }
  if (values.help === true) {
    io.stdout.write(SANDBOX_HELP)
    return ExitCode.OK
  }
  const port = Number(values.port ?? 4010)
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usage(io, '--port must be a port number (0-65535)')
  const baseURL = (values['base-url'] ?? 'http://localhost:3000').replace(/\/+$/, '')
  let redirectUris: string[]
  try {
    const base = new URL(baseURL)
    if (base.search !== '' || base.hash !== '') throw new Error('no query or fragment')
    redirectUris = [...DEFAULT_CALLBACK_PATHS.map((path) => `${baseURL}${path}`), ...(values['redirect-uri'] ?? [])]
  } catch {
    return usage(io, '--base-url must be an absolute URL such as http://localhost:3000')
  }

  let sandbox: Sandbox
  try {
    sandbox = await createSandbox({
      port,
      host: values.host ?? '127.0.0.1',
      autoApprove: values.consent !== true,
      clients: [{ ...DEFAULT_SANDBOX_CLIENT, redirectUris }],
    })
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code === 'EADDRINUSE') io.stderr.write(`passport-lexoffice: port ${port} is in use; choose another with --port\n`)
    else if (code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE') return usage(io, (err as Error).message)
    else io.stderr.write(`passport-lexoffice: the sandbox could not start (${typeof code === 'string' ? code : 'error'})\n`)
    return ExitCode.FAILED
  }
  io.onStarted?.(sandbox)
  const { organizationId, companyName } = sandbox.organization
  io.stdout.write(
    [
      `lexoffice sandbox running at ${sandbox.url} (Ctrl-C to stop)`,
      `Demo organisation: ${companyName} (${organizationId}); ${values.consent === true ? 'logins show a consent page' : 'logins are approved at once'}.`,
      '',
      'Point your app at it:',
      '',
      `export LEXOFFICE_CLIENT_ID=${sandbox.client.clientID}`,
      `export LEXOFFICE_CLIENT_SECRET=${sandbox.client.clientSecret}`,
      `export LEXOFFICE_AUTH_URL=${sandbox.url}`,
      `export LEXOFFICE_API_URL=${sandbox.url}`,
      `export BASE_URL=${baseURL}`,
      `export SESSION_SECRET=${randomBytes(24).toString('base64url')}  # your app's own session secret`,
      '',
      `Registered redirect URIs: ${redirectUris.join(', ')}`,
      '',
    ].join('\n'),
  )
  await io.untilStopped()
  await sandbox.close()
  return ExitCode.OK
}

function usage(io: CommandIO, message: string): number {
  io.stderr.write(`passport-lexoffice: ${message}\nRun "passport-lexoffice sandbox --help" for usage.\n`)
  return ExitCode.USAGE
}

/**
 * The `refresh` and `status` commands over an already opened store (and manager). `main.ts`
 * opens the store (Redis or PostgreSQL), builds these dependencies, maps errors to exit codes and closes everything.
 *
 * @internal
 */
import type { TokenStore } from '../tokens/TokenStore'
import { type RefresherManager, type RefreshRunSummary, runRefreshOnce } from '../refresher/runRefreshOnce'
import { listConnectionStatus } from '../refresher/listConnectionStatus'
import { formatRefreshSummary, formatStatusTable, printable } from './format'

/**
 * Where a command writes, and its clock.
 * @internal
 */
export interface CommandIO {
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown; isTTY?: boolean }
  now: () => number
}

/**
 * Exit codes of the command: 0 all fine, 1 a connection was lost, 2 usage error, 3 store (Redis or PostgreSQL)
 * unreachable, 4 transient failures or an interrupted run.
 * @internal
 */
export const ExitCode = { OK: 0, LOST: 1, USAGE: 2, STORE_UNREACHABLE: 3, FAILED: 4 } as const

/**
 * `refresh`: one pass of {@link runRefreshOnce}; prints the summary and resolves the exit code.
 * Throws when the scan fails (store unreachable).
 * @internal
 */
export async function refreshCommand(
  deps: { store: TokenStore; manager: RefresherManager },
  args: { windowMs: number; concurrency: number; json: boolean; progress: boolean; shouldStop?: () => boolean },
  io: CommandIO,
): Promise<number> {
  const showProgress = args.progress || io.stderr.isTTY === true
  const overwrite = io.stderr.isTTY === true
  const summary: RefreshRunSummary = await runRefreshOnce({
    manager: deps.manager,
    store: deps.store,
    windowMs: args.windowMs,
    concurrency: args.concurrency,
    now: io.now,
    ...(args.shouldStop !== undefined && { shouldStop: args.shouldStop }),
    ...(showProgress && {
      onConnection: (result, done, total) => {
        const line = `refreshing ${done}/${total}: ${printable(result.key)} ${result.outcome}`
        io.stderr.write(overwrite ? `\r\u001b[K${line}${done === total ? '\n' : ''}` : `${line}\n`)
      },
    }),
  })
  io.stdout.write(args.json ? `${JSON.stringify({ windowMs: args.windowMs, ...summary })}\n` : formatRefreshSummary(summary, args.windowMs))
  if (summary.lost > 0) return ExitCode.LOST
  if (summary.failed > 0 || summary.notStarted > 0) return ExitCode.FAILED
  return ExitCode.OK
}

/**
 * `status`: lists the connections (table or JSON, never a token); resolves the exit code (0).
 * @internal
 */
export async function statusCommand(deps: { store: TokenStore }, args: { json: boolean }, io: CommandIO): Promise<number> {
  const now = io.now()
  const rows = await listConnectionStatus(deps.store, { now })
  io.stdout.write(args.json ? `${JSON.stringify({ checkedAt: now, connections: rows }, null, 2)}\n` : formatStatusTable(rows, now))
  return ExitCode.OK
}

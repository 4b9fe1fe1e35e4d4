/**
 * Small helpers shared by the benchmark scripts: statistics, tables, arguments, child
 * processes, an HTTP cookie jar. Nothing here prints a token or a secret.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import path from 'node:path'
import { createClient } from 'redis'
import { benchEncryption } from './encryption'

/** Median of a list (NaN when empty). */
export function median(values: readonly number[]): number {
  return percentile(values, 50)
}

/** Nearest-rank percentile (p in 0..100) of a list (NaN when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]
}

/** Formats a number with `digits` decimals ('-' for NaN/undefined). */
export function fmt(value: number | undefined, digits = 2): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits)
}

/** Prints a plain-text table with a title; numbers should already be formatted. */
export function printTable(title: string, header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): void {
  const cells = [header.map(String), ...rows.map((r) => r.map(String))]
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: readonly string[]): string => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |'
  console.log(`\n${title}`)
  console.log(line(cells[0]))
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|')
  for (const r of cells.slice(1)) console.log(line(r))
}

/** `--name value` / `--name=value` from argv, parsed as a number, else `fallback`. */
export function numberArg(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const raw = stringArg(name, undefined, argv)
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got ${raw})`)
  return n
}

/** `--name value` / `--name=value` from argv as a string, else `fallback`. */
export function stringArg<T extends string | undefined>(name: string, fallback: T, argv: readonly string[] = process.argv): string | T {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === `--${name}`) return argv[i + 1] ?? fallback
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3)
  }
  return fallback
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Milliseconds from a monotonic clock. */
export const nowMs = (): number => performance.now()

/** Listens on 127.0.0.1 port 0 and resolves the base URL. */
export async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Rejects after `ms` with `what` in the message; bounds every wait of the benchmarks. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/**
 * Starts a child script of bench/ (`file` named with `.ts`), IPC on. When the benchmarks run
 * compiled (`npm run bench` builds them with tsc first), the compiled `.js` sibling is started
 * as is; under ts-node, the `.ts` file with ts-node (slow start: every child transpiles lib/).
 * The child's argv is `args` followed by this process's flags.
 */
export function forkTs(file: string, execArgv: string[] = [], args: string[] = []): ChildProcess {
  benchEncryption() // the child inherits the run's token key through the environment
  const compiled = __filename.endsWith('.js')
  const target = path.join(__dirname, '..', compiled ? file.replace(/\.ts$/, '.js') : file)
  // `args` first: stringArg() takes the first occurrence, so they win over the run's own flags.
  return fork(target, [...args, ...process.argv.slice(2)], {
    execArgv: compiled ? execArgv : [...execArgv, '-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
}

/** The next IPC message of `child` that satisfies `match`, bounded by `ms`. */
export function nextMessage<M>(child: ChildProcess, match: (m: M) => boolean, ms: number, what: string): Promise<M> {
  return withTimeout(
    new Promise<M>((resolve, reject) => {
      const onMessage = (m: M): void => {
        if ((m as { type?: string }).type === 'fatal') {
          cleanup()
          reject(new Error(`child failed: ${(m as unknown as { message: string }).message}`))
        } else if (match(m)) {
          cleanup()
          resolve(m)
        }
      }
      const onExit = (code: number | null): void => {
        cleanup()
        reject(new Error(`child exited (${code}) while waiting for ${what}`))
      }
      const cleanup = (): void => {
        child.off('message', onMessage)
        child.off('exit', onExit)
      }
      child.on('message', onMessage)
      child.on('exit', onExit)
    }),
    ms,
    what,
  )
}

/**
 * Sends `message` to every child and waits for each one's next message that satisfies `match`
 * (listening before sending, so that no quick answer is missed).
 */
export function askAll<M>(
  children: readonly ChildProcess[],
  message: object,
  match: (m: M) => boolean,
  ms: number,
  what: string,
): Promise<M[]> {
  return Promise.all(
    children.map((c) => {
      const answer = nextMessage<M>(c, match, ms, what)
      c.send(message)
      return answer
    }),
  )
}

/**
 * In a child: runs `handle` for each message from the parent, one after the other as they come;
 * a failure goes back to the parent as `{ type: 'fatal', message }`, which {@link nextMessage} turns
 * into a rejection there.
 */
export function onParentMessage(handle: (m: never) => Promise<void>): void {
  // IPC data carries no type: each child's handler declares the messages its parent sends.
  process.on('message', (m) => {
    void handle(m as never).catch((err: unknown) =>
      process.send?.({ type: 'fatal', message: err instanceof Error ? err.message : String(err) }),
    )
  })
}

/** Sends `exit`, then kills the child if it is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  if (child.connected) child.send({ type: 'exit' }, () => undefined)
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/** A minimal cookie jar for fetch: keeps name=value of Set-Cookie, sends them back. */
export class CookieJar {
  readonly #cookies = new Map<string, string>()

  /** Stores the cookies a response set. */
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';', 1)[0]
      const eq = pair.indexOf('=')
      if (eq > 0) this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim())
    }
  }

  /** The Cookie header value ('' when empty). */
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  /** The raw value of one cookie. */
  get(name: string): string | undefined {
    return this.#cookies.get(name)
  }

  /** GET `url` with the jar's cookies, redirect not followed; stores new cookies. */
  async get_(url: string): Promise<Response> {
    const cookie = this.header()
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} })
    this.take(res)
    return res
  }
}

/** Follows one login: GET loginURL -> authorize (auto-approve) -> callback; resolves the final redirect target. */
export async function driveLogin(jar: CookieJar, loginURL: string): Promise<string> {
  const start = await jar.get_(loginURL)
  const toAuthorize = start.headers.get('location')
  await start.body?.cancel()
  if (start.status !== 302 || !toAuthorize) throw new Error(`login start answered ${start.status}`)
  const authz = await fetch(toAuthorize, { redirect: 'manual' })
  const toCallback = authz.headers.get('location')
  await authz.body?.cancel()
  if (authz.status !== 302 || !toCallback) throw new Error(`authorize answered ${authz.status}`)
  if (new URL(toCallback).searchParams.has('error'))
    throw new Error(`authorize redirected with error ${new URL(toCallback).searchParams.get('error')}`)
  const cb = await jar.get_(toCallback)
  const done = cb.headers.get('location')
  await cb.body?.cancel()
  if (cb.status !== 302 || !done) throw new Error(`callback answered ${cb.status}`)
  return done
}

/**
 * A connected node-redis client for `url`. No offline queue, so that a lost server fails the
 * commands at once; connection errors are left to those failed commands (an unheeded `error`
 * event would end the process).
 */
export async function connectRedis(url: string) {
  const redis = createClient({ url, disableOfflineQueue: true })
  redis.on('error', () => undefined)
  await redis.connect()
  return redis
}

/** A node-redis client as {@link connectRedis} makes it. */
export type BenchRedis = Awaited<ReturnType<typeof connectRedis>>

/** Deletes the keys a run left in Redis under `pattern` (KEYS is fine on the benchmarks' own server). */
export async function deleteKeys(redis: BenchRedis, pattern: string): Promise<void> {
  const leftovers = await redis.keys(pattern)
  if (leftovers.length > 0) await redis.del(leftovers)
}

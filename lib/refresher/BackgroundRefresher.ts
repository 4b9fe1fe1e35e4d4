import { EventEmitter } from 'node:events'
import type { TokenStore } from '../tokens/TokenStore'
import { assertFunction, assertInteger, assertKnownKeys, assertNumber, assertObject, invalidArg } from '../options/assert'
import { optionKeys } from '../options/optionKeys'
import type { RateLimiter } from '../client/rateLimit/RateLimiter'
import {
  DEFAULT_TOKEN_CALLS_PER_SECOND,
  type RefresherManager,
  type RefreshRunSummary,
  runRefreshOnce,
  tokenCallPacer,
} from './runRefreshOnce'

/** A timer handle as returned by `setTimeout` (Node's `Timeout` has `unref`). */
type TimerHandle = unknown

/**
 * Options of {@link BackgroundRefresher}.
 *
 * @example
 * ```ts
 * const options: BackgroundRefresherOptions = { manager, store, intervalMs: 60_000, windowMs: 15 * 60_000 }
 * ```
 */
export interface BackgroundRefresherOptions {
  /** The token manager: its `getAccessToken` is the only refresh path used. */
  manager: RefresherManager & { readonly store?: TokenStore; readonly refreshAheadMs?: number }
  /** The store to scan (needs `listDue`). Default: `manager.store`. */
  store?: TokenStore
  /**
   * After each run every connection is valid for at least this long: connections whose access
   * token expires within the window are refreshed (`getAccessToken(key, { minValidityMs })`).
   * Default: `manager.refreshAheadMs` when the manager exposes it, else 15 minutes (lexoffice
   * integrations refresh at the latest 15 minutes before the 4 h expiry). At most 2 hours (half
   * the lexoffice token lifetime, or every run would refresh everything); larger than `intervalMs`.
   */
  windowMs?: number
  /** Time between the end of one run and the start of the next. Default 60 000 (1 minute). */
  intervalMs?: number
  /** Connections refreshed at the same time. Default 4. */
  concurrency?: number
  /**
   * At most this many refreshes start per second in this process, across runs. Default 5:
   * lexoffice publishes no limit for its token endpoint and may block a client that exceeds it
   * (docs/lexoffice.md §2b); with several instances the limits add up.
   */
  tokenCallsPerSecond?: number
  /**
   * Random extra delay (0..jitterMs) before each scheduled run, so that several app instances
   * started together do not scan at the same moment. Default `min(10_000, intervalMs / 4)`.
   * `runOnce()` is never delayed.
   */
  jitterMs?: number
  /** Called with the figures of every run (scheduled or `runOnce()`); exceptions are ignored. */
  onRun?: (summary: RefreshRunSummary) => void
  /** Clock in ms since epoch. Default `Date.now`. Test seam, not an option. @internal */
  now?: () => number
  /** Random number in [0, 1) for the jitter. Default `Math.random`. Test seam, not an option. @internal */
  random?: () => number
  /** Timer functions (tests). Default the global ones; the handle's `unref()` is called when present. Test seam, not an option. @internal */
  setTimeout?: (fn: () => void, ms: number) => TimerHandle
  /** Test seam, not an option. @internal */
  clearTimeout?: (handle: TimerHandle) => void
}

/** Half of lexoffice's 4 h access-token lifetime. */
const MAX_WINDOW_MS = 2 * 3_600_000

const KNOWN_OPTIONS = optionKeys<BackgroundRefresherOptions>()([
  'manager',
  'store',
  'windowMs',
  'intervalMs',
  'concurrency',
  'tokenCallsPerSecond',
  'jitterMs',
  'onRun',
  'now',
  'random',
  'setTimeout',
  'clearTimeout',
])

/**
 * Events of {@link BackgroundRefresher}.
 *
 * @example
 * ```ts
 * refresher.on('runError', (err) => log.error({ code: (err as { code?: string }).code }, 'lexoffice refresh scan failed'))
 * ```
 */
export interface BackgroundRefresherEvents {
  /** After every run, with its figures. */
  run: [summary: RefreshRunSummary]
  /** A scheduled run failed as a whole (the scan: store unreachable). The schedule goes on. */
  runError: [error: unknown]
}

/**
 * Keeps idle lexoffice connections alive. lexoffice access tokens live 4 hours and the refresh
 * token rotates on every refresh; a connection nobody uses for long enough can be lost. The
 * refresher scans the token store every `intervalMs` for connections expiring within `windowMs`
 * and refreshes each through `manager.getAccessToken(key, { minValidityMs: windowMs })` - the manager's single refresh path
 * with its in-process coalescing and cross-process Redis lock. So several app instances can run a
 * refresher at the same time, next to request-time refreshes, without refreshing a connection twice.
 *
 * The timer is `unref()`'d: a running refresher does not keep the process alive. Runs never
 * overlap: the next run is scheduled when the previous one has finished.
 *
 * Events: `run` (figures of each run, see {@link RefreshRunSummary}) and `runError` (the scan
 * itself failed; the schedule goes on).
 *
 * @example
 * ```ts
 * import { BackgroundRefresher } from 'passport-lexoffice'
 * const refresher = new BackgroundRefresher({ manager, store })
 * refresher.on('run', (s) => { if (s.lost > 0 || s.failed > 0) console.warn('lexoffice refresh', s) })
 * refresher.start()
 * process.on('SIGTERM', async () => { await refresher.stop(); process.exit(0) })
 * ```
 */
export class BackgroundRefresher extends EventEmitter<BackgroundRefresherEvents> {
  /** The window in ms (resolved). */
  readonly windowMs: number
  /** The interval in ms (resolved). */
  readonly intervalMs: number
  /** Concurrent refreshes per run (resolved). */
  readonly concurrency: number
  /** Refreshes started per second at most (see the option). */
  readonly tokenCallsPerSecond: number
  /** Maximum jitter in ms (resolved). */
  readonly jitterMs: number

  readonly #manager: RefresherManager
  readonly #store: TokenStore
  readonly #onRun: ((summary: RefreshRunSummary) => void) | undefined
  readonly #now: () => number
  readonly #random: () => number
  readonly #setTimeout: (fn: () => void, ms: number) => TimerHandle
  readonly #clearTimeout: (handle: TimerHandle) => void
  #running = false
  #stopping = false
  #timer: TimerHandle // undefined when no run is scheduled
  #inFlight: Promise<RefreshRunSummary> | undefined
  readonly #pacer: RateLimiter

  /**
   * @throws TypeError (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for a missing manager, a
   * store without `listDue`, `windowMs <= intervalMs`, or other invalid options.
   */
  constructor(options: BackgroundRefresherOptions) {
    super()
    assertObject(options, 'options')
    assertKnownKeys(options, KNOWN_OPTIONS, 'BackgroundRefresher')
    const { manager } = options
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
    if (manager === null || typeof manager !== 'object' || typeof manager.getAccessToken !== 'function')
      throw invalidArg('ERR_INVALID_ARG_TYPE', '"manager" must be a TokenManager')
    const store = options.store ?? manager.store
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a run-time check: JavaScript callers and stored data do not follow the static type
    if (store === undefined || store === null || typeof store !== 'object')
      throw invalidArg('ERR_INVALID_ARG_TYPE', '"store" is required when the manager does not expose one')
    if (typeof store.listDue !== 'function')
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"store" must implement listDue() to be scanned by the background refresher')

    this.intervalMs = options.intervalMs ?? 60_000
    assertInteger(this.intervalMs, 'intervalMs', 1)
    this.windowMs = options.windowMs ?? manager.refreshAheadMs ?? 15 * 60_000
    assertInteger(this.windowMs, 'windowMs', 1, MAX_WINDOW_MS)
    if (this.windowMs <= this.intervalMs)
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"windowMs" must be larger than "intervalMs", or tokens can expire between runs')
    this.concurrency = options.concurrency ?? 4
    assertInteger(this.concurrency, 'concurrency', 1, 1000)
    this.jitterMs = options.jitterMs ?? Math.min(10_000, Math.floor(this.intervalMs / 4))
    assertInteger(this.jitterMs, 'jitterMs', 0)
    for (const name of ['onRun', 'now', 'random', 'setTimeout', 'clearTimeout'] as const) {
      if (options[name] !== undefined) assertFunction(options[name], name)
    }
    if ((options.setTimeout === undefined) !== (options.clearTimeout === undefined))
      throw invalidArg('ERR_INVALID_ARG_VALUE', '"setTimeout" and "clearTimeout" must be given together')

    this.#manager = manager
    this.#store = store
    this.#onRun = options.onRun
    this.#now = options.now ?? Date.now
    this.#random = options.random ?? Math.random
    this.#setTimeout = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms))
    this.#clearTimeout = options.clearTimeout ?? ((handle) => clearTimeout(handle as NodeJS.Timeout))
    this.tokenCallsPerSecond = options.tokenCallsPerSecond ?? DEFAULT_TOKEN_CALLS_PER_SECOND
    assertNumber(this.tokenCallsPerSecond, 'tokenCallsPerSecond', 0.01, 1000)
    // The injected timers pace too, so that a test on a fake clock proves the schedule without waiting.
    this.#pacer = tokenCallPacer(this.tokenCallsPerSecond, {
      now: this.#now,
      sleep: (ms) => (ms <= 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#setTimeout(resolve, ms))),
    })
  }

  /** `true` between `start()` and `stop()`. */
  get running(): boolean {
    return this.#running
  }

  /**
   * Starts the schedule: the first run after a random delay of up to `jitterMs`, then one run
   * `intervalMs` (+ jitter) after the previous one finished. Calling it while running does nothing.
   *
   * @throws Error when called after `stop()` (a stopped refresher does not restart; create a new one).
   * @example
   * ```ts
   * new BackgroundRefresher({ manager, store }).start()
   * ```
   */
  start(): this {
    if (this.#stopping) throw new Error('this BackgroundRefresher was stopped; create a new one')
    if (this.#running) return this
    this.#running = true
    this.#schedule(this.#jitter())
    return this
  }

  /**
   * Stops the schedule and resolves when the run in progress (if any) has finished. A run in
   * progress starts no further connection after `stop()`, but lets the refreshes already under way
   * complete (a refresh interrupted between lexoffice's rotation and the store write would lose the
   * connection). No run starts afterwards; `runOnce()` rejects.
   *
   * @example
   * ```ts
   * process.on('SIGTERM', () => { void refresher.stop().then(() => server.close()) })
   * ```
   */
  async stop(): Promise<void> {
    this.#stopping = true
    this.#running = false
    if (this.#timer !== undefined) {
      this.#clearTimeout(this.#timer)
      this.#timer = undefined
    }
    if (this.#inFlight !== undefined) await this.#inFlight.catch(() => undefined)
  }

  /**
   * Runs one scan now and resolves with its figures (also emitted as `run` and passed to `onRun`).
   * When a run is already in progress, resolves with that run's figures instead of starting a
   * second one.
   *
   * @throws the store's error when the scan fails (e.g. `STORE_UNAVAILABLE`); Error after `stop()`.
   * @example
   * ```ts
   * const { refreshed, lost } = await refresher.runOnce()
   * ```
   */
  runOnce(): Promise<RefreshRunSummary> {
    if (this.#stopping) return Promise.reject(new Error('this BackgroundRefresher was stopped'))
    if (this.#inFlight !== undefined) return this.#inFlight
    const run = runRefreshOnce({
      manager: this.#manager,
      store: this.#store,
      windowMs: this.windowMs,
      concurrency: this.concurrency,
      pacer: this.#pacer,
      random: this.#random,
      now: this.#now,
      shouldStop: () => this.#stopping,
    }).then((summary) => {
      try {
        this.#onRun?.(summary)
      } catch {
        // A faulty hook must not stop the refresher.
      }
      this.emit('run', summary)
      return summary
    })
    this.#inFlight = run
    const clear = (): void => {
      if (this.#inFlight === run) this.#inFlight = undefined
    }
    run.then(clear, clear)
    return run
  }

  #jitter(): number {
    return this.jitterMs === 0 ? 0 : Math.floor(this.#random() * (this.jitterMs + 1))
  }

  #schedule(delayMs: number): void {
    const handle = this.#setTimeout(() => {
      this.#timer = undefined
      void this.#tick()
    }, delayMs)
    ;(handle as { unref?: () => void } | null)?.unref?.()
    this.#timer = handle
  }

  async #tick(): Promise<void> {
    if (!this.#running) return
    try {
      await this.runOnce()
    } catch (err) {
      if (this.listenerCount('runError') > 0) this.emit('runError', err)
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may have run during the await
    if (this.#running) this.#schedule(this.intervalMs + this.#jitter())
  }
}

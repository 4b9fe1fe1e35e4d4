/**
 * BackgroundRefresher against test doubles (fake manager, fake timers, injected clock) over a
 * real MemoryTokenStore. The integration tests with the real TokenManager and sandbox are in
 * refresher.redis.test.ts.
 */
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { BackgroundRefresher } from '../../lib/refresher/BackgroundRefresher'
import type { RefreshRunSummary } from '../../lib/refresher/runRefreshOnce'
import type { TokenStore } from '../../lib/tokens/TokenStore'
import { activeRecord, deferred, FakeManager, FakeTimers, lostRecord, TOKEN_MARKER } from './fakes'

const T0 = 1_800_000_000_000

function setup(
  opts: {
    ttlMs?: number
    windowMs?: number
    refreshAheadMs?: number
    intervalMs?: number
    concurrency?: number
    tokenCallsPerSecond?: number
  } = {},
) {
  let now = T0
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) }
  const store = new MemoryTokenStore()
  const manager = new FakeManager(store, clock.now, opts.ttlMs ?? 4 * 3600_000, opts.refreshAheadMs ?? opts.windowMs ?? 15 * 60_000)
  const timers = new FakeTimers()
  const refresher = new BackgroundRefresher({
    manager,
    store,
    windowMs: opts.windowMs ?? 15 * 60_000,
    intervalMs: opts.intervalMs ?? 60_000,
    concurrency: opts.concurrency ?? 4,
    // 1 ms slots: tests about outcomes and concurrency fire them with firePacing(); the pace has its own tests.
    tokenCallsPerSecond: opts.tokenCallsPerSecond ?? 1000,
    jitterMs: 0,
    now: clock.now,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
  })
  return { clock, store, manager, timers, refresher }
}

/** Lets pending promise callbacks run (no timers involved). */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

/**
 * Fires the pacing waits pending now, in the order they fall due, advancing the clock to each one
 * (all were set at the current time). Returns their delays.
 */
function firePacing(ctx: { timers: FakeTimers; clock: { now: () => number; advance: (ms: number) => void } }): number[] {
  const due = ctx.timers.pending.splice(0).sort((a, b) => a.ms - b.ms)
  let advanced = 0
  for (const t of due) {
    ctx.clock.advance(t.ms - advanced)
    advanced = t.ms
    t.fn()
  }
  return due.map((t) => t.ms)
}

/** Runs a pass to its end on the fake clock; returns its summary and every pacing wait it took. */
async function runPaced(
  ctx: { timers: FakeTimers; clock: { now: () => number; advance: (ms: number) => void }; refresher: BackgroundRefresher },
  run: Promise<RefreshRunSummary> = ctx.refresher.runOnce(),
): Promise<{ summary: RefreshRunSummary; waits: number[] }> {
  const state = { done: false }
  const waits: number[] = []
  const settled = run.finally(() => (state.done = true))
  while (!state.done) {
    await flush()
    waits.push(...firePacing(ctx))
  }
  return { summary: await settled, waits }
}

describe('BackgroundRefresher.runOnce', () => {
  it('refreshes only connections due within the window, through the manager, and counts each outcome', async () => {
    const ctx = setup()
    const { store, manager } = ctx
    await store.set('due-ok', activeRecord('due-ok', T0 + 10 * 60_000), 0)
    await store.set('due-fail', activeRecord('due-fail', T0 + 5 * 60_000), 0)
    await store.set('due-lose', activeRecord('due-lose', T0 + 60_000), 0)
    await store.set('expired', activeRecord('expired', T0 - 60_000), 0)
    await store.set('fresh', activeRecord('fresh', T0 + 3 * 3600_000), 0)
    await store.set('gone', lostRecord('token.revoked', T0 - 1000), 0)
    manager.failKeys.add('due-fail')
    manager.loseKeys.add('due-lose')

    const { summary } = await runPaced(ctx)

    expect(summary).toMatchObject({ scanned: 4, refreshed: 2, alreadyFresh: 0, failed: 1, lost: 1, skipped: 0, notStarted: 0 })
    expect([...manager.calls].sort()).toEqual(['due-fail', 'due-lose', 'due-ok', 'expired'])
    // Each call asks for a token valid for the whole window, whatever the manager's own refresh-ahead time.
    expect(manager.minValidity).toEqual([15 * 60_000, 15 * 60_000, 15 * 60_000, 15 * 60_000])
    expect(summary.connections).toEqual(
      expect.arrayContaining([
        { key: 'due-fail', outcome: 'failed', code: 'REFRESH_FAILED' },
        { key: 'due-lose', outcome: 'lost', reason: 'invalid_grant' },
      ]),
    )
    expect((await store.get('due-ok'))!.refreshCount).toBe(1)
    expect((await store.get('fresh'))!.refreshCount).toBe(0)
    expect(JSON.stringify(summary)).not.toContain(TOKEN_MARKER)
  })

  it('counts a connection another instance refreshed between the scan and the call as alreadyFresh', async () => {
    const { clock, store, manager } = setup()
    const other = new FakeManager(store, clock.now, 4 * 3600_000)
    await store.set('u1', activeRecord('u1', T0 + 60_000), 0)
    // The "other instance" refreshes right after our scan.
    const racing: TokenStore = {
      get: (k) => store.get(k),
      set: (k, r, v) => store.set(k, r, v),
      destroy: (k) => store.destroy(k),
      listDue: async (before) => {
        const keys = await store.listDue(before)
        await other.getAccessToken('u1')
        return keys
      },
    }
    const refresher = new BackgroundRefresher({ manager, store: racing, windowMs: 15 * 60_000, now: clock.now })
    const summary = await refresher.runOnce()
    expect(summary).toMatchObject({ scanned: 1, refreshed: 0, alreadyFresh: 1 })
    expect(manager.refreshes + other.refreshes).toBe(1)
  })

  it('counts a connection removed after the scan as skipped', async () => {
    const { store, manager, clock } = setup()
    await store.set('u1', activeRecord('u1', T0 + 60_000), 0)
    const vanishing: TokenStore = {
      get: (k) => store.get(k),
      set: (k, r, v) => store.set(k, r, v),
      destroy: (k) => store.destroy(k),
      listDue: async (before) => {
        const keys = await store.listDue(before)
        await store.destroy('u1')
        return keys
      },
    }
    const refresher = new BackgroundRefresher({ manager, store: vanishing, now: clock.now })
    expect(await refresher.runOnce()).toMatchObject({ scanned: 1, skipped: 1, refreshed: 0 })
  })

  it('keeps an idle connection alive for 20 token lifetimes with runs alone', async () => {
    const ttlMs = 2000
    // The manager alone would refresh 100 ms before expiry; the refresher asks for 1.5 s of validity.
    const { clock, store, manager, refresher } = setup({ ttlMs, windowMs: 1500, refreshAheadMs: 100, intervalMs: 500 })
    await store.set('idle', activeRecord('idle', T0 + ttlMs), 0)
    let refreshed = 0
    for (let elapsed = 0; elapsed < 20 * ttlMs; elapsed += 500) {
      clock.advance(500)
      const summary = await refresher.runOnce()
      refreshed += summary.refreshed
      const record = (await store.get('idle'))!
      expect(record.state).toBe('active')
      // After every run the connection is valid for at least the window.
      expect(record.tokens!.expiresAt - clock.now()).toBeGreaterThanOrEqual(1500)
    }
    expect(refreshed).toBeGreaterThanOrEqual(20)
    expect((await store.get('idle'))!.refreshCount).toBe(refreshed)
    expect(manager.refreshes).toBe(refreshed)
  })

  it('refreshes at most `concurrency` connections at a time', async () => {
    const ctx = setup({ concurrency: 3 })
    const { store, manager, refresher } = ctx
    for (let i = 0; i < 10; i++) await store.set(`k${i}`, activeRecord(`k${i}`, T0 + i * 1000), 0)
    const gate = deferred()
    manager.gate = gate.promise
    const run = refresher.runOnce()
    await flush()
    firePacing(ctx)
    await flush()
    expect(manager.inFlight).toBe(3)
    gate.resolve()
    expect((await runPaced(ctx, run)).summary).toMatchObject({ scanned: 10, refreshed: 10 })
    expect(manager.maxInFlight).toBe(3)
  })

  it('joins a run in progress instead of starting a second one', async () => {
    const { store, manager, refresher } = setup()
    await store.set('u1', activeRecord('u1', T0 + 1000), 0)
    const gate = deferred()
    manager.gate = gate.promise
    const a = refresher.runOnce()
    const b = refresher.runOnce()
    expect(b).toBe(a)
    gate.resolve()
    await a
    expect(manager.calls).toHaveLength(1)
  })

  it('reports every run to onRun and the run event', async () => {
    const store = new MemoryTokenStore()
    const manager = new FakeManager(store, () => T0, 4 * 3600_000)
    const seen: RefreshRunSummary[] = []
    const refresher = new BackgroundRefresher({
      manager,
      store,
      now: () => T0,
      onRun: (s) => {
        seen.push(s)
        throw new Error('a faulty hook is ignored')
      },
    })
    const events: RefreshRunSummary[] = []
    refresher.on('run', (s) => events.push(s))
    await store.set('u1', activeRecord('u1', T0 + 1000), 0)
    const summary = await refresher.runOnce()
    expect(seen).toEqual([summary])
    expect(events).toEqual([summary])
    expect(summary.durationMs).toBe(0)
  })

  it('rejects when the scan fails', async () => {
    const { manager } = setup()
    const broken: TokenStore = {
      get: async () => undefined,
      set: async () => false,
      destroy: async () => undefined,
      listDue: async () => {
        throw Object.assign(new Error('redis down'), { code: 'STORE_UNAVAILABLE' })
      },
    }
    const refresher = new BackgroundRefresher({ manager, store: broken })
    await expect(refresher.runOnce()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
  })
})

describe('BackgroundRefresher schedule', () => {
  it('runs after a jittered delay, then intervalMs (+ jitter) after each run ends, on unref()d timers', async () => {
    const store = new MemoryTokenStore()
    const manager = new FakeManager(store, () => T0, 4 * 3600_000)
    const timers = new FakeTimers()
    const runs: RefreshRunSummary[] = []
    const refresher = new BackgroundRefresher({
      manager,
      store,
      intervalMs: 60_000,
      jitterMs: 8000,
      random: () => 0.5,
      now: () => T0,
      setTimeout: timers.setTimeout,
      clearTimeout: timers.clearTimeout,
      onRun: (s) => runs.push(s),
    })
    await store.set('u1', activeRecord('u1', T0 + 1000), 0)
    refresher.start()
    refresher.start() // idempotent
    expect(timers.pending).toHaveLength(1)
    expect(timers.pending[0].unref).toBe(true)
    expect(timers.fire()).toBe(4000)
    await flush()
    expect(runs).toHaveLength(1)
    expect(timers.pending).toHaveLength(1)
    expect(timers.pending[0].unref).toBe(true)
    expect(timers.fire()).toBe(64_000)
    await flush()
    expect(runs).toHaveLength(2)
    await refresher.stop()
    expect(timers.pending).toHaveLength(0)
    expect(refresher.running).toBe(false)
  })

  it('does not schedule the next run before the current one has finished', async () => {
    const { store, manager, timers, refresher } = setup()
    await store.set('u1', activeRecord('u1', T0 + 1000), 0)
    const gate = deferred()
    manager.gate = gate.promise
    refresher.start()
    timers.fire()
    await flush()
    expect(timers.pending).toHaveLength(0)
    gate.resolve()
    await flush()
    expect(timers.pending).toHaveLength(1)
    await refresher.stop()
  })

  it('stop() waits for the run in progress, starts no further connection, and no run follows', async () => {
    const { store, manager, timers, refresher } = setup({ concurrency: 1 })
    await store.set('a', activeRecord('a', T0 + 1000), 0)
    await store.set('b', activeRecord('b', T0 + 2000), 0)
    const gate = deferred()
    manager.gate = gate.promise
    const runs: RefreshRunSummary[] = []
    refresher.on('run', (s) => runs.push(s))
    refresher.start()
    timers.fire()
    await flush()
    expect(manager.inFlight).toBe(1)

    let stopped = false
    const stopping = refresher.stop().then(() => void (stopped = true))
    await flush()
    expect(stopped).toBe(false) // the first refresh is still under way
    gate.resolve()
    await stopping
    expect(stopped).toBe(true)
    // One of the two (the due list is walked in random order), and only that one.
    expect(manager.calls).toHaveLength(1)
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ scanned: 2, refreshed: 1, notStarted: 1 })
    expect(runs[0].connections.map((c) => c.key)).toEqual(manager.calls)
    expect(timers.pending).toHaveLength(0)
    await expect(refresher.runOnce()).rejects.toThrow(/stopped/)
    expect(() => refresher.start()).toThrow(/stopped/)
  })

  it('emits runError when a scheduled scan fails and keeps the schedule', async () => {
    const { manager } = setup()
    const timers = new FakeTimers()
    let fail = true
    const store = new MemoryTokenStore()
    const flaky: TokenStore = {
      get: (k) => store.get(k),
      set: (k, r, v) => store.set(k, r, v),
      destroy: (k) => store.destroy(k),
      listDue: async (before) => {
        if (fail) throw Object.assign(new Error('redis down'), { code: 'STORE_UNAVAILABLE' })
        return store.listDue(before)
      },
    }
    const refresher = new BackgroundRefresher({
      manager,
      store: flaky,
      jitterMs: 0,
      setTimeout: timers.setTimeout,
      clearTimeout: timers.clearTimeout,
    })
    const errors: unknown[] = []
    refresher.on('runError', (err) => errors.push(err))
    refresher.start()
    timers.fire()
    await flush()
    expect(errors).toEqual([expect.objectContaining({ code: 'STORE_UNAVAILABLE' })])
    fail = false
    expect(timers.fire()).toBe(60_000)
    await flush()
    expect(errors).toHaveLength(1)
    await refresher.stop()
  })

  it('uses real, unref()d timers by default', async () => {
    const store = new MemoryTokenStore()
    const manager = new FakeManager(store, Date.now, 4 * 3600_000)
    const handles: NodeJS.Timeout[] = []
    const refresher = new BackgroundRefresher({
      manager,
      store,
      setTimeout: (fn, ms) => {
        const h = setTimeout(fn, ms)
        handles.push(h)
        return h
      },
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    })
    refresher.start()
    expect(handles).toHaveLength(1)
    expect(handles[0].hasRef()).toBe(false)
    await refresher.stop()
  })
})

describe('BackgroundRefresher options', () => {
  const store = new MemoryTokenStore()
  const manager = new FakeManager(store, Date.now, 1000, 15 * 60_000)

  it('defaults: window from the manager (else 15 min), 60 s interval, concurrency 4', () => {
    const r = new BackgroundRefresher({ manager: { getAccessToken: manager.getAccessToken.bind(manager), store } })
    expect({ windowMs: r.windowMs, intervalMs: r.intervalMs, concurrency: r.concurrency, jitterMs: r.jitterMs }).toEqual({
      windowMs: 15 * 60_000,
      intervalMs: 60_000,
      concurrency: 4,
      jitterMs: 10_000,
    })
    const fromManager = new BackgroundRefresher({
      manager: { getAccessToken: manager.getAccessToken.bind(manager), store, refreshAheadMs: 20 * 60_000 },
    })
    expect(fromManager.windowMs).toBe(20 * 60_000)
  })

  it.each([
    [{ manager: {} }, /manager/],
    [{ manager, store: { get: store.get.bind(store), set: store.set.bind(store), destroy: store.destroy.bind(store) } }, /listDue/],
    [{ manager: { getAccessToken: manager.getAccessToken.bind(manager) } }, /store/],
    [{ manager, store, windowMs: 60_000, intervalMs: 60_000 }, /windowMs/],
    [{ manager, store, concurrency: 0 }, /concurrency/],
    [{ manager, store, intervalMs: 1.5 }, /intervalMs/],
    [{ manager, store, jitterMs: -1 }, /jitterMs/],
    [{ manager, store, windowMs: 3 * 3600_000 }, /windowMs/],
    [{ manager, store, setTimeout }, /together/],
    [{ manager, store, refreshAheadMs: 5 }, /unknown BackgroundRefresher option "refreshAheadMs"/],
  ])('rejects invalid options %#', (options, message) => {
    expect(() => new BackgroundRefresher(options as never)).toThrow(message)
  })
})

describe('BackgroundRefresher pace of token calls', () => {
  /** A fake clock with timers that fall due on it, fired one at a time in order. */
  function pacedClock() {
    let now = T0
    const due: { at: number; fn: () => void }[] = []
    return {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => {
        due.push({ at: now + ms, fn })
        return { unref: () => undefined }
      },
      clearTimeout: () => undefined,
      /** Runs `run` to its end, advancing the clock to each timer as it falls due. */
      async drive<T>(run: Promise<T>): Promise<T> {
        const state = { done: false }
        const settled = run.finally(() => (state.done = true))
        while (!state.done) {
          await flush()
          due.sort((a, b) => a.at - b.at)
          const next = due.shift()
          if (next) {
            now = Math.max(now, next.at)
            next.fn()
          }
        }
        return settled
      },
    }
  }

  function pacedRefresher(clock: ReturnType<typeof pacedClock>, tokenCallsPerSecond?: number) {
    const store = new MemoryTokenStore()
    const manager = new FakeManager(store, clock.now, 4 * 3600_000)
    const starts: number[] = []
    const getAccessToken = manager.getAccessToken.bind(manager)
    manager.getAccessToken = (key, options) => {
      starts.push(clock.now() - T0)
      return getAccessToken(key, options)
    }
    const refresher = new BackgroundRefresher({
      manager,
      store,
      now: clock.now,
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      jitterMs: 0,
      ...(tokenCallsPerSecond !== undefined && { tokenCallsPerSecond }),
    })
    return { store, manager, refresher, starts }
  }

  it('starts at most tokenCallsPerSecond refreshes per second (default 5), also across runs', async () => {
    const clock = pacedClock()
    const { store, refresher, starts } = pacedRefresher(clock)
    expect(refresher.tokenCallsPerSecond).toBe(5)
    for (let i = 0; i < 6; i++) await store.set(`k${i}`, activeRecord(`k${i}`, T0 + 60_000), 0)
    expect(await clock.drive(refresher.runOnce())).toMatchObject({ scanned: 6, refreshed: 6 })
    // One slot every 200 ms on the clock, whatever the concurrency (4 workers).
    expect(starts).toEqual([0, 200, 400, 600, 800, 1000])
    // A run that starts at once books its slot behind the previous run's last one.
    await store.set('late', activeRecord('late', T0 + 60_000), 0)
    expect(await clock.drive(refresher.runOnce())).toMatchObject({ refreshed: 1 })
    expect(starts.at(-1)).toBe(1200)
  })

  it('takes no slot for a connection another instance already refreshed', async () => {
    const clock = pacedClock()
    const { store, manager, starts } = pacedRefresher(clock, 1)
    const other = new FakeManager(store, clock.now, 4 * 3600_000)
    await store.set('a', activeRecord('a', T0 + 60_000), 0)
    await store.set('b', activeRecord('b', T0 + 60_000), 0)
    const racing: TokenStore = {
      get: (k) => store.get(k),
      set: (k, r, v) => store.set(k, r, v),
      destroy: (k) => store.destroy(k),
      listDue: async (before) => {
        const keys = await store.listDue(before)
        await other.getAccessToken('a')
        await other.getAccessToken('b')
        return keys
      },
    }
    const refresher = new BackgroundRefresher({
      manager,
      store: racing,
      tokenCallsPerSecond: 1,
      now: clock.now,
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
    })
    expect(await clock.drive(refresher.runOnce())).toMatchObject({ scanned: 2, alreadyFresh: 2 })
    // Both calls went out at once: neither waited for a slot of the 1-per-second pace.
    expect(starts).toEqual([0, 0])
  })

  it('refuses a pace that is not a positive number', () => {
    const { manager, store } = setup()
    expect(() => new BackgroundRefresher({ manager, store, tokenCallsPerSecond: 0 })).toThrow(/tokenCallsPerSecond/)
    expect(() => new BackgroundRefresher({ manager, store, tokenCallsPerSecond: Number.NaN })).toThrow(/tokenCallsPerSecond/)
  })
})

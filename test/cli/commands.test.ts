/** refreshCommand's output modes, over a MemoryTokenStore and the refresher's fake manager (test double). */
import { refreshCommand } from '../../lib/cli/commands'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { FakeManager, activeRecord } from '../refresher/fakes'

const T0 = 1_800_000_000_000

async function setup(): Promise<{ store: MemoryTokenStore; manager: FakeManager }> {
  const store = new MemoryTokenStore()
  for (const key of ['a', 'b']) await store.set(key, activeRecord(key, T0 + 60_000), 0)
  return { store, manager: new FakeManager(store, () => T0, 4 * 3600_000) }
}

function io(isTTY: boolean): {
  out: string
  err: string
  stdout: { write(t: string): void }
  stderr: { write(t: string): void; isTTY: boolean }
  now: () => number
} {
  const o = {
    out: '',
    err: '',
    stdout: { write: (t: string) => void (o.out += t) },
    stderr: { write: (t: string) => void (o.err += t), isTTY },
    now: () => T0,
  }
  return o
}

const args = { windowMs: 15 * 60_000, concurrency: 1, json: false, progress: false }

describe('refreshCommand progress', () => {
  it('prints nothing on stderr when it is not a terminal and --progress is off', async () => {
    const deps = await setup()
    const o = io(false)
    expect(await refreshCommand(deps, args, o)).toBe(0)
    expect(o.err).toBe('')
    expect(o.out).toBe('Refreshed 2, already fresh 0, failed 0, lost 0 (2 due within 15m 0s; 0ms).\n')
  })

  it('overwrites one progress line on a terminal', async () => {
    const deps = await setup()
    const o = io(true)
    expect(await refreshCommand(deps, args, o)).toBe(0)
    // The due list is walked in random order (instances share the work): a and b, either way round.
    // eslint-disable-next-line no-control-regex -- the terminal's erase-line sequence is what this test reads
    const m = /^\r\u001b\[Krefreshing 1\/2: ([ab]) refreshed\r\u001b\[Krefreshing 2\/2: ([ab]) refreshed\n$/.exec(o.err)
    expect(m).not.toBeNull()
    expect(new Set([m?.[1], m?.[2]])).toEqual(new Set(['a', 'b']))
  })

  it('prints one line per connection with --progress when stderr is not a terminal', async () => {
    const deps = await setup()
    const o = io(false)
    expect(await refreshCommand(deps, { ...args, progress: true }, o)).toBe(0)
    const m = /^refreshing 1\/2: ([ab]) refreshed\nrefreshing 2\/2: ([ab]) refreshed\n$/.exec(o.err)
    expect(m).not.toBeNull()
    expect(new Set([m?.[1], m?.[2]])).toEqual(new Set(['a', 'b']))
  })
})

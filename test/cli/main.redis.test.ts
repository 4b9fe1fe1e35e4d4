/**
 * The command in-process (`main(argv, env, io)`) against real Redis and the sandbox. The spawned
 * binary is tested in cli.spawn.test.ts.
 */
import { HELP, main, type CliIO } from '../../lib/cli/main'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { RedisTokenStore } from '../../lib/redis/RedisTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import { REDIRECT } from '../sandbox/helpers'
import { REDIS_URL, closedPort, connectClient, deletePrefix, uniquePrefix, type TestClient } from '../tokens/stores/redisTestUtils'
import { connectUser } from '../refresher/integrationHelpers'
import { TEST_ENCRYPTION, TEST_ENCRYPTION_KEYS } from '../helpers/encryption'

const HOUR = 3_600_000
const KEYS = { LEXOFFICE_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS }

function captureIO(now: () => number = Date.now): CliIO & { out: () => string; err: () => string } {
  let out = ''
  let err = ''
  return {
    stdout: { write: (t: string) => void (out += t) },
    stderr: { write: (t: string) => void (err += t), isTTY: false },
    now,
    out: () => out,
    err: () => err,
  }
}

describe('passport-lexoffice command (in-process)', () => {
  let sandbox: Sandbox
  let redis: TestClient
  let prefix: string
  let store: RedisTokenStore
  let env: NodeJS.ProcessEnv
  /** Every token and secret issued in a test, to prove none is printed. */
  let secrets: string[]

  beforeAll(async () => {
    redis = await connectClient('node-redis')
  })
  afterAll(() => redis.close())

  beforeEach(async () => {
    sandbox = await createSandbox({ autoApprove: true })
    sandbox.addRedirectUri(REDIRECT)
    prefix = uniquePrefix('cli')
    store = new RedisTokenStore({ client: redis.client, prefix, encryption: TEST_ENCRYPTION })
    env = {
      LEXOFFICE_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      LEXOFFICE_CLIENT_ID: sandbox.client.clientID,
      LEXOFFICE_CLIENT_SECRET: sandbox.client.clientSecret,
      LEXOFFICE_TOKEN_URL: sandbox.endpoints.tokenURL,
      LEXOFFICE_REVOKE_URL: sandbox.endpoints.revokeURL,
    }
    secrets = [sandbox.client.clientSecret]
  })
  afterEach(async () => {
    await deletePrefix(redis, prefix)
    await sandbox.close()
  })

  const oauth = (): { clientID: string; clientSecret: string; tokenURL: string; revokeURL: string } => ({
    ...sandbox.client,
    tokenURL: sandbox.endpoints.tokenURL,
    revokeURL: sandbox.endpoints.revokeURL,
  })

  /** Stores a connection whose 4 h token expires in `expiresInMs` (connected with a clock set back). */
  async function connect(key: string, expiresInMs: number): Promise<string> {
    const back = 4 * HOUR - expiresInMs
    const manager = new TokenManager({ store, oauth: oauth(), now: () => Date.now() - back })
    const { connectionId, secrets: issued } = await connectUser(sandbox, manager, key)
    secrets.push(...issued)
    return connectionId
  }

  function expectNoSecret(text: string): void {
    for (const s of secrets) expect(text).not.toContain(s)
  }

  it('refresh: refreshes the connections due within the window, leaves the others, exits 0', async () => {
    const dueA = await connect('due-a', 10 * 60_000)
    const dueB = await connect('due-b', -60_000) // already expired
    const fresh = await connect('fresh', 3 * HOUR)
    const io = captureIO()
    const code = await main(['refresh', '--redis', REDIS_URL, '--prefix', prefix, '--json'], env, io)
    expect(io.err()).toBe('')
    expect(code).toBe(0)
    const summary = JSON.parse(io.out()) as Record<string, unknown>
    expect(summary).toMatchObject({ windowMs: 15 * 60_000, scanned: 2, refreshed: 2, alreadyFresh: 0, failed: 0, lost: 0 })
    const counts = Object.fromEntries(sandbox.connections().map((c) => [c.connectionId, c.refreshCount]))
    expect(counts).toEqual({ [dueA]: 1, [dueB]: 1, [fresh]: 0 })
    expect((await store.get('due-a'))!.tokens!.expiresAt).toBeGreaterThan(Date.now() + 3 * HOUR)

    // A second run finds nothing due.
    const again = captureIO()
    expect(await main(['refresh', '--redis', REDIS_URL, '--prefix', prefix], env, again)).toBe(0)
    expect(again.out()).toMatch(/^Refreshed 0, already fresh 0, failed 0, lost 0 \(0 due within 15m 0s; \d+ms\)\.\n$/)
    expect(sandbox.tokenCalls('refresh_token')).toBe(2)
    expectNoSecret(io.out() + again.out())
  })

  it('refresh: exits 1 and names the connection when one was lost at lexoffice', async () => {
    await connect('kept', 5 * 60_000)
    const gone = await connect('gone', 5 * 60_000)
    sandbox.revokeConnection(gone, 'user_disconnected')
    const io = captureIO()
    expect(await main(['refresh', '--redis', REDIS_URL, '--prefix', prefix, '--progress'], env, io)).toBe(1)
    expect(io.out()).toContain('Refreshed 1, already fresh 0, failed 0, lost 1 (2 due within 15m 0s;')
    expect(io.out()).toContain('  lost:   gone (invalid_grant) - the user must connect again\n')
    // --progress: one line per connection on stderr (not a terminal here).
    expect(
      io
        .err()
        .split('\n')
        .filter((l) => l.startsWith('refreshing ')),
    ).toHaveLength(2)
    expect(io.err()).toMatch(/refreshing [12]\/2: gone lost/)
    expect((await store.get('gone'))!.state).toBe('lost')

    // The tombstone is not scanned again: the next run is clean.
    expect(await main(['refresh', '--redis', REDIS_URL, '--prefix', prefix], env, captureIO())).toBe(0)
    expectNoSecret(io.out() + io.err())
  })

  it('refresh: exits 4 when a refresh failed for a transient reason, and the connection stays', async () => {
    await connect('flaky', 5 * 60_000)
    sandbox.failNextTokenCalls([
      { kind: 'status', status: 503 },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 503 },
    ])
    const io = captureIO()
    expect(await main(['refresh', '--redis', REDIS_URL, '--prefix', prefix], env, io)).toBe(4)
    expect(io.out()).toMatch(/failed 1, lost 0/)
    expect(io.out()).toMatch(/ {2}failed: flaky \([A-Z_]+\) - retried next run/)
    expect((await store.get('flaky'))!.state).toBe('active')
    // status shows the failure in LAST ERROR.
    const status = captureIO()
    expect(await main(['status', '--redis', REDIS_URL, '--prefix', prefix], KEYS, status)).toBe(0)
    const code = /failed: flaky \(([A-Z_]+)\)/.exec(io.out())![1]
    expect(status.out()).toMatch(/\nflaky +active +in 4m \d+s +- +0 +[A-Z_]+ \(\d+(ms|s) ago\)\n/)
    expect(code).toMatch(/^[A-Z_]+$/)
  })

  it('refresh: on SIGINT/SIGTERM finishes the refreshes under way, starts no more, exits 4', async () => {
    for (const key of ['s1', 's2', 's3']) await connect(key, 5 * 60_000)
    let signal: (() => void) | undefined
    const io: CliIO & { out: () => string; err: () => string } = {
      ...captureIO(),
      onSignal: (handler) => {
        signal = handler
        return () => void (signal = undefined)
      },
    }
    // The "signal" arrives while the first refresh is at lexoffice (before its answer reaches the command).
    sandbox.once('token.refreshed', () => signal?.())
    const code = await main(['refresh', '--redis', REDIS_URL, '--prefix', prefix, '--concurrency', '1', '--json'], env, io)
    expect(code).toBe(4)
    expect(JSON.parse(io.out())).toMatchObject({ scanned: 3, refreshed: 1, notStarted: 2, lost: 0, failed: 0 })
    expect(io.err()).toContain('stopping after the refreshes under way')
    expect(sandbox.tokenCalls('refresh_token')).toBe(1)
    expect(signal).toBeUndefined() // the listener was removed
  })

  it('status: lists connections with state, expiry and bookkeeping, never a token', async () => {
    await connect('alice', 2 * HOUR)
    const bob = await connect('bob', 5 * 60_000)
    sandbox.revokeConnection(bob)
    expect(await main(['refresh', '--redis', REDIS_URL, '--prefix', prefix], env, captureIO())).toBe(1)

    const json = captureIO()
    expect(await main(['status', '--redis', REDIS_URL, '--prefix', prefix, '--json'], KEYS, json)).toBe(0)
    const parsed = JSON.parse(json.out()) as { connections: Record<string, unknown>[] }
    expect(parsed.connections).toEqual([
      expect.objectContaining({ key: 'alice', state: 'active', refreshCount: 0, expiresInMs: expect.any(Number) }),
      expect.objectContaining({ key: 'bob', state: 'lost', lostReason: 'invalid_grant', lostAt: expect.any(Number) }),
    ])
    expect(parsed.connections[0].expiresInMs).toBeGreaterThan(HOUR)
    for (const c of parsed.connections) expect(Object.keys(c).some((k) => /token/i.test(k))).toBe(false)

    const table = captureIO()
    expect(await main(['status', '--redis', REDIS_URL, '--prefix', prefix], KEYS, table)).toBe(0)
    expect(table.out()).toMatch(/^KEY +STATE +EXPIRES +LAST REFRESH +REFRESHES +LAST ERROR\n/)
    expect(table.out()).toMatch(/\nalice +active +in 1h 59m +- +0 +-\n/)
    expect(table.out()).toMatch(/\nbob +lost \(invalid_grant\) +- +- +0 +-\n/)
    expect(table.out()).toContain('2 connections: 1 active, 1 lost')
    expectNoSecret(json.out() + table.out() + json.err() + table.err())
  })

  it('status: reads encrypted stores with LEXOFFICE_ENCRYPTION_KEYS and warns about unreadable records', async () => {
    const key = Buffer.alloc(32, 7).toString('base64')
    store = new RedisTokenStore({ client: redis.client, prefix, encryption: { keys: { k1: key }, currentKeyId: 'k1' } })
    await connect('enc', 2 * HOUR)
    const io = captureIO()
    expect(await main(['status', '--redis', REDIS_URL, '--prefix', prefix, '--json'], { LEXOFFICE_ENCRYPTION_KEYS: `k1:${key}` }, io)).toBe(
      0,
    )
    expect(JSON.parse(io.out()).connections).toEqual([expect.objectContaining({ key: 'enc', state: 'active' })])

    const wrong = captureIO()
    const other = Buffer.alloc(32, 9).toString('base64')
    expect(
      await main(['status', '--redis', REDIS_URL, '--prefix', prefix, '--json'], { LEXOFFICE_ENCRYPTION_KEYS: `k1:${other}` }, wrong),
    ).toBe(0)
    expect(JSON.parse(wrong.out()).connections).toEqual([])
    expect(wrong.err()).toContain('warning: the record of enc cannot be decrypted (authentication_failed)')
    expectNoSecret(io.out() + wrong.out() + wrong.err())
  })

  it('exits 3 with a clear message when Redis is unreachable, without printing its password', async () => {
    const port = await closedPort()
    const io = captureIO()
    const code = await main(['status', '--redis', `redis://user:hunter2@127.0.0.1:${port}`], KEYS, io)
    expect(code).toBe(3)
    expect(io.err()).toContain(`passport-lexoffice: cannot reach Redis at redis://127.0.0.1:${port}`)
    expect(io.err()).toContain('ECONNREFUSED')
    expect(io.err()).not.toContain('hunter2')
    expect(io.out()).toBe('')
    const refresh = captureIO()
    expect(await main(['refresh', '--redis', `redis://127.0.0.1:${port}`], env, refresh)).toBe(3)
  })

  it('exits 2 for usage errors, including missing credentials (before touching Redis)', async () => {
    const port = await closedPort()
    const io = captureIO()
    expect(await main(['refresh', '--redis', `redis://127.0.0.1:${port}`], KEYS, io)).toBe(2)
    expect(io.err()).toContain('LEXOFFICE_CLIENT_ID and LEXOFFICE_CLIENT_SECRET must be set in the environment')
    expect(io.err()).toContain('Run "passport-lexoffice --help" for usage.')
    const bad = captureIO()
    expect(await main(['refresh', '--redis', REDIS_URL, '--window', 'soon'], env, bad)).toBe(2)
    expect(bad.err()).toContain('--window must be a duration')
    const keys = captureIO()
    expect(await main(['status', '--redis', `redis://127.0.0.1:${port}`], { LEXOFFICE_ENCRYPTION_KEYS: 'k1:dG9vLXNob3J0' }, keys)).toBe(2)
    expect(keys.err()).toContain('LEXOFFICE_ENCRYPTION_KEYS is invalid')
    expect(keys.err()).not.toContain('dG9vLXNob3J0')
    const noKeys = captureIO()
    expect(await main(['status', '--redis', `redis://127.0.0.1:${port}`], {}, noKeys)).toBe(2)
    expect(noKeys.err()).toMatch(/LEXOFFICE_ENCRYPTION_KEYS must be set .* or --plaintext given/)
    const both = captureIO()
    expect(await main(['status', '--redis', `redis://127.0.0.1:${port}`, '--plaintext'], KEYS, both)).toBe(2)
    expect(both.err()).toContain('--plaintext and LEXOFFICE_ENCRYPTION_KEYS exclude each other')
  })

  it('--plaintext: reads a store the app writes with encryption: false', async () => {
    store = new RedisTokenStore({ client: redis.client, prefix, encryption: false })
    await connect('plain', 2 * HOUR)
    const io = captureIO()
    expect(await main(['status', '--redis', REDIS_URL, '--prefix', prefix, '--json', '--plaintext'], {}, io)).toBe(0)
    expect(JSON.parse(io.out()).connections).toEqual([expect.objectContaining({ key: 'plain', state: 'active' })])
  })

  it('prints help and version', async () => {
    const io = captureIO()
    expect(await main(['--help'], {}, io)).toBe(0)
    expect(io.out()).toBe(HELP)
    expect(HELP).toMatch(/Exit status:\n {2}0 {2}all fine\n {2}1 .*lost/)
    const v = captureIO()
    expect(await main(['--version'], {}, v)).toBe(0)
    expect(v.out()).toMatch(/^\d+\.\d+\.\d+/)
  })
})

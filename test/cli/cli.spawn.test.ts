/**
 * The command as cron runs it: a separate process (`node -r ts-node/register/transpile-only
 * lib/cli/main.ts`), credentials in the environment, the sandbox and Redis on loopback.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { RedisTokenStore } from '../../lib/redis/RedisTokenStore'
import { TokenManager } from '../../lib/tokens/TokenManager'
import { REDIRECT } from '../sandbox/helpers'
import { REDIS_URL, closedPort, connectClient, deletePrefix, uniquePrefix, type TestClient } from '../tokens/stores/redisTestUtils'
import { connectUser } from '../refresher/integrationHelpers'
import { TEST_ENCRYPTION, TEST_ENCRYPTION_KEYS } from '../helpers/encryption'

const ROOT = path.resolve(__dirname, '..', '..')
const HOUR = 3_600_000

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI in a child process with only `env` (plus PATH) and resolves when it exits. */
function cli(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'lib/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('passport-lexoffice command (spawned)', () => {
  let sandbox: Sandbox
  let redis: TestClient
  const prefix = uniquePrefix('cli-spawn')

  beforeAll(async () => {
    redis = await connectClient('node-redis')
    sandbox = await createSandbox({ autoApprove: true })
    sandbox.addRedirectUri(REDIRECT)
  })
  afterAll(async () => {
    await deletePrefix(redis, prefix)
    await redis.close()
    await sandbox.close()
  })

  it('refresh keeps due connections alive, reports a lost one with exit 1; status --json shows no token; Redis down exits 3', async () => {
    // Encrypted as the app writes it; the command gets the same keys from its environment.
    const store = new RedisTokenStore({ client: redis.client, prefix, encryption: TEST_ENCRYPTION })
    const oauth = { ...sandbox.client, tokenURL: sandbox.endpoints.tokenURL, revokeURL: sandbox.endpoints.revokeURL }
    const secrets = [sandbox.client.clientSecret]
    const connect = async (key: string, expiresInMs: number): Promise<string> => {
      const manager = new TokenManager({ store, oauth, now: () => Date.now() - (4 * HOUR - expiresInMs) })
      const { connectionId, secrets: issued } = await connectUser(sandbox, manager, key)
      secrets.push(...issued)
      return connectionId
    }
    await connect('due-1', 5 * 60_000)
    await connect('due-2', 12 * 60_000)
    await connect('later', 2 * HOUR)
    sandbox.revokeConnection(await connect('gone', 1 * 60_000), 'user_disconnected')
    const env = {
      LEXOFFICE_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      LEXOFFICE_CLIENT_ID: sandbox.client.clientID,
      LEXOFFICE_CLIENT_SECRET: sandbox.client.clientSecret,
      LEXOFFICE_TOKEN_URL: sandbox.endpoints.tokenURL,
      LEXOFFICE_REVOKE_URL: sandbox.endpoints.revokeURL,
      REDIS_URL,
    }
    const port = await closedPort()

    const [refresh, down] = await Promise.all([
      cli(['refresh', '--prefix', prefix, '--window', '15m'], env),
      cli(['status', '--redis', `redis://127.0.0.1:${port}`], { LEXOFFICE_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS }),
    ])
    // Exit 1: a connection was lost (cron mails the operator).
    expect(refresh).toMatchObject({ code: 1, stderr: '' })
    expect(refresh.stdout).toMatch(
      /^Refreshed 2, already fresh 0, failed 0, lost 1 \(3 due within 15m 0s; [^)]+\)\.\n {2}lost: {3}gone \(invalid_grant\) - the user must connect again\n$/,
    )
    expect(sandbox.tokenCalls('refresh_token')).toBe(3)
    expect(down.code).toBe(3)
    expect(down.stdout).toBe('')
    expect(down.stderr).toMatch(new RegExp(`^passport-lexoffice: cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED`))

    const status = await cli(['status', '--redis', REDIS_URL, '--prefix', prefix, '--json'], {
      LEXOFFICE_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    })
    expect(status.code).toBe(0)
    const parsed = JSON.parse(status.stdout) as { connections: { key: string; state: string; refreshCount: number; expiresInMs: number }[] }
    expect(parsed.connections.map((c) => [c.key, c.state, c.refreshCount])).toEqual([
      ['due-1', 'active', 1],
      ['due-2', 'active', 1],
      ['gone', 'lost', 0],
      ['later', 'active', 0],
    ])
    expect(parsed.connections.filter((c) => c.state === 'active').every((c) => c.expiresInMs > HOUR)).toBe(true)
    secrets.push(TEST_ENCRYPTION_KEYS.slice('test:'.length))
    for (const out of [refresh, down, status]) for (const s of secrets) expect(out.stdout + out.stderr).not.toContain(s)
  }, 120_000)
})

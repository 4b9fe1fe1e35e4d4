import { spawn } from 'node:child_process'
import path from 'node:path'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { sandboxProvider } from '../client/helpers/sandboxProvider'
import { readLiveEnv } from './liveEnv'

/**
 * `npm run test:live` without credentials refuses to start and says what to set; with them it
 * runs the live contract through jest.live.config.ts. There is no internet here, so the wiring is
 * proven with a partner access token of the sandbox and LEXOFFICE_TEST_API_URL pointing at it.
 */
const ROOT = path.resolve(__dirname, '../..')

function runLive(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('LEXOFFICE_TEST_') && k !== 'JEST_WORKER_ID'),
  ) as Record<string, string>
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'test/live/runLive.ts', ...args], {
      cwd: ROOT,
      env: { ...clean, ...env },
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, output }))
  })
}

test('refuses to start without credentials (exit 2), saying what to set', async () => {
  const { code, output } = await runLive({})
  expect(code).toBe(2)
  expect(output).toContain('no lexoffice credentials are set')
  expect(output).toContain('LEXOFFICE_TEST_API_KEY')
  expect(output).toContain('LEXOFFICE_TEST_ACCESS_TOKEN')
}, 60_000)

test('refuses contradictory or bad settings', () => {
  expect(readLiveEnv({ LEXOFFICE_TEST_API_KEY: 'k', LEXOFFICE_TEST_ACCESS_TOKEN: 't' })).toMatchObject({ ok: false, problem: /not both/ })
  expect(readLiveEnv({ LEXOFFICE_TEST_API_KEY: 'k', LEXOFFICE_TEST_ENVIRONMENT: 'staging' })).toMatchObject({ ok: false })
  expect(readLiveEnv({ LEXOFFICE_TEST_API_KEY: 'k', LEXOFFICE_TEST_CALLBACK_URL: 'http://x' })).toMatchObject({ ok: false })
  expect(readLiveEnv({ LEXOFFICE_TEST_API_KEY: ' k ' })).toEqual({ ok: true, value: { apiKey: 'k', environment: 'production' } })
})

describe('with credentials', () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await createSandbox({ autoApprove: true })
  })
  afterAll(() => sandbox.close())

  test('runs the live contract with jest.live.config.ts (here against the sandbox, one test selected)', async () => {
    const token = (await sandboxProvider(sandbox)).current()
    sandbox.resetLog()
    const { code, output } = await runLive({ LEXOFFICE_TEST_ACCESS_TOKEN: token, LEXOFFICE_TEST_API_URL: sandbox.endpoints.apiURL }, [
      '-t',
      'reads the profile',
    ])
    expect(output).toContain('API contract: live lexoffice')
    expect(output).toMatch(/Tests:\s+\d+ skipped, 1 passed/)
    expect(code).toBe(0)
    expect(output).not.toContain(token)
    expect(sandbox.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /v1/profile 200'])
  }, 180_000)
})

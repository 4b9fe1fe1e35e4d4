/**
 * `npm run test:live`: refuses to start (exit code 2, saying what to set) without lexoffice
 * credentials; otherwise runs the live API contract with jest.live.config.ts, passing extra
 * arguments on to jest.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { LIVE_ENV_HELP, readLiveEnv } from './liveEnv'

const settings = readLiveEnv(process.env)
if (!settings.ok) {
  process.stderr.write(`npm run test:live: ${settings.problem}\n\n${LIVE_ENV_HELP}\n`)
  process.exit(2)
}
const { value } = settings
const target = value.apiURL ?? (value.environment === 'sandbox' ? 'https://api.lexware-sandbox.io' : 'https://api.lexware.io')
process.stderr.write(`test:live against ${target} with ${value.apiKey !== undefined ? 'an API key' : 'a partner access token'}\n`)

const root = path.resolve(__dirname, '../..')
const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), '--config', 'jest.live.config.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
})
jest.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))

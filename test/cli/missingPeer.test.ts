/**
 * When the store package a command needs is not installed, the command says exactly what to
 * install and exits 2 (a setup error), instead of "cannot reach Redis" (exit 3). The missing
 * packages are simulated with jest.mock on the loader's plain `require`, the one the library uses
 * (lib/options/loadOptionalPeer.ts).
 */
import { main, type CliIO } from '../../lib/cli/main'
import { TEST_ENCRYPTION_KEYS } from '../helpers/encryption'

function moduleNotFound(name: string): Error {
  return Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- lib/options/loadOptionalPeer.ts`), {
    code: 'MODULE_NOT_FOUND',
  })
}

jest.mock('redis', () => {
  throw moduleNotFound('redis')
})
jest.mock('pg', () => {
  throw moduleNotFound('pg')
})

function captureIO(): CliIO & { out: () => string; err: () => string } {
  let out = ''
  let err = ''
  return {
    stdout: { write: (t: string) => void (out += t) },
    stderr: { write: (t: string) => void (err += t), isTTY: false },
    now: Date.now,
    out: () => out,
    err: () => err,
  }
}

const env = { LEXOFFICE_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS }

it.each([
  [['status', '--redis', 'redis://127.0.0.1:6379'], 'redis'],
  [['status', '--postgres', 'postgres://postgres@127.0.0.1:5432/test'], 'pg'],
  [['migrate', '--postgres', 'postgres://postgres@127.0.0.1:5432/test'], 'pg'],
])('%j without the %s package says "npm install %s" and exits 2', async (argv, peer) => {
  const io = captureIO()
  const code = await main(argv, env, io)
  expect(io.err()).toContain(`needs the "${peer}" package, which is not installed: npm install ${peer}\n`)
  expect(io.err()).not.toMatch(/cannot reach|unreachable/i)
  expect(code).toBe(2)
})

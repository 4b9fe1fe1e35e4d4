/**
 * The public surface stays readable: the main entry exports at most 40 runtime values (issue 15),
 * the database and sandbox pieces live only under their subpaths, and loading the main entry loads
 * neither the sandbox nor a database store. The exact names are in the API reports (api/*.api.md).
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(__dirname, '../..')

function runtimeExports(entry: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return Object.keys(require(path.join(root, 'lib', entry)) as object).sort()
}

test('the main entry exports at most 40 runtime values, none of the subpath pieces', () => {
  const main = runtimeExports('index')
  expect(main.length).toBeLessThanOrEqual(40)
  expect(main).toEqual(
    expect.arrayContaining(['createLexoffice', 'LexofficeStrategy', 'isLexofficeError', 'ErrorCodes', 'encryptionKeysFromEnv']),
  )
  const elsewhere = [...runtimeExports('redis'), ...runtimeExports('postgres'), ...runtimeExports('sandbox')].filter(
    (n) => n !== 'TokenCipher',
  )
  expect(main.filter((n) => elsewhere.includes(n))).toEqual([])
})

test('each subpath entry exports its own pieces', () => {
  expect(runtimeExports('redis')).toEqual(
    expect.arrayContaining(['RedisTokenStore', 'RedisLock', 'RedisRateLimiter', 'RedisWebhookDedupeStore']),
  )
  expect(runtimeExports('postgres')).toEqual(expect.arrayContaining(['PostgresTokenStore', 'PostgresLock', 'migratePostgres']))
  expect(runtimeExports('sandbox')).toEqual(expect.arrayContaining(['createSandbox', 'signLexofficePayload']))
})

test('loading the main entry loads no sandbox, database store or CLI code', () => {
  const script = `require('./lib/index');
process.stdout.write(JSON.stringify(Object.keys(require.cache).map((k) => require('path').relative(process.cwd(), k))))`
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: root, encoding: 'utf8' })
  const loaded = JSON.parse(out) as string[]
  expect(loaded.filter((f) => /^lib[\\/](sandbox|redis|postgres|cli)[\\/]/.test(f))).toEqual([])
}, 60_000)

// The built main entry loads each export's module on first use (scripts/lazy-entry.mjs), so the
// first use of createLexoffice and LexofficeStrategy costs what their two modules load.
test('createLexoffice and LexofficeStrategy load no Express piece, API transport or node:http transport', () => {
  const script = `require('./lib/config/Lexoffice'); require('./lib/strategy/LexofficeStrategy');
process.stdout.write(JSON.stringify(Object.keys(require.cache).map((k) => require('path').relative(process.cwd(), k))))`
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: root, encoding: 'utf8' })
  const loaded = (JSON.parse(out) as string[]).map((f) => f.replace(/\\/g, '/'))
  expect(loaded).toEqual(expect.arrayContaining(['lib/config/Lexoffice.ts', 'lib/strategy/LexofficeStrategy.ts']))
  const lazy =
    /^lib\/(express\/(signInRoutes|connectRoutes|lexofficeGuard|lexofficeErrorHandler|LexofficeRequestContext)|client\/ApiTransport|http\/nodeHttpRequest)\.ts$/
  expect(loaded.filter((f) => lazy.test(f))).toEqual([])
}, 60_000)

#!/usr/bin/env node
// Checks the package as a user gets it (issue 15): packs the tarball, asserts its content (LICENSE,
// no source maps, every relative README link shipped), installs it into a fresh project and
// compiles an import of every entry point with skipLibCheck: false under module nodenext (ESM and
// CJS) and moduleResolution bundler, then runs publint --strict and @arethetypeswrong/cli.
// Run after `npm run build`. Exits non-zero on the first failing check.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const work = mkdtempSync(path.join(tmpdir(), 'passport-lexoffice-pack-'))
const failures = []
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

function check(name, fn) {
  try {
    fn()
    console.log(`ok   ${name}`)
  } catch (err) {
    failures.push(name)
    console.log(`FAIL ${name}\n${String(err.stdout ?? '') + String(err.stderr ?? '') || err.message}`)
  }
}

try {
  const [packed] = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', work], root))
  const tarball = path.join(work, packed.filename)
  const files = packed.files.map((f) => f.path)
  console.log(`packed ${packed.filename}: ${files.length} files, ${packed.size} bytes`)

  check('LICENSE is in the package', () => {
    if (!files.includes('LICENSE')) throw new Error('LICENSE missing from the packed files')
  })
  check('no source maps in the package', () => {
    const maps = files.filter((f) => f.endsWith('.map'))
    if (maps.length > 0) throw new Error(`${maps.length} .map files, e.g. ${maps[0]}`)
  })
  check('every relative README link resolves inside the package', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1])
    const relative = links.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l) && !l.startsWith('#'))
    const dangling = relative.map((l) => l.split('#')[0]).filter((l) => !files.includes(path.posix.normalize(l)))
    if (dangling.length > 0) throw new Error(`not in the package: ${[...new Set(dangling)].join(', ')}`)
  })

  // A fresh consumer project with the tarball and nothing else but @types/node.
  const consumer = path.join(work, 'consumer')
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  execFileSync('mkdir', ['-p', consumer])
  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }, null, 2))
  run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-save', tarball, '@types/node@20'], consumer)
  const entries = ['passport-lexoffice', 'passport-lexoffice/redis', 'passport-lexoffice/postgres', 'passport-lexoffice/sandbox']
  const imports = entries.map((e, i) => `import * as e${i} from '${e}'`).join('\n')
  const use = `
export type Surface = [${entries.map((_, i) => `typeof e${i}`).join(', ')}]
export const options: e0.LexofficeOptions = { clientID: 'id', clientSecret: 'secret' }
export const factory: typeof e0.createLexoffice = e0.createLexoffice
export const store: typeof e1.RedisTokenStore = e1.RedisTokenStore
export const pg: typeof e2.migratePostgres = e2.migratePostgres
export const sandbox: typeof e3.createSandbox = e3.createSandbox
`
  writeFileSync(path.join(consumer, 'esm.mts'), imports + use)
  writeFileSync(path.join(consumer, 'cjs.cts'), imports + use)
  writeFileSync(path.join(consumer, 'bundler.ts'), imports + use)
  const base = { strict: true, skipLibCheck: false, noEmit: true, types: ['node'], target: 'ES2022' }
  const configs = {
    'nodenext ESM (.mts)': { compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['esm.mts'] },
    'nodenext CJS (.cts)': { compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['cjs.cts'] },
    bundler: { compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' }, files: ['bundler.ts'] },
  }
  for (const [name, config] of Object.entries(configs)) {
    const file = path.join(consumer, `tsconfig.${name.split(' ')[0]}-${config.files[0].split('.')[1]}.json`)
    writeFileSync(file, JSON.stringify(config, null, 2))
    check(`consumer compiles every entry, skipLibCheck false, ${name}`, () => run(process.execPath, [tsc, '-p', file], consumer))
  }

  check('the packed entries load from CommonJS and ESM; main has at most 40 runtime exports', () => {
    const cjs = `const main = require('passport-lexoffice'); for (const e of ${JSON.stringify(entries.slice(1))}) require(e)
const n = Object.keys(main).length; if (n > 40) throw new Error(n + ' runtime exports'); if (typeof main.createLexoffice !== 'function') throw new Error('no createLexoffice')
console.log(n)`
    const count = run(process.execPath, ['-e', cjs], consumer).trim()
    // Named imports from ESM go through Node's CommonJS lexer, which must see every export of the lazy entry.
    const esm = `import { createLexoffice, LexofficeStrategy, isLexofficeError, listConnectionStatus } from 'passport-lexoffice'
import { RedisTokenStore } from 'passport-lexoffice/redis'
import { PostgresTokenStore } from 'passport-lexoffice/postgres'
import { createSandbox } from 'passport-lexoffice/sandbox'
for (const f of [createLexoffice, LexofficeStrategy, isLexofficeError, listConnectionStatus, RedisTokenStore, PostgresTokenStore, createSandbox]) if (typeof f !== 'function') throw new Error('missing export')`
    run(process.execPath, ['--input-type=module', '-e', esm], consumer)
    console.log(`     main entry: ${count} runtime exports`)
  })
  const bin = (name) => path.join(root, 'node_modules', '.bin', name)
  check('publint --strict', () => {
    const out = run(bin('publint'), ['--strict', tarball], root)
    process.stdout.write(out.replace(/^/gm, '     '))
  })
  // CommonJS only, on purpose: the node16-from-ESM row shows how an ESM importer sees it ("CJS
  // default export" is the module.exports object, named imports work through cjs-module-lexer).
  check('@arethetypeswrong/cli (profile node16)', () => {
    const out = run(bin('attw'), [tarball, '--profile', 'node16', '--format', 'table-flipped'], root)
    process.stdout.write(out.replace(/^/gm, '     '))
  })
} finally {
  rmSync(work, { recursive: true, force: true })
}

if (failures.length > 0) {
  console.log(`\n${failures.length} packaging check(s) failed: ${failures.join('; ')}`)
  process.exit(1)
}
console.log('\nall packaging checks passed')

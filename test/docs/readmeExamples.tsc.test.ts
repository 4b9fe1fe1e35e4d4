/**
 * Every ```ts block of README.md must compile against the package's real types, exactly as a
 * user would paste it (imports by package name, strict mode). A block may start with a
 * `// prelude:` line listing names it uses without defining (e.g. `app`); those are declared.
 */
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

const ROOT = path.resolve(__dirname, '..', '..')

const PRELUDES: Record<string, string> = {
  app: "declare const app: import('express').Express",
  manager: "declare const manager: import('passport-lexoffice').TokenManager",
  lexoffice: "declare const lexoffice: import('passport-lexoffice').Lexoffice",
  store: "declare const store: import('passport-lexoffice').TokenStore",
  redis: "declare const redis: import('redis').RedisClientType",
  sandbox: "declare const sandbox: import('passport-lexoffice/sandbox').Sandbox",
  req: "declare const req: import('express').Request",
  res: "declare const res: import('express').Response",
}

function readmeBlocks(): Array<{ line: number; code: string }> {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const blocks: Array<{ line: number; code: string }> = []
  const re = /```ts\n([\s\S]*?)```/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    blocks.push({ line: text.slice(0, m.index).split('\n').length, code: m[1] })
  }
  return blocks
}

test('README has TypeScript examples', () => {
  expect(readmeBlocks().length).toBeGreaterThanOrEqual(5)
})

test('every README TypeScript example type-checks', () => {
  // Inside the project, so that `express`, `redis`... resolve from its node_modules.
  fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true })
  const dir = fs.mkdtempSync(path.join(ROOT, 'test-artifacts', 'readme-examples-'))
  const files: string[] = []
  for (const [i, block] of readmeBlocks().entries()) {
    const prelude = /^\/\/ prelude: (.*)\n/.exec(block.code)
    const declared = (prelude?.[1] ?? '')
      .split(/[ ,]+/)
      .filter(Boolean)
      .map((name) => {
        const decl = PRELUDES[name]
        if (!decl) throw new Error(`README block at line ${block.line}: unknown prelude name "${name}"`)
        return decl
      })
    const file = path.join(dir, `block${i}_line${block.line}.ts`)
    fs.writeFileSync(file, `${declared.join('\n')}\nexport {}\n${block.code}`)
    files.push(file)
  }
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (file) => ts.sys.readFile(file))
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT)
  const program = ts.createProgram(files, {
    ...parsed.options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    // Examples may use top-level await, as in an ES module.
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    isolatedModules: false,
    baseUrl: ROOT,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
  })
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.includes(path.resolve(d.file.fileName)))
    .map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
  fs.rmSync(dir, { recursive: true, force: true })
  expect(problems).toEqual([])
}, 120_000)

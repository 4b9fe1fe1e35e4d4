/**
 * Every @example on the public surface compiles (issue 18): the ```ts blocks in the TSDoc of
 * everything the four entry points export (the declaration, its members, and the entry's own
 * package comment) are type-checked against the package, by package name as a user writes them.
 *
 * Each example is its own virtual module. Names of the package it uses without importing them
 * (`RedisRateLimiterOptions`, `createSandbox`...) are imported for it from the entry that exports
 * them; the objects examples talk about (`app`, `req`, `lexoffice`, `redis`, `pool`...) are
 * declared once in a global prelude, which an example's own declaration of the same name shadows.
 */
import path from 'node:path'
import ts from 'typescript'

const ROOT = path.resolve(__dirname, '..', '..')
const ENTRIES = {
  'passport-lexoffice': 'lib/index.ts',
  'passport-lexoffice/redis': 'lib/redis.ts',
  'passport-lexoffice/postgres': 'lib/postgres.ts',
  'passport-lexoffice/sandbox': 'lib/sandbox.ts',
} as const

/**
 * What examples talk about without defining it: the app's objects, typed with the package's types
 * where they are the package's, and opaque (`any`) where they are the app's own (its database,
 * job queue, metrics...). An example's own top-level declaration of a name shadows these.
 */
const PRELUDE = `
import type { Express, Request, Response, NextFunction, RequestHandler } from 'express'
import type * as main from 'passport-lexoffice'
import type * as sandboxEntry from 'passport-lexoffice/sandbox'
type AppOwn = any
declare global {
  namespace Express {
    interface User { id: string; connectionId: string }
  }
  const app: Express
  const req: Request
  const res: Response
  const next: NextFunction
  const passport: import('passport').PassportStatic
  const lexoffice: main.Lexoffice
  const strategy: main.LexofficeStrategy
  const manager: main.TokenManager
  const store: import('passport-lexoffice/redis').RedisTokenStore
  const dedupe: import('passport-lexoffice/postgres').PostgresWebhookDedupeStore
  const tokenStore: main.ExpressSessionTokenStore
  const sessionStore: import('express-session').Store
  const lock: main.RefreshLock
  const cipher: main.TokenCipher
  const refresher: main.BackgroundRefresher
  const client: main.LexofficeClient
  const tokenProvider: main.AccessTokenProvider
  const oauth: main.TokenManagerOAuthOptions
  const options: main.AutoSubscribeOptions
  const tokens: main.TokenSet
  const record: main.TokenRecord
  const profile: main.LexofficeProfile
  const connection: main.LexofficeConnection
  const params: main.LexofficeTokenResponse
  const tokenResponse: main.LexofficeTokenResponse
  const summary: main.RefreshRunSummary
  const result: main.EnsureSubscriptionsResult
  const wanted: main.WantedSubscription[]
  const onEvent: NonNullable<main.LexofficeWebhooksOptions['onEvent']>
  const contact: main.Contact
  const invoice: main.Invoice
  const creditNote: main.CreditNote
  const dunning: main.NewDunning
  const article: main.Article
  const voucher: main.Voucher
  const payment: main.Payment
  const template: main.RecurringTemplate
  const balance: main.CashBoxBalance
  const page: main.Page<unknown>
  const draft: main.Invoice
  const redis: import('redis').RedisClientType
  const ioredisClient: import('ioredis').Redis
  const pool: import('pg').Pool
  const sandbox: sandboxEntry.Sandbox
  const server: import('node:http').Server
  const http: typeof import('node:http')
  const fs: typeof import('node:fs/promises')
  const userId: string
  const key: string
  const id: string
  const connectionId: string
  const organizationId: string
  const orgId: string
  const invoiceId: string
  const contactId: string
  const voucherId: string
  const accountId: string
  const cashBoxId: string
  const eventId: string
  const txId: string
  const accessToken: string
  const sealed: string
  const secret: string
  const url: string
  const baseURL: string
  const port: number
  const version: number
  const scope: string[]
  const err: unknown
  const rawBody: Buffer
  const pdfBuffer: Buffer
  const png: Buffer
  const agb: Buffer
  const events: unknown[]
  const logLines: string[]
  const listContacts: RequestHandler
  const requireInternal: RequestHandler
  const myErrorHandler: (err: unknown, req: Request, res: Response, next: NextFunction) => void
  const log: { info(...args: unknown[]): void; warn(...args: unknown[]): void; error(...args: unknown[]): void; debug(...args: unknown[]): void }
  const metrics: { increment(name: string, tags?: object): void; gauge(name: string, value: number, tags?: object): void; histogram(name: string, value: number, tags?: object): void }
  const db: AppOwn
  const jobs: AppOwn
  const queue: AppOwn
  const vault: AppOwn
  const mailer: AppOwn
  const audit: AppOwn
  const connections: AppOwn
  const handle: (value: unknown) => Promise<void>
  const refresh: () => Promise<void>
  const reloadAndRetry: () => void
  const sync: (...args: unknown[]) => Promise<void>
  const syncInvoice: (organizationId: string, invoiceId: string) => Promise<void>
  const markDisconnected: (connectionId: string) => Promise<void>
  const deliver: (...args: unknown[]) => void
  const clickAllow: (page: unknown) => Promise<void>
  const post: (url: string, body: string) => Promise<void>
  const payload: string
}
export {}
`

interface Example {
  /** Where it is: file:line and the documented name. */
  readonly where: string
  readonly code: string
}

const compilerOptions = (): ts.CompilerOptions => {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (file) => ts.sys.readFile(file))
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT)
  return {
    ...parsed.options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    isolatedModules: false,
    // Examples may use top-level await, as in an ES module.
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: ['node', 'jest'],
    // A user's strict tsconfig (strict: true); exactOptionalPropertyTypes is this repository's own choice.
    exactOptionalPropertyTypes: false,
  }
}

/** The ```ts blocks of one JSDoc comment, unless the comment is @internal. */
function blocksOf(comment: string): string[] {
  if (/@internal\b/.test(comment)) return []
  const text = comment
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
}

function jsDocTexts(node: ts.Node): string[] {
  return ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((d) => d.getText())
}

function isHidden(member: ts.Node): boolean {
  const name = (member as { name?: ts.Node }).name
  if (name && ts.isPrivateIdentifier(name)) return true
  const flags = ts.getCombinedModifierFlags(member as ts.Declaration)
  return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0
}

function membersOf(decl: ts.Declaration): readonly ts.Node[] {
  if (ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl)) return decl.members
  if (ts.isTypeAliasDeclaration(decl) && ts.isTypeLiteralNode(decl.type)) return decl.type.members
  return []
}

/** The examples on everything the entries export, each once. */
function publicExamples(program: ts.Program): Example[] {
  const checker = program.getTypeChecker()
  const seen = new Set<ts.Node>()
  const examples: Example[] = []
  const collect = (node: ts.Node, label: string): void => {
    if (seen.has(node)) return
    seen.add(node)
    const sf = node.getSourceFile()
    for (const comment of jsDocTexts(node)) {
      for (const code of blocksOf(comment)) {
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1
        examples.push({ where: `${path.relative(ROOT, sf.fileName)}:${line} ${label}`, code })
      }
    }
  }
  for (const entry of Object.values(ENTRIES)) {
    const sf = program.getSourceFile(path.join(ROOT, entry))!
    // The entry's own package comment.
    const first = ts.getLeadingCommentRanges(sf.text, 0)?.[0]
    if (first) {
      const comment = sf.text.slice(first.pos, first.end)
      for (const code of blocksOf(comment)) examples.push({ where: `${entry}:1 (package comment)`, code })
    }
    for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      for (const decl of symbol.declarations ?? []) {
        collect(decl, exported.name)
        for (const member of membersOf(decl)) {
          if (isHidden(member)) continue
          const memberName = (member as { name?: ts.Node }).name?.getText() ?? 'constructor'
          collect(member, `${exported.name}.${memberName}`)
        }
      }
    }
  }
  return examples
}

/** Names an example declares or imports at its top level (they must not be imported for it). */
function ownNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>()
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text)
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name)
  }
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause
      if (clause?.name) names.add(clause.name.text)
      const bindings = clause?.namedBindings
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text)
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) names.add(el.name.text)
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) addBinding(d.name)
    } else if (
      (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) &&
      st.name
    ) {
      names.add(st.name.text)
    }
  }
  return names
}

function usedIdentifiers(sf: ts.SourceFile): Set<string> {
  const used = new Set<string>()
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) used.add(node.text)
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return used
}

/** Type-checks every example, each in its own virtual module; returns the errors of each. */
function compileExamples(examples: readonly Example[], exportsByName: ReadonlyMap<string, string>): string[][] {
  const options = compilerOptions()
  const virtual = new Map<string, string>()
  const preludeFile = path.join(ROOT, 'test', 'docs', '__examples__', 'prelude.ts')
  virtual.set(preludeFile, PRELUDE)
  const files = examples.map((example, i) => {
    const file = path.join(ROOT, 'test', 'docs', '__examples__', `example${i}.ts`)
    const parsed = ts.createSourceFile(file, example.code, ts.ScriptTarget.ES2022, true)
    const own = ownNames(parsed)
    const imports = [...usedIdentifiers(parsed)]
      .filter((name) => !own.has(name) && exportsByName.has(name))
      .map((name) => `import { ${name} } from '${exportsByName.get(name)!}'`)
    // One line for the imports, so that error positions stay on the example's own lines + 1.
    virtual.set(file, `${imports.join('; ')}\n${example.code}\nexport {}\n`)
    return file
  })
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = virtual.get(path.resolve(fileName))
    return text === undefined
      ? getSourceFile(fileName, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(fileName, text, languageVersion, true)
  }
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (fileName) => virtual.has(path.resolve(fileName)) || fileExists(fileName)
  const readFile = host.readFile.bind(host)
  host.readFile = (fileName) => virtual.get(path.resolve(fileName)) ?? readFile(fileName)
  const program = ts.createProgram([preludeFile, ...files], options, host)
  const preludeErrors = program.getSemanticDiagnostics(program.getSourceFile(preludeFile))
  if (preludeErrors.length > 0) throw new Error(`prelude: ${ts.flattenDiagnosticMessageText(preludeErrors[0].messageText, '\n')}`)
  return files.map((file) => {
    const sf = program.getSourceFile(file)!
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => {
      const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line
      return `example line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
    })
  })
}

/** For each name the entries export, the entry to import it from (one that exports it as a value, if any). */
function exportsOfEntries(program: ts.Program): Map<string, string> {
  const checker = program.getTypeChecker()
  const byName = new Map<string, { specifier: string; typeOnly: boolean }>()
  for (const [specifier, entry] of Object.entries(ENTRIES)) {
    const sf = program.getSourceFile(path.join(ROOT, entry))!
    for (const s of checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!)) {
      const typeOnly = (s.declarations ?? []).some((d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly))
      const known = byName.get(s.name)
      if (known === undefined || (known.typeOnly && !typeOnly)) byName.set(s.name, { specifier, typeOnly })
    }
  }
  return new Map([...byName].map(([name, { specifier }]) => [name, specifier]))
}

const entries = ts.createProgram(
  Object.values(ENTRIES).map((f) => path.join(ROOT, f)),
  compilerOptions(),
)
const examples = publicExamples(entries)
const errors = compileExamples(examples, exportsOfEntries(entries))

test('the public surface has examples to check', () => {
  expect(examples.length).toBeGreaterThan(100)
})

test.each(examples.map((example, i) => [example.where, i] as const))('@example of %s compiles', (_where, i) => {
  expect({ code: examples[i].code, errors: errors[i] }).toEqual({ code: examples[i].code, errors: [] })
})

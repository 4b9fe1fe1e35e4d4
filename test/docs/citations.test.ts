import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/**
 * Comments and docs cite facts as `docs/<file>.md` or `docs/<file>.md §N`. Every cited file must be in
 * the repository and every cited section must be one of its `## N.` headings, so that a reader can open
 * what the code relies on.
 */
const ROOT = join(__dirname, '..', '..')
const SCANNED = ['lib', 'test', 'example-app', 'bench', 'README.md', 'docs']
const CITATION = /docs\/([\w./-]+\.md)(?:\s*§\s*(\d+[a-z]?))?/g

function filesUnder(path: string): string[] {
  const full = join(ROOT, path)
  if (!existsSync(full)) return []
  if (statSync(full).isFile()) return [full]
  return readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'api' || entry.name.startsWith('.')) return []
    const child = join(path, entry.name)
    return entry.isDirectory() ? filesUnder(child) : /\.(ts|tsx|js|mjs|md|ejs)$/.test(entry.name) ? [join(ROOT, child)] : []
  })
}

function sectionNumbers(doc: string): string[] {
  return [...doc.matchAll(/^##\s+(\d+[a-z]?)\./gm)].map((m) => m[1])
}

interface Citation {
  from: string
  doc: string
  section: string | undefined
}

const citations = SCANNED.flatMap(filesUnder).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(CITATION)].map((m): Citation => ({ from: relative(ROOT, file), doc: m[1], section: m[2] })),
)

test('the repository cites its docs (the scan finds citations at all)', () => {
  expect(citations.length).toBeGreaterThan(20)
})

test('every cited docs/ file exists', () => {
  const missing = citations.filter((c) => !existsSync(join(ROOT, 'docs', c.doc))).map((c) => `${c.from}: docs/${c.doc}`)
  expect(missing).toEqual([])
})

test('every cited § section is a heading of that file (§2 also matches 2b, 2d)', () => {
  const broken = citations
    .filter((c) => c.section !== undefined && existsSync(join(ROOT, 'docs', c.doc)))
    .filter((c) => {
      const sections = sectionNumbers(readFileSync(join(ROOT, 'docs', c.doc), 'utf8'))
      return !sections.some((s) => s === c.section || (/^\d+$/.test(c.section ?? '') && s.replace(/[a-z]$/, '') === c.section))
    })
    .map((c) => `${c.from}: docs/${c.doc} §${c.section}`)
  expect(broken).toEqual([])
})

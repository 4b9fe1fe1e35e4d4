#!/usr/bin/env node
// Part of `npm run build` (issue 15, "lazy and light"): makes the built main entry load each
// module behind its exports on first use. tsc emits, for `export { X } from './x'`,
//   var x_1 = require("./x");
//   Object.defineProperty(exports, "X", { enumerable: true, get: function () { return x_1.X; } });
// Only the first line changes: `x_1` becomes a proxy that requires ./x when an export is first
// read. The getters keep tsc's shape, which Node's CommonJS lexer reads, so ESM named imports still
// work; the declarations (dist/index.d.ts) are untouched. check:package imports the packed entry
// both ways.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js')
const source = readFileSync(file, 'utf8')
const requires = /^var (\w+) = require\("(\.\/[^"]+)"\);$/gm
const names = [...source.matchAll(requires)].map((m) => m[1])
const getters = [...source.matchAll(/get: function \(\) \{ return (\w+)\.\w+; \}/g)].map((m) => m[1])
if (names.length === 0 || getters.some((g) => !names.includes(g))) {
  console.error('lazy-entry: dist/index.js does not have the shape tsc emitted before; check scripts/lazy-entry.mjs')
  process.exit(1)
}
const helper = `// Loads a module on first use (scripts/lazy-entry.mjs).
function lazyModule(load) {
    var loaded;
    return new Proxy({}, { get: function (_, key) { return (loaded !== undefined ? loaded : (loaded = load()))[key]; } });
}
`
const out = source
  .replace('Object.defineProperty(exports, "__esModule", { value: true });\n', (line) => line + helper)
  .replace(requires, (_, name, spec) => `var ${name} = lazyModule(function () { return require("${spec}"); });`)
writeFileSync(file, out)
console.log(`lazy-entry: ${names.length} modules of dist/index.js load on first use`)

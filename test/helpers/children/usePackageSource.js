'use strict'
/**
 * Preloaded (`node -r`) into a child process that runs user code verbatim: `passport-lexoffice`
 * and its subpaths resolve to this repository's TypeScript sources (transpiled by ts-node), as
 * jest's moduleNameMapper does for the tests.
 */
const path = require('node:path')
const Module = require('node:module')

require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', '..', '..', 'tsconfig.json') })

const LIB = path.join(__dirname, '..', '..', '..', 'lib')
const resolve = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  if (request === 'passport-lexoffice') return resolve.call(this, path.join(LIB, 'index.ts'), ...rest)
  const sub = /^passport-lexoffice\/(redis|sandbox|postgres)$/.exec(request)
  if (sub) return resolve.call(this, path.join(LIB, `${sub[1]}.ts`), ...rest)
  return resolve.call(this, request, ...rest)
}

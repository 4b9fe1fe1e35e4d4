#!/usr/bin/env node
// API reports (issue 15): API Extractor writes the public surface of each entry point to
// api/<entry>.api.md, from the built declarations (run `npm run build` first).
//   node scripts/api-report.mjs --local   writes the reports (npm run api:update)
//   node scripts/api-report.mjs           fails when a report differs from the surface (npm run api:check)
// One API Extractor run per entry point: one config handles one entry.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const localBuild = process.argv.includes('--local')
const entries = { 'passport-lexoffice': 'index', redis: 'redis', postgres: 'postgres', sandbox: 'sandbox' }

let failed = false
for (const [report, entry] of Object.entries(entries)) {
  const config = ExtractorConfig.prepare({
    configObjectFullPath: undefined,
    packageJsonFullPath: path.join(root, 'package.json'),
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: `<projectFolder>/dist/${entry}.d.ts`,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            lib: ['ES2022', 'DOM'],
            types: ['node'],
            strict: true,
            moduleResolution: 'node10',
            skipLibCheck: true,
          },
          files: [`dist/${entry}.d.ts`],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: `${report}.api.md`,
        reportFolder: '<projectFolder>/api/',
        reportTempFolder: '<projectFolder>/node_modules/.cache/api-extractor/',
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'none' },
          // Types the entry uses but does not export are named in the report (a visible diff when they change).
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
          'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
  })
  const result = Extractor.invoke(config, {
    localBuild,
    showVerboseMessages: false,
    messageCallback: (m) => (m.handled = m.logLevel === 'none'),
  })
  if (result.apiReportChanged && !localBuild) {
    failed = true
    console.log(
      `api/${report}.api.md is out of date: the public surface changed. Run npm run build && npm run api:update, review and commit the diff.`,
    )
  } else if (!result.succeeded) {
    failed = true
    console.log(`API Extractor failed for ${entry}: ${result.errorCount} errors`)
  } else {
    console.log(`api/${report}.api.md ${result.apiReportChanged ? 'updated' : 'up to date'}`)
  }
}
process.exit(failed ? 1 : 0)

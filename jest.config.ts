/**
 * @jest-config-loader ts-node
 * @jest-config-loader-options {"transpileOnly": true}
 */
import type { Config } from 'jest'

/**
 * Three test layers, told apart by the file name (what the file needs is in its name):
 *
 * - `unit`: every other `*.test.ts`. Pure code, and in-process HTTP servers on port 0 that the
 *   test itself scripts (Express apps, stub endpoints); no sandbox, no Redis, no PostgreSQL, no
 *   browser, no child process. Fast: `npm run test:unit`.
 * - `integration`: `*.sandbox.test.ts` (the sandbox plays lexoffice: the library's flows against
 *   it, and the sandbox's own routes), `*.redis.test.ts` (Redis), `*.postgres.test.ts`
 *   (PostgreSQL, some also Redis), `*.spawn.test.ts` (child processes: the CLI, the entry points,
 *   the package surface, the README Quick start), `*.tsc.test.ts` (the TypeScript compiler over
 *   the documentation's examples). `npm run test:integration`.
 * - `e2e`: `*.browser.test.ts` (Chromium drives the example app). `npm run test:e2e`.
 *
 * `npm test` runs all three, as CI does; TEST_LAYER=unit|integration|e2e keeps one (what the
 * `test:*` scripts set: unlike `--selectProjects`, it leaves the command line to file patterns and
 * flags, e.g. `npm run test:unit -- test/timing`). ts-jest only transpiles here (isolatedModules);
 * `npm run typecheck` type-checks. The docblock pragmas at the top make Jest read this file (and
 * jest.live.config.ts) with ts-node in transpile-only mode too: by default ts-node type-checks it,
 * about 3.5 s of CPU before any test starts (measured: `jest --showConfig` 3.4 s -> 0.4 s user).
 */
const INTEGRATION = '\\.(sandbox|redis|postgres|spawn|tsc)\\.test\\.ts$'
const E2E = '\\.browser\\.test\\.ts$'

/** What every layer (and jest.live.config.ts) shares. */
export const shared: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^passport-lexoffice$': '<rootDir>/lib/index.ts',
    '^passport-lexoffice/(redis|postgres|sandbox)$': '<rootDir>/lib/$1.ts',
  },
  setupFiles: ['<rootDir>/test/setup/blockNetwork.ts'],
}

const layers = [
  { ...shared, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', INTEGRATION, E2E] },
  { ...shared, displayName: 'integration', testRegex: INTEGRATION },
  { ...shared, displayName: 'e2e', testRegex: E2E },
]
const layer = process.env['TEST_LAYER']
if (layer !== undefined && !layers.some((l) => l.displayName === layer))
  throw new Error(`TEST_LAYER must be unit, integration or e2e, not "${layer}"`)

const config: Config = {
  testTimeout: 30_000,
  maxWorkers: 2,
  projects: layer === undefined ? layers : layers.filter((l) => l.displayName === layer),
}

export default config

import type { Config } from 'jest'

/**
 * One jest run covers everything: unit tests, the sandbox-driven integration tests,
 * the Redis tests (which fail, never skip, without Redis) and the browser tests.
 * ts-jest only transpiles here; `npm run typecheck` (run by .ci/run) type-checks.
 */
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^passport-lexoffice$': '<rootDir>/lib/index.ts',
    '^passport-lexoffice/(redis|postgres|sandbox)$': '<rootDir>/lib/$1.ts',
  },
  setupFiles: ['<rootDir>/test/setup/blockNetwork.ts'],
  testTimeout: 30_000,
  maxWorkers: 2,
}

export default config

/**
 * @jest-config-loader ts-node
 * @jest-config-loader-options {"transpileOnly": true}
 */
import type { Config } from 'jest'
import { shared } from './jest.config'

/**
 * `npm run test:live` (through test/live/runLive.ts): the API contract against real lexoffice.
 * Unlike `npm test` it may reach the network (no test/setup/blockNetwork.ts), runs one file at a
 * time and allows slow answers.
 */
const config: Config = {
  ...shared,
  testMatch: ['**/test/live/**/*.live.ts'],
  setupFiles: [],
  testTimeout: 180_000,
  maxWorkers: 1,
}

export default config

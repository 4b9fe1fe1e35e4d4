/**
 * Starts the example app from the environment (see config.ts):
 *
 *   npm start                      # built-in sandbox, in-memory sessions and tokens
 *   REDIS_URL=redis://127.0.0.1:6379 npm start   # sessions and tokens in Redis
 *   LEXOFFICE_CLIENT_ID=... LEXOFFICE_CLIENT_SECRET=... LEXOFFICE_ENV=sandbox npm start
 */
import type { Server } from 'node:http'
import { readConfig } from './config'
import { startExample } from './startExample'

async function main(): Promise<void> {
  const config = readConfig()
  const started = await startExample(config)
  const server: Server = started.server
  console.log(`passport-lexoffice example on ${started.baseURL} (${started.backendLabel})`)
  if (started.sandbox) console.log(`built-in lexoffice sandbox on ${started.sandbox.url}`)
  const stop = (): void => {
    console.log('shutting down')
    server.close()
    void started.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})

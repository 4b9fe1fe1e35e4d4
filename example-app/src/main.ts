/**
 * Starts the example app from the environment (see config.ts):
 *
 *   npm start                                    # built-in sandbox, sessions and tokens in memory
 *   REDIS_URL=redis://127.0.0.1:6379 npm start   # sessions, tokens (encrypted) and events in Redis
 *   LEXOFFICE_CLIENT_ID=... LEXOFFICE_CLIENT_SECRET=... LEXOFFICE_ENV=sandbox BASE_URL=https://... npm start
 */
import { GENERATED_KEY_NOTICE, readConfig } from './config'
import { startExample } from './startExample'

async function main(): Promise<void> {
  const config = readConfig()
  if (config.encryptionKeyGenerated) console.warn(GENERATED_KEY_NOTICE)
  const started = await startExample(config)
  console.log(`passport-lexoffice example on ${started.baseURL} (${started.backendLabel})`)
  if (started.sandbox) console.log(`built-in lexoffice sandbox on ${started.sandbox.url}`)
  const stop = (): void => {
    console.log('shutting down')
    void started.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})

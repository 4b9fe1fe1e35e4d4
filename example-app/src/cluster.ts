/**
 * `npm run start:cluster`: two instances of the example app in this process (ports PORT and
 * PORT+1, default 3000 and 3001) sharing Redis (sessions, tokens, events), ONE built-in
 * lexoffice sandbox (unless LEXOFFICE_CLIENT_ID is set), one session secret and one encryption
 * key, plus the background refresher that keeps idle connections alive. Sign in on one instance
 * and open the other in the same browser: cookies are scoped to the host, not the port, so the
 * session is the same and the tokens come from Redis.
 *
 *   npm run start:cluster
 *   REDIS_URL=redis://127.0.0.1:6380 PORT=4000 npm run start:cluster
 */
import { randomBytes } from 'node:crypto'
import type { BackgroundRefresher, LexofficeRefresherOptions } from 'passport-lexoffice'
import { type Sandbox, createSandbox } from 'passport-lexoffice/sandbox'
import { GENERATED_KEY_NOTICE, readConfig } from './config'
import { type StartedExample, exampleSandboxOptions, startExample } from './startExample'

export interface StartedCluster {
  instances: [StartedExample, StartedExample]
  sandbox: Sandbox | undefined
  refresher: BackgroundRefresher
  /** Where the instances share their state: Redis (default) or PostgreSQL (DATABASE_URL). */
  redisURL: string | undefined
  databaseURL: string | undefined
  /** LEXOFFICE_ENCRYPTION_KEYS was not set: both instances use a key generated for this run. */
  encryptionKeyGenerated: boolean
  close(): Promise<void>
}

/**
 * Starts the two instances and the refresher. PORT 0 gives both instances a free port (tests);
 * otherwise they listen on PORT and PORT+1. BASE_URL, when set, is the public URL of a load
 * balancer in front of both (their common OAuth callback); without it each uses its own address.
 */
export async function startCluster(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: { refresher?: Pick<LexofficeRefresherOptions, 'intervalMs' | 'jitterMs'> } = {},
): Promise<StartedCluster> {
  const databaseURL = env.DATABASE_URL === '' ? undefined : env.DATABASE_URL
  const redisURL = databaseURL === undefined ? (env.REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined
  // One configuration read once: one session secret and one encryption key for both instances.
  const config = readConfig({ ...env, REDIS_URL: redisURL, SESSION_SECRET: env.SESSION_SECRET ?? randomBytes(32).toString('base64url') })
  const closers: Array<() => Promise<unknown>> = []
  const close = async (): Promise<void> => {
    for (const closer of [...closers].reverse()) await closer().catch(() => undefined)
  }
  try {
    // One sandbox for both: one OAuth server, one set of connections and refresh tokens.
    let sandbox: Sandbox | undefined
    if (config.embeddedSandbox) {
      const own = await createSandbox(exampleSandboxOptions())
      closers.push(() => own.close())
      sandbox = own
    }
    const shared = sandbox ? { sandbox } : {}
    const a = await startExample(config, shared)
    closers.push(() => a.close())
    const b = await startExample({ ...config, port: config.port === 0 ? 0 : config.port + 1 }, shared)
    closers.push(() => b.close())

    // One refresher is enough (the refresh lock in Redis makes more harmless): it refreshes every
    // stored connection whose access token expires within 15 minutes, through instance A's
    // configuration (the same store, lock and credentials as B's).
    const refresher = a.lexoffice.refresher({ ...options.refresher })
    refresher.on('run', (s) => {
      if (s.refreshed > 0 || s.lost > 0 || s.failed > 0)
        console.log(`background refresher: ${s.refreshed} refreshed, ${s.lost} lost, ${s.failed} failed`)
    })
    refresher.on('runError', (err) => {
      console.error('background refresher: scan failed:', err instanceof Error ? err.message : err)
    })
    refresher.start()
    closers.push(() => refresher.stop())

    return { instances: [a, b], sandbox, refresher, redisURL, databaseURL, encryptionKeyGenerated: config.encryptionKeyGenerated, close }
  } catch (err) {
    await close()
    throw err
  }
}

/** The Redis URL without its password, for printing. */
function printable(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(invalid URL)'
  }
}

async function main(): Promise<void> {
  const cluster = await startCluster()
  const [a, b] = cluster.instances
  if (cluster.encryptionKeyGenerated) console.warn(GENERATED_KEY_NOTICE)
  console.log(`passport-lexoffice example cluster (${a.backendLabel} at ${printable(cluster.redisURL ?? cluster.databaseURL ?? '')})`)
  console.log(`  instance A:           ${a.listenURL}`)
  console.log(`  instance B:           ${b.listenURL}`)
  if (a.baseURL !== a.listenURL) console.log(`  public base URL:      ${a.baseURL}`)
  if (cluster.sandbox) console.log(`  lexoffice sandbox:    ${cluster.sandbox.url}`)
  console.log(
    `  background refresher: every ${cluster.refresher.intervalMs / 1000} s, tokens expiring within ${cluster.refresher.windowMs / 60_000} min`,
  )
  console.log('Sign in on A, then open B in the same browser: same session, same lexoffice tokens.')
  const stop = (): void => {
    console.log('shutting down')
    void cluster.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}

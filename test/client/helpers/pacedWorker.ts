/**
 * Child process for the cross-process pacing test. It builds a LexofficeClient whose rate limit
 * lives in Redis, says `ready`, waits for `go` on stdin, sends CALLS requests at once and prints
 * a JSON summary. 429s are not retried (rateLimitRetries 0), so each one is counted.
 */
import Redis from 'ioredis'
import { LexofficeClient } from '../../../lib/client/LexofficeClient'

async function main(): Promise<void> {
  const env = process.env
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1, retryStrategy: () => null })
  await redis.ping()
  const client = new LexofficeClient({
    apiKey: env.API_KEY ?? 'worker-key',
    apiURL: env.API_URL ?? '',
    connectionKey: env.CONNECTION_KEY ?? 'shared',
    // Each worker is one connection (CONNECTION_KEY): the budget is per connection key.
    rateLimit: { redis, ratePerSecond: Number(env.RATE), keyPrefix: env.KEY_PREFIX ?? '', scope: 'connection' },
    retry: { retries: 0, rateLimitRetries: 0 },
  })
  // Load Node's fetch before the measured phase (the parent's server does not count /warmup).
  await fetch(`${env.API_URL ?? ''}/warmup`)
  process.stdout.write('ready\n')
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()))
  process.stdin.destroy()
  const calls = Number(env.CALLS)
  const results = await Promise.allSettled(Array.from({ length: calls }, () => client.profile.get()))
  const summary = { ok: 0, rateLimited: 0, other: [] as string[] }
  for (const r of results) {
    if (r.status === 'fulfilled') summary.ok++
    else if ((r.reason as { code?: string }).code === 'API_RATE_LIMITED') summary.rateLimited++
    else summary.other.push(String((r.reason as { message?: unknown }).message))
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`)
  redis.disconnect()
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`)
  process.exit(1)
})

/**
 * Endurance soak: a sandbox with 2 s access tokens; P processes (default 4) on one Redis
 * (RedisTokenStore + lock, RedisRateLimiter), each with a BackgroundRefresher and request traffic
 * (getAccessToken + GET /v1/contacts) on C connections (default 20); token-endpoint faults
 * (5xx, a gateway timeout longer than the client's 1 s timeout, a slow answer) injected every
 * few seconds. Prints connections lost, double refreshes (sandbox reuse detection, and per
 * connection: rotations at the sandbox vs refreshes recorded by the managers), refreshes done,
 * requests failed by error code. Stops by itself after --minutes.
 *
 *   npm run bench:soak -- --minutes 10 [--connections 20] [--procs 4] [--rps 5] [--fault-every 5] [--oauth-timeout-ms 1000]
 */
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { createSandbox } from '../lib/sandbox/createSandbox'
import type { SandboxFault } from '../lib/sandbox/SandboxState'
import { TokenManager } from '../lib/tokens/TokenManager'
import { RedisTokenStore } from '../lib/redis/RedisTokenStore'
import { connectViaSandbox } from '../test/helpers/connect'
import type { SoakChildConfig, SoakChildMessage, SoakChildStats, SoakParentMessage } from './soak-child'
import { askAll, connectRedis, deleteKeys, fmt, forkTs, numberArg, printTable, sleep, stopChild } from './lib/util'
import { printTrace, type TraceDecision } from './soak-trace'
import { sandboxOAuth } from './lib/sandboxOAuth'
import { benchEncryption } from './lib/encryption'

/** The fault rotation: one entry is queued every --fault-every seconds. */
function faultRotation(oauthTimeoutMs: number): Array<{ label: string; faults: SandboxFault[] }> {
  return [
    { label: '500', faults: [{ kind: 'status', status: 500 }] },
    {
      label: '503 then 502',
      faults: [
        { kind: 'status', status: 503 },
        { kind: 'status', status: 502 },
      ],
    },
    {
      label: `gateway timeout: ${oauthTimeoutMs + 500} ms, not processed (client gives up at ${oauthTimeoutMs} ms)`,
      faults: [{ kind: 'delay', ms: oauthTimeoutMs + 500, thenProcess: false }],
    },
    { label: 'slow: 300 ms, then processed', faults: [{ kind: 'delay', ms: 300 }] },
  ]
}

const add = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v
}

export async function runSoak(): Promise<void> {
  const minutes = numberArg('minutes', 10)
  const connections = Math.round(numberArg('connections', 20))
  const procs = Math.round(numberArg('procs', 4))
  const rps = numberArg('rps', 5)
  const faultEverySec = numberArg('fault-every', 5)
  const oauthTimeoutMs = Math.round(numberArg('oauth-timeout-ms', 1000))
  const FAULTS = faultRotation(oauthTimeoutMs)
  const runMs = Math.round(minutes * 60_000)
  const sb = await createSandbox({ autoApprove: true, accessTokenTtlSeconds: 2 })
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const redis = await connectRedis(redisUrl)
  const run = randomBytes(4).toString('hex')
  const prefix = `bench:soak:${run}:`
  const store = new RedisTokenStore({ client: redis, prefix, encryption: benchEncryption() })
  const seeder = new TokenManager({ store, oauth: { ...sb.client, ...sb.endpoints }, lock: false })
  const revoked: Record<string, number> = {}
  const revokedAt = new Map<string, number>()
  const rotations = new Map<string, number>()
  sb.on('connection.revoked', ({ connectionId, reason }) => {
    revoked[reason] = (revoked[reason] ?? 0) + 1
    revokedAt.set(connectionId, Date.now())
  })
  sb.on('token.refreshed', ({ connectionId }) => rotations.set(connectionId, (rotations.get(connectionId) ?? 0) + 1))
  // Diagnostic: record every decision of the sandbox's rate limiter (connection, time, result).
  const decisions: TraceDecision[] = []
  const bucket = sb.api.rateLimiter
  const take = bucket.take.bind(bucket)
  bucket.take = (connectionId: string): boolean => {
    const ok = take(connectionId)
    decisions.push({ key: connectionId, at: Date.now(), ok })
    return ok
  }
  const children: ChildProcess[] = []
  const injected: Record<string, number> = {}
  let faultTimer: NodeJS.Timeout | undefined
  try {
    const keyToConnection = new Map<string, string>()
    for (let i = 0; i < connections; i++) {
      const key = `conn-${i}`
      await seeder.connect(key, await connectViaSandbox(sb))
      keyToConnection.set(key, sb.connections().at(-1)!.connectionId)
    }
    for (let i = 0; i < procs; i++) children.push(forkTs('soak-child.ts'))
    const config: SoakChildConfig = {
      redisUrl,
      prefix,
      limiterPrefix: `${prefix}rl:`,
      keys: [...keyToConnection.keys()],
      requestsPerSecond: rps,
      oauthTimeoutMs,
      oauth: sandboxOAuth(sb),
    }
    await askAll<SoakChildMessage>(
      children,
      { type: 'init', config } satisfies SoakParentMessage,
      (m) => m.type === 'ready',
      120_000,
      'soak child ready',
    )
    console.log(
      `soak: ${procs} processes, ${connections} connections, ${rps} req/s per process, 2 s access tokens, a fault every ${faultEverySec} s, ${minutes} min` +
        ' ...',
    )
    const t0 = Date.now()
    for (const c of children) c.send({ type: 'start' } satisfies SoakParentMessage)
    let n = 0
    faultTimer = setInterval(() => {
      const f = FAULTS[n++ % FAULTS.length]
      sb.failNextTokenCalls(f.faults)
      injected[f.label] = (injected[f.label] ?? 0) + 1
    }, faultEverySec * 1000)
    const progressEvery = 60_000
    while (Date.now() - t0 < runMs) {
      await sleep(Math.min(progressEvery, runMs - (Date.now() - t0)))
      const active = sb.connections().filter((c) => c.state === 'active').length
      console.log(
        `  t=${((Date.now() - t0) / 60_000).toFixed(1)} min: rotations ${[...rotations.values()].reduce((a, b) => a + b, 0)}, active connections ${active}/${connections}`,
      )
    }
    clearInterval(faultTimer)
    faultTimer = undefined
    const reports = (await askAll<SoakChildMessage>(
      children,
      { type: 'stop' } satisfies SoakParentMessage,
      (m) => m.type === 'report',
      90_000,
      'soak child report',
    )) as Array<Extract<SoakChildMessage, { type: 'report' }>>
    const elapsedMin = (Date.now() - t0) / 60_000
    const stats: SoakChildStats[] = reports.map((r) => r.stats)

    // Per connection: rotations seen by the sandbox vs refreshes recorded by the managers (events) and by the store.
    const managerRefreshes = new Map<string, number>()
    for (const s of stats)
      for (const [k, v] of Object.entries(s.refreshedByKey)) managerRefreshes.set(k, (managerRefreshes.get(k) ?? 0) + v)
    let mismatched = 0
    let storeMismatched = 0
    for (const [key, connectionId] of keyToConnection) {
      const atSandbox = rotations.get(connectionId) ?? 0
      if ((managerRefreshes.get(key) ?? 0) !== atSandbox) mismatched++
      const info = await seeder.tokenInfo(key)
      if ((info?.refreshCount ?? -1) !== atSandbox) storeMismatched++
    }
    const sandboxConns = sb.connections().filter((c) => [...keyToConnection.values()].includes(c.connectionId))
    const lostAtSandbox = sandboxConns.filter((c) => c.state !== 'active').length
    const authLost = new Set(stats.flatMap((s) => Object.keys(s.authLost))).size
    const totalRotations = [...rotations.values()].reduce((a, b) => a + b, 0)
    const requestsOk = stats.reduce((a, s) => a + s.requestsOk, 0)
    const failed: Record<string, number> = {}
    const refreshFailed: Record<string, number> = {}
    for (const s of stats) {
      add(failed, s.requestsFailed)
      add(refreshFailed, s.refreshFailed)
    }
    const failedTotal = Object.values(failed).reduce((a, b) => a + b, 0)
    // A lost connection whose last refresh before the loss ended in TIMEOUT (any process, within
    // 10 s): the sandbox had most likely rotated after the client gave up (unknown outcome).
    const timeouts = stats.flatMap((s) => s.timeouts)
    let lostAfterTimeout = 0
    for (const [key, connectionId] of keyToConnection) {
      const at = revokedAt.get(connectionId)
      if (at !== undefined && timeouts.some((t) => t.key === key && t.at <= at && at - t.at <= 10_000)) lostAfterTimeout++
    }
    const reuse = revoked['refresh_token_reuse'] ?? 0
    printTable(
      `Soak (${fmt(elapsedMin, 1)} min, ${procs} processes on one Redis, ${connections} connections, 2 s access tokens, token-call timeout ${oauthTimeoutMs} ms, BackgroundRefresher every 250 ms with a 1 s window in each process, ${rps} req/s per process)`,
      ['figure', 'value', 'goal'],
      [
        [
          'connections lost (sandbox: revoked)',
          `${lostAtSandbox}/${connections}${
            Object.keys(revoked).length
              ? ` (${Object.entries(revoked)
                  .map(([r, v]) => `${r}: ${v}`)
                  .join(', ')})`
              : ''
          }`,
          '0',
        ],
        ['connections the managers marked lost (authLost)', String(authLost), '0'],
        [
          '  lost connections with a token-call TIMEOUT (outcome unknown) on them in the 10 s before the loss',
          `${lostAfterTimeout}/${lostAtSandbox}`,
          '',
        ],
        ['double refreshes: refresh-token reuse detected by the sandbox', String(reuse), '0'],
        ['double refreshes: connections whose sandbox rotations != refreshes recorded by the managers', String(mismatched), '0'],
        ['connections whose stored refreshCount != sandbox rotations', String(storeMismatched), '0'],
        [
          'refreshes done (rotations at the sandbox)',
          `${totalRotations} (${fmt(totalRotations / (elapsedMin * 60), 1)}/s; ${fmt(totalRotations / connections / (elapsedMin * 60), 2)}/s per connection)`,
          '',
        ],
        [
          'background refreshers: connections reported refreshed (all processes; includes sets another process had just refreshed)',
          String(stats.reduce((a, s) => a + s.refresherRefreshed, 0)),
          '',
        ],
        ['requests ok (getAccessToken + GET /v1/contacts)', String(requestsOk), ''],
        [
          'requests failed',
          `${failedTotal} (${fmt((100 * failedTotal) / Math.max(1, failedTotal + requestsOk), 3)} %)${
            failedTotal
              ? ': ' +
                Object.entries(failed)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')
              : ''
          }`,
          '',
        ],
        [
          'refresh attempts failed (transient, retried)',
          Object.entries(refreshFailed)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || '0',
          '',
        ],
        [
          'faults injected',
          Object.entries(injected)
            .map(([k, v]) => `${k}: ${v}`)
            .join('; '),
          '',
        ],
        ['sandbox API 429s', String(sb.api.rateLimitStats().limited), '0'],
        ['traffic ticks skipped (40 requests in flight)', String(stats.reduce((a, s) => a + s.skippedBusy, 0)), ''],
        ['refresher run errors', String(stats.reduce((a, s) => a + s.refresherRunErrors, 0)), '0'],
      ],
    )
    const connectionToKey = new Map([...keyToConnection].map(([k, c]) => [c, k]))
    const limit = sb.api.options.rateLimit
    if (limit !== false) {
      printTrace(
        stats.flatMap((s) => s.trace),
        decisions.map((d) => ({ ...d, key: connectionToKey.get(d.key) ?? d.key })),
        { perSecond: limit.perSecond, burst: limit.burst ?? limit.perSecond },
      )
    }
  } finally {
    if (faultTimer) clearInterval(faultTimer)
    await Promise.all(children.map((c) => stopChild(c, 10_000)))
    await deleteKeys(redis, `${prefix}*`)
    redis.destroy()
    await sb.close()
  }
}

if (require.main === module) {
  runSoak().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}

/**
 * P1 diagnostic: the P1 apps in ONE process with an in-process HTTP load (keep-alive agent,
 * `--ip-connections` loops of sequential requests), to split the per-request cost of the memory
 * app into its parts. Routes (same session, same cookie):
 *   baseline /api        session + passport, sync handler (P1's baseline)
 *   baseline /api-async  the same, the handler awaits once before answering
 *   memory   /api-none   lexoffice.middleware() mounted, the handler does no token work (sync)
 *   memory   /api        P1's memory route: awaits req.lexoffice.getAccessToken()
 * Interleaved rounds of a fixed number of requests each; CPU per request from process.cpuUsage
 * (load loop included: it is the same for every route, so differences are the server's), and
 * minor GCs per 1000 requests (PerformanceObserver 'gc'), a proxy for allocation.
 *
 *   node node_modules/.cache/passport-lexoffice-bench/bench/p1-inprocess.js [--ip-requests 4000 --ip-rounds 8 --ip-connections 10]
 */
import { Agent, request } from 'node:http'
import { PerformanceObserver, constants } from 'node:perf_hooks'
import session from 'express-session'
import { createSandbox } from '../lib/sandbox/createSandbox'
import { MemoryTokenStore } from '../lib/tokens/stores/MemoryTokenStore'
import { startApp } from './lib/apps'
import { CookieJar, driveLogin, fmt, median, numberArg, printTable } from './lib/util'

let minorGcs = 0
let anyGcs = 0
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    anyGcs++
    if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minorGcs++
  }
}).observe({ entryTypes: ['gc'] })

async function load(url: string, cookie: string, total: number, connections: number, agent: Agent): Promise<number> {
  let left = total
  let bad = 0
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const r = request(url, { agent, headers: { cookie } }, (res) => {
        if (res.statusCode !== 200) bad++
        res.resume()
        res.on('end', resolve)
      })
      r.on('error', reject)
      r.end()
    })
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (left > 0) {
        left--
        await one()
      }
    }),
  )
  return bad
}

async function main(): Promise<void> {
  const perRound = Math.round(numberArg('ip-requests', 4000))
  const rounds = Math.round(numberArg('ip-rounds', 8))
  const connections = Math.round(numberArg('ip-connections', 10))
  const sb = await createSandbox({ autoApprove: true })
  const sessionStore = new session.MemoryStore()
  const baseline = await startApp({ sandbox: sb, sessionStore, strategy: 'lexoffice', withMiddleware: false })
  const memory = await startApp({
    sandbox: sb,
    sessionStore,
    strategy: 'lexoffice',
    tokenStore: new MemoryTokenStore(),
    withMiddleware: true,
  })
  baseline.app.get('/api-async', async (req, res) => {
    await Promise.resolve()
    if (!req.user) {
      res.status(401).send('no user')
      return
    }
    res.send('ok')
  })
  memory.app.get('/api-none', (req, res) => {
    if (!req.user) {
      res.status(401).send('no user')
      return
    }
    res.send('ok')
  })
  const jar = new CookieJar()
  await driveLogin(jar, `${memory.url}/auth/login`)
  const cookie = jar.header()
  const routes: Array<[string, string]> = [
    ['baseline /api (P1 baseline)', `${baseline.url}/api`],
    ['baseline /api-async (await once)', `${baseline.url}/api-async`],
    ['memory /api-none (middleware, no token work)', `${memory.url}/api-none`],
    ['memory /api (P1 memory: getAccessToken)', `${memory.url}/api`],
  ]
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  for (const [, url] of routes) if ((await load(url, cookie, 500, connections, agent)) > 0) throw new Error(`${url}: non-200`)
  const cpu = routes.map(() => 0)
  const gcs = routes.map(() => 0)
  // Bytes allocated per request: heapUsed growth over a round in which no GC ran (run with a large
  // young generation, e.g. --max-semi-space-size=256, so that most rounds have none).
  const bytes: number[][] = routes.map(() => [])
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? routes.map((_, i) => i) : routes.map((_, i) => routes.length - 1 - i)
    for (const i of order) {
      const g0 = minorGcs
      const a0 = anyGcs
      const h0 = process.memoryUsage().heapUsed
      const c0 = process.cpuUsage()
      await load(routes[i][1], cookie, perRound, connections, agent)
      const c = process.cpuUsage(c0)
      const h1 = process.memoryUsage().heapUsed
      if (anyGcs === a0) bytes[i].push((h1 - h0) / perRound)
      cpu[i] += c.user + c.system
      gcs[i] += minorGcs - g0
    }
  }
  const n = perRound * rounds
  printTable(
    `P1 in-process split (${rounds} rounds x ${perRound} requests per route, ${connections} connections; CPU of server + load loop)`,
    ['route', 'CPU µs/req', 'vs baseline µs', 'minor GCs per 1000 req', 'heap bytes/req (median of GC-free rounds)', 'vs baseline bytes'],
    routes.map(([name], i) => [
      name,
      fmt(cpu[i] / n, 1),
      fmt((cpu[i] - cpu[0]) / n, 1),
      fmt((1000 * gcs[i]) / n, 2),
      `${fmt(median(bytes[i]), 0)} (${bytes[i].length} rounds)`,
      fmt(median(bytes[i]) - median(bytes[0]), 0),
    ]),
  )
  agent.destroy()
  await Promise.all([baseline.close(), memory.close()])
  await sb.close()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})

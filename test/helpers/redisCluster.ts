/**
 * A local Redis Cluster of three masters for the tests: `redis-server --cluster-enabled yes` on
 * three free loopback ports (each with its own temp dir), joined by `redis-cli --cluster create
 * ... --cluster-replicas 0 --cluster-yes`, stopped and removed by `stop()`. Fails (never skips)
 * when redis-server or redis-cli are missing.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

export interface LocalRedisCluster {
  /** The masters' ports. */
  ports: number[]
  /** `redis://127.0.0.1:<port>` of each master. */
  urls: string[]
  stop(): Promise<void>
}

const run = promisify(execFile)

/** A free port whose cluster bus port (+10000) is free too. */
async function freePort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce(0)
    if (port + 10_000 > 65_535 || taken.has(port)) continue
    if ((await listenOnce(port + 10_000).catch(() => undefined)) === undefined) continue
    taken.add(port)
    return port
  }
  throw new Error('no free port pair for a Redis cluster node')
}

async function listenOnce(port: number): Promise<number> {
  const server = net.createServer()
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  const bound = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return bound
}

async function ping(port: number): Promise<string> {
  return (await run('redis-cli', ['-p', String(port), 'PING'])).stdout.trim()
}

async function clusterState(port: number): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'CLUSTER', 'INFO'])
  return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? ''
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`Redis cluster: ${what} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Starts the three masters and creates the cluster; resolves once every node says `cluster_state:ok`. */
export async function startRedisCluster(): Promise<LocalRedisCluster> {
  const taken = new Set<number>()
  const ports = [await freePort(taken), await freePort(taken), await freePort(taken)]
  const dirs: string[] = []
  const servers: ChildProcess[] = []
  const stop = async (): Promise<void> => {
    for (const server of servers) {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = once(server, 'exit')
        server.kill('SIGTERM')
        await exited
      }
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
  try {
    for (const port of ports) {
      const dir = mkdtempSync(join(tmpdir(), `lexoffice-redis-cluster-${port}-`))
      dirs.push(dir)
      const server = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, 'nodes.conf'),
          '--cluster-node-timeout',
          '2000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { stdio: 'ignore' },
      )
      servers.push(server)
      server.once('error', () => undefined)
    }
    for (const port of ports) await until(`node ${port} did not answer PING`, async () => (await ping(port)) === 'PONG')
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'])
    for (const port of ports) await until(`node ${port} did not reach cluster_state:ok`, async () => (await clusterState(port)) === 'ok')
  } catch (err) {
    await stop()
    throw new Error(`could not start a local Redis cluster: ${(err as Error).message}`, { cause: err })
  }
  return { ports, urls: ports.map((p) => `redis://127.0.0.1:${p}`), stop }
}

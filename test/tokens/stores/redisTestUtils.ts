/**
 * Real-Redis helpers for the store and lock tests. No mocks: every test talks to the Redis at
 * REDIS_URL (default redis://127.0.0.1:6379) under a unique random prefix, and fails (never skips)
 * when Redis is not reachable.
 */
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { createClient } from 'redis'
import IORedis from 'ioredis'
import type { RedisClientLike } from '../../../lib/redis/redisAdapter'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

export type ClientKind = 'node-redis' | 'ioredis'

/** Either client, with what the tests need to drive it. */
export interface TestClient {
  kind: ClientKind
  /** The raw client, as a user would pass it. */
  client: RedisClientLike
  /** Sends one command (test-side only). */
  send(args: string[]): Promise<unknown>
  close(): Promise<void>
}

/** A unique prefix per test run (and per file). */
export function uniquePrefix(label: string): string {
  return `test:lexoffice:${label}:${Date.now().toString(36)}-${randomBytes(4).toString('hex')}:`
}

const noop = (): void => undefined

/**
 * A connected client configured to fail fast when Redis is unreachable (no offline queue); rejects
 * when it cannot connect. `keepReconnecting`: reconnect every 50 ms forever once connected (as
 * production clients should); otherwise give up after two attempts.
 */
export async function connectClient(kind: ClientKind, url: string = REDIS_URL, keepReconnecting = false): Promise<TestClient> {
  if (kind === 'node-redis') {
    const client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => (retries >= 2 && !keepReconnecting ? false : 50) },
    })
    client.on('error', noop)
    try {
      await client.connect()
    } catch (err) {
      client.destroy()
      throw new Error(`Redis at ${url} is not reachable (node-redis): ${(err as Error).message}`, { cause: err })
    }
    return {
      kind,
      client,
      send: (args) => client.sendCommand(args),
      close: async () => {
        if (client.isOpen) client.destroy()
      },
    }
  }
  const client = new IORedis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: (times: number) => (times >= 2 && !keepReconnecting ? null : 50),
  })
  client.on('error', noop)
  try {
    await client.connect()
  } catch (err) {
    if (client.status !== 'end') client.disconnect()
    throw new Error(`Redis at ${url} is not reachable (ioredis): ${(err as Error).message}`, { cause: err })
  }
  return {
    kind,
    client,
    send: (args) => client.call(args[0], ...args.slice(1)),
    close: async () => client.disconnect(),
  }
}

/**
 * A client of `kind` pointed at a closed port, configured as the docs advise (fail fast). It is
 * not connected (connecting fails), so every command must reject at once.
 */
export async function unreachableClient(kind: ClientKind): Promise<{ client: RedisClientLike; close: () => void }> {
  const port = await closedPort()
  if (kind === 'node-redis') {
    const client = createClient({
      socket: { host: '127.0.0.1', port, connectTimeout: 500, reconnectStrategy: false },
      disableOfflineQueue: true,
    })
    client.on('error', noop)
    await client.connect().catch(noop)
    return {
      client,
      close: () => {
        if (client.isOpen) client.destroy()
      },
    }
  }
  const client = new IORedis(port, '127.0.0.1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', noop)
  await client.connect().catch(noop)
  // ioredis arms a 2 s timer in disconnect() even when the stream is already closed; only
  // disconnect a client whose connection is (still) open. retryStrategy null: no reconnects.
  return {
    client,
    close: () => {
      if (client.status === 'ready' || client.status === 'connect' || client.status === 'connecting') client.disconnect()
    },
  }
}

/** A loopback port nobody listens on: bind port 0, note it, close. */
export async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Deletes every key under `prefix` (SCAN + UNLINK). */
export async function deletePrefix(client: TestClient, prefix: string): Promise<number> {
  let cursor = '0'
  let deleted = 0
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`
  do {
    const [next, keys] = (await client.send(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000'])) as [unknown, string[]]
    cursor = String(next)
    if (keys.length > 0) deleted += Number(await client.send(['UNLINK', ...keys]))
  } while (cursor !== '0')
  return deleted
}

/** Polls `condition` until it is true or the deadline passes (no fixed sleeps). */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await condition()) return
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** A loopback TCP proxy in front of the real Redis; `down()` drops every connection and refuses new ones until `up()`. */
export interface RedisOutage {
  /** The proxy's URL (a port obtained by binding 0). */
  url: string
  /** Connections refused while down (the client's reconnect attempts). */
  readonly refused: number
  down(): void
  up(): void
  close(): Promise<void>
}

/** Starts a proxy to the Redis at REDIS_URL, to simulate Redis going away and coming back. */
export async function startRedisProxy(): Promise<RedisOutage> {
  const target = new URL(REDIS_URL)
  const targetPort = Number(target.port || 6379)
  const targetHost = target.hostname.replace(/^\[|\]$/g, '')
  const sockets = new Set<net.Socket>()
  let isDown = false
  let refused = 0
  const server = net.createServer((client) => {
    client.on('error', noop)
    if (isDown) {
      refused += 1
      client.destroy()
      return
    }
    const upstream = net.connect(targetPort, targetHost)
    upstream.on('error', noop)
    sockets.add(client).add(upstream)
    const forget = (): void => {
      sockets.delete(client)
      sockets.delete(upstream)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', forget)
    upstream.on('close', forget)
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  const userinfo = target.username || target.password ? `${target.username}:${target.password}@` : ''
  const db = target.pathname && target.pathname !== '/' ? target.pathname : ''
  return {
    url: `redis://${userinfo}127.0.0.1:${port}${db}`,
    get refused() {
      return refused
    },
    down: () => {
      isDown = true
      for (const s of sockets) s.destroy()
    },
    up: () => {
      isDown = false
    },
    close: async () => {
      isDown = true
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

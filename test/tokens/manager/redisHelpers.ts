import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import net from 'node:net'
import path from 'node:path'
import { createClient } from 'redis'
import type { Answer, ChildMessage, Op, ParentMessage } from '../../helpers/children/managerChild'
import { TEST_ENCRYPTION_KEYS } from '../../helpers/encryption'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

export function uniquePrefix(label: string): string {
  return `test:lexoffice:manager:${label}:${Date.now().toString(36)}-${randomBytes(4).toString('hex')}:`
}

function makeClient(url: string) {
  return createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: 2_000, reconnectStrategy: () => 50 } })
}
export type RedisClient = ReturnType<typeof makeClient>

/** A connected node-redis client that fails fast while Redis is unreachable (and keeps reconnecting). Fails the test without Redis. */
export async function connectRedis(url: string = REDIS_URL): Promise<RedisClient> {
  const client = makeClient(url)
  client.on('error', () => undefined)
  const failed = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`Redis at ${url} is not reachable`)), 5_000).unref())
  await Promise.race([client.connect(), failed]).catch((err: unknown) => {
    client.destroy()
    throw err
  })
  return client
}

/** Deletes every key under `prefix` (test cleanup). */
export async function deletePrefix(client: RedisClient, prefix: string): Promise<void> {
  const keys = await client.sendCommand<string[]>(['KEYS', `${prefix}*`])
  if (keys.length > 0) await client.sendCommand(['DEL', ...keys])
}

/** A TCP proxy in front of Redis that can be cut (every socket dropped, new ones refused) and restored. */
export async function redisProxy(
  target: string = REDIS_URL,
): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target)
  const sockets = new Set<net.Socket>()
  let down = false
  const server = net.createServer((client) => {
    if (down) return void client.destroy()
    const upstream = net.connect(Number(port || 6379), hostname)
    sockets.add(client).add(upstream)
    const drop = (): void => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream).pipe(client)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port: proxyPort } = server.address() as net.AddressInfo
  return {
    url: `redis://127.0.0.1:${proxyPort}`,
    cut() {
      down = true
      for (const s of sockets) s.destroy()
      sockets.clear()
    },
    restore() {
      down = false
    },
    close: () =>
      new Promise<void>((resolve) => {
        down = true
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

const CHILD = path.join(__dirname, '../../helpers/children/managerChild.ts')

/** A forked app instance (see managerChild.ts) with a message log and a way to wait for messages. */
export interface Child {
  proc: ChildProcess
  messages: ChildMessage[]
  send(msg: ParentMessage): void
  waitFor<T extends ChildMessage['type']>(type: T, timeoutMs?: number): Promise<Extract<ChildMessage, { type: T }>>
  /** Sends `op` and resolves with the child's answer to it (matched by id; may be asked again and again). */
  ask(op: Op, timeoutMs?: number): Promise<Answer>
}

export function forkChild(): Child {
  const proc = fork(CHILD, [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: path.join(__dirname, '../../..'),
    // The children share this file's token key (their RedisTokenStores read one another's records).
    env: { ...process.env, LEXOFFICE_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS },
  })
  const messages: ChildMessage[] = []
  const waiters: Array<() => void> = []
  proc.on('message', (m: ChildMessage) => {
    messages.push(m)
    for (const w of waiters.splice(0)) w()
  })
  proc.on('exit', () => {
    for (const w of waiters.splice(0)) w()
  })
  let asked = 0
  /** The first message (ever received) that `match`es; rejects on a fatal message, the child's exit or the deadline. */
  const waitUntil = (match: (m: ChildMessage) => boolean, what: string, timeoutMs: number): Promise<ChildMessage> => {
    const deadline = Date.now() + timeoutMs
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = messages.find(match)
        if (found) {
          resolve(found)
          return
        }
        const fatal = messages.find((m) => m.type === 'fatal')
        if (fatal) {
          reject(new Error(`child failed: ${(fatal as { message: string }).message}`))
          return
        }
        if (proc.exitCode !== null || proc.signalCode !== null) {
          reject(new Error(`child exited before ${what}`))
          return
        }
        if (Date.now() > deadline) {
          reject(new Error(`timed out waiting for ${what} from the child`))
          return
        }
        waiters.push(check)
        setTimeout(check, Math.max(0, deadline - Date.now()) + 1).unref()
      }
      check()
    })
  }
  return {
    proc,
    messages,
    send: (msg) => void proc.send(msg),
    waitFor(type, timeoutMs = 60_000) {
      return waitUntil((m) => m.type === type, `"${type}"`, timeoutMs) as never
    },
    ask(op, timeoutMs = 60_000) {
      const id = ++asked
      proc.send({ type: 'ask', id, op } satisfies ParentMessage)
      return waitUntil((m) => m.type === 'answer' && m.id === id, `the answer to "${op}"`, timeoutMs) as Promise<Answer>
    },
  }
}

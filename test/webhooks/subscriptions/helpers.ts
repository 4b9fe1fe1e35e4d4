/**
 * Helpers for the webhook-subscription tests: a scripted webhook receiver on 127.0.0.1:0 and a
 * Bearer-token API caller for the sandbox.
 */
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Sandbox } from '../../../lib/sandbox/Sandbox'
import { connectViaSandbox } from '../../helpers/connect'

/** One request the receiver got. */
export interface Received {
  method: string
  path: string
  headers: IncomingHttpHeaders
  raw: Buffer
}

/** What the receiver answers to the n-th request (0-based): a status, or 'hang' (never answer). */
export type Answer = number | 'hang' | { status: number; headers: Record<string, string> }

export interface Receiver {
  url: string
  received: Received[]
  /** Resolves when the receiver has got `n` requests in total. */
  count(n: number): Promise<void>
  close(): Promise<void>
}

export async function startReceiver(script: (index: number, req: Received) => Answer = () => 204): Promise<Receiver> {
  const received: Received[] = []
  const waiters: Array<{ n: number; resolve: () => void }> = []
  const hanging: ServerResponse[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const entry: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks) }
      const index = received.length
      received.push(entry)
      for (const w of waiters.filter((w) => received.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
      const answer = script(index, entry)
      if (answer === 'hang') {
        hanging.push(res)
        return
      }
      if (typeof answer === 'number') {
        res.statusCode = answer
        res.end()
        return
      }
      res.writeHead(answer.status, answer.headers)
      res.end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    received,
    count: (n) => (received.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () =>
      new Promise((resolve) => {
        for (const r of hanging) r.destroy()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** A logged-in sandbox connection with a raw API caller. */
export interface SandboxUser {
  connectionId: string
  organizationId: string
  accessToken: string
  refreshToken: string
  api(method: string, path: string, body?: unknown): Promise<Response>
}

export async function sandboxUser(sb: Sandbox): Promise<SandboxUser> {
  const tokens = await connectViaSandbox(sb, undefined, 'profile.read contacts.read contacts.write')
  const api = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(sb.url + path, {
      method,
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  const profile = (await (await api('GET', '/v1/profile')).json()) as { connectionId: string; organizationId: string }
  return {
    connectionId: profile.connectionId,
    organizationId: profile.organizationId,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token!,
    api,
  }
}

/** Creates an event subscription through the API; resolves its id. */
export async function subscribe(user: SandboxUser, eventType: string, callbackUrl: string): Promise<string> {
  const res = await user.api('POST', '/v1/event-subscriptions', { eventType, callbackUrl })
  if (res.status !== 201) throw new Error(`subscription answered ${res.status}: ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}

/** Changes the first contact through the API (GET + PUT): a real `contact.changed`. Resolves its id. */
export async function changeAContact(user: SandboxUser): Promise<string> {
  const page = (await (await user.api('GET', '/v1/contacts?page=0&size=1')).json()) as { content: Array<{ id: string }> }
  const id = page.content[0].id
  const contact = (await (await user.api('GET', `/v1/contacts/${id}`)).json()) as Record<string, unknown>
  const res = await user.api('PUT', `/v1/contacts/${id}`, { ...contact, note: `changed ${Date.now()}` })
  if (res.status !== 200) throw new Error(`contact update answered ${res.status}: ${await res.text()}`)
  return id
}

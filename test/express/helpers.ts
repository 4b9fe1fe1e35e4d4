import { once } from 'node:events'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import express5 from 'express'
import express4 from 'express4'

/** Both Express majors, for describe.each. */
export const EXPRESS_VERSIONS = [
  ['express 5', () => express5()],
  ['express 4', () => express4() as unknown as ReturnType<typeof express5>],
] as const

/** Listens on 127.0.0.1:0; resolves the base URL and a close function. */
export async function listen(
  handler: Parameters<typeof createServer>[1] | ReturnType<typeof express5>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(handler as Parameters<typeof createServer>[1])
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** A stand-in lexoffice API that answers every request with `status` and counts them. */
export async function stubApi(status: number, body: unknown): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0
  const { url, close } = await listen((_req: IncomingMessage, res: ServerResponse) => {
    calls++
    res.statusCode = status
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(body))
  })
  return { url, calls: () => calls, close }
}

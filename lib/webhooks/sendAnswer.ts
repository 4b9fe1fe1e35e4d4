/**
 * The plain-text answers of the webhook handler.
 * @internal
 */
import type { ServerResponse } from 'node:http'

/**
 * Answers `status` with a short plain-text `message` (none for 204 or `''`), unless an answer
 * already went out.
 * @internal
 */
export function sendAnswer(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return
  res.statusCode = status
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  if (message === '' || status === 204) {
    res.end()
    return
  }
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(message))
  res.end(message)
}

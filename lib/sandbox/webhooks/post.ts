import { request as httpRequest, type ClientRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

/**
 * One webhook POST, as lexoffice sends it: the exact body bytes, `Content-Type:
 * application/json`, `X-Lxo-Signature`; a read timeout over the whole exchange; redirects
 * followed at most 3 times. A fresh connection per request (`agent: false`, `Connection:
 * close`), so nothing lingers after the sandbox closes.
 *
 * @internal
 * @packageDocumentation
 */

/** How one POST ended. `status` is the final HTTP status (after redirects). @internal */
export type PostOutcome =
  | { status: number; error?: undefined }
  | { status?: undefined; error: 'timeout' | 'network_error' | 'dns_failure' | 'too_many_redirects' | 'aborted' }

/** A running POST that `close()` can abort. @internal */
export interface PendingPost {
  readonly done: Promise<PostOutcome>
  abort(): void
}

const MAX_REDIRECTS = 3
const MAX_DRAIN_BYTES = 1024 * 1024

/**
 * Sends `body` to `url`; never rejects.
 *
 * @internal
 */
export function postWebhook(url: string, body: Buffer, signature: string, timeoutMs: number): PendingPost {
  let current: ClientRequest | undefined
  let finished = false
  let settle!: (outcome: PostOutcome) => void
  const done = new Promise<PostOutcome>((resolve) => {
    settle = (outcome) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      current?.destroy()
      resolve(outcome)
    }
  })
  const timer = setTimeout(() => settle({ error: 'timeout' }), timeoutMs)
  timer.unref()

  const send = (target: string, redirects: number): void => {
    let parsed: URL
    try {
      parsed = new URL(target)
    } catch {
      settle({ error: 'network_error' })
      return
    }
    const request = parsed.protocol === 'https:' ? httpsRequest : parsed.protocol === 'http:' ? httpRequest : undefined
    if (!request) {
      settle({ error: 'network_error' })
      return
    }
    let req: ClientRequest
    try {
      req = request(parsed, {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'x-lxo-signature': signature,
          'user-agent': 'passport-lexoffice-sandbox-webhooks',
          connection: 'close',
        },
      })
    } catch {
      // e.g. a test network guard refusing a non-loopback host synchronously
      settle({ error: 'network_error' })
      return
    }
    current = req
    req.on('error', (err: NodeJS.ErrnoException) => {
      settle({ error: err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' ? 'dns_failure' : 'network_error' })
    })
    req.on('response', (res) => {
      const status = res.statusCode ?? 0
      const location = res.headers.location
      let drained = 0
      res.on('data', (chunk: Buffer) => {
        drained += chunk.length
        if (drained > MAX_DRAIN_BYTES) settle({ status })
      })
      res.on('error', () => settle({ error: 'network_error' }))
      res.on('end', () => {
        if (finished) return
        if (status >= 300 && status < 400 && typeof location === 'string' && location !== '') {
          if (redirects >= MAX_REDIRECTS) {
            settle({ error: 'too_many_redirects' })
            return
          }
          let next: string
          try {
            next = new URL(location, parsed).toString()
          } catch {
            settle({ status })
            return
          }
          req.removeAllListeners('error')
          req.on('error', () => undefined)
          req.destroy()
          send(next, redirects + 1)
          return
        }
        settle({ status })
      })
    })
    req.end(body)
  }

  send(url, 0)
  return { done, abort: () => settle({ error: 'aborted' }) }
}

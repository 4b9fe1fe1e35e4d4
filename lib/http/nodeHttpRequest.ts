import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequestRaw } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequestRaw } from 'node:https'

/**
 * Response headers with the two methods the package uses (`get`, case-insensitive, and
 * `forEach`), as on a WHATWG `Headers` object. @internal
 */
export interface HeaderReader {
  get(name: string): string | null
  /** Calls `callback` once per header (lower-case name; repeated headers joined with `, `). */
  forEach(callback: (value: string, name: string) => void): void
}

/** What {@link nodeHttpRequest} resolves: status, headers and the whole (size-capped) body. @internal */
export interface RawHttpResponse {
  status: number
  headers: HeaderReader
  body: Buffer
}

/** Why {@link nodeHttpRequest} failed; `code` is Node's (e.g. `ECONNREFUSED`) when there is one. @internal */
export type NodeHttpFailure =
  { kind: 'timeout'; error: Error } | { kind: 'aborted'; error: Error } | { kind: 'too-large' } | { kind: 'network'; error: Error }

/**
 * Idle keep-alive sockets are closed after 4 s, as undici (Node's fetch) does, so that a socket
 * the server is about to close (Node servers: 5 s) is not reused for a token request.
 */
const FREE_SOCKET_TIMEOUT_MS = 4_000
const httpAgent = new HttpAgent({ keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS, scheduling: 'lifo' })
const httpsAgent = new HttpsAgent({ keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS, scheduling: 'lifo' })

/**
 * One HTTP(S) request over node:http(s) with keep-alive agents: the transport of the token,
 * revocation, profile and API calls when no `fetch` is injected. Node's fetch (undici) costs
 * about twice the CPU per call (bench/README.md, P4), which the login path pays three times.
 * Never follows redirects; a hard timeout covers connect, send and the whole body; the body is
 * capped at `maxBodyBytes` (also when the server declares no length).
 *
 * Rejects with a {@link NodeHttpFailure} (mapped to typed errors by `httpRequest`).
 *
 * @internal
 */
export function nodeHttpRequest(options: {
  method: string
  url: URL
  headers: Record<string, string>
  body: string | Uint8Array | undefined
  timeoutMs: number
  maxBodyBytes: number
  signal: AbortSignal | undefined
}): Promise<RawHttpResponse> {
  return new Promise<RawHttpResponse>((resolve, reject) => {
    const { url, signal } = options
    // Before a request exists: destroying one that has no 'error' listener yet would crash the process.
    if (signal?.aborted) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a tagged failure, mapped to an error by the caller
      reject({ kind: 'aborted', error: signal.reason instanceof Error ? signal.reason : new Error('aborted') } satisfies NodeHttpFailure)
      return
    }
    let done = false
    const headers: Record<string, string | number> = { ...options.headers }
    if (options.body !== undefined)
      headers['content-length'] = typeof options.body === 'string' ? Buffer.byteLength(options.body) : options.body.byteLength
    const https = url.protocol === 'https:'
    const req = (https ? httpsRequestRaw : httpRequestRaw)(url, {
      method: options.method,
      headers,
      agent: https ? httpsAgent : httpAgent,
    })
    const finish = (failure: NodeHttpFailure | undefined, response?: RawHttpResponse): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      if (failure === undefined && response !== undefined) resolve(response)
      else {
        req.destroy()
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a tagged failure, mapped to an error by the caller
        reject(failure ?? { kind: 'network', error: new Error('no response') })
      }
    }
    const timer = setTimeout(
      () => finish({ kind: 'timeout', error: new Error(`timed out after ${options.timeoutMs} ms`) }),
      options.timeoutMs,
    )
    const onAbort = (): void => finish({ kind: 'aborted', error: signal?.reason instanceof Error ? signal.reason : new Error('aborted') })
    req.on('error', (error) => finish({ kind: 'network', error }))
    signal?.addEventListener('abort', onAbort, { once: true })
    req.on('response', (res: IncomingMessage) => {
      const declared = Number(res.headers['content-length'])
      if (Number.isFinite(declared) && declared > options.maxBodyBytes) {
        finish({ kind: 'too-large' })
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > options.maxBodyBytes) finish({ kind: 'too-large' })
        else chunks.push(chunk)
      })
      res.on('error', (error) => finish({ kind: 'network', error }))
      res.on('aborted', () =>
        finish({
          kind: 'network',
          error: Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }),
        }),
      )
      res.on('end', () => {
        if (!res.complete) {
          finish({
            kind: 'network',
            error: Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }),
          })
          return
        }
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: headerReader(res.headers),
          body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size),
        })
      })
    })
    req.end(options.body)
  })
}

function headerReader(raw: IncomingHttpHeaders): HeaderReader {
  return {
    get(name: string): string | null {
      const value = raw[name.toLowerCase()]
      if (value === undefined) return null
      return Array.isArray(value) ? value.join(', ') : value
    },
    forEach(callback: (value: string, name: string) => void): void {
      for (const [name, value] of Object.entries(raw)) {
        if (value !== undefined) callback(Array.isArray(value) ? value.join(', ') : value, name)
      }
    },
  }
}

import { ErrorCodes, LexofficeError, isLexofficeError } from '../errors'
import { secretFreeCause } from '../failures/secretFreeCause'
import { createRequire } from 'node:module'
import type { HeaderReader, NodeHttpFailure } from './nodeHttpRequest'

/** A fetch-compatible function; tests and users may inject their own (e.g. an undici dispatcher). */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>

/** The methods the package sends. @internal */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** @internal */
export interface HttpRequestOptions {
  method: HttpMethod
  url: string
  headers?: Record<string, string>
  body?: string | Uint8Array<ArrayBuffer> | FormData | Blob | undefined
  /** Abort after this many milliseconds (default 10 000). */
  timeoutMs: number
  /** Abort when the body grows past this many bytes (default 1 MiB). */
  maxBodyBytes?: number
  /** The caller's signal: when it aborts, the request is cancelled and its reason rethrown (as `fetch` does). */
  signal?: AbortSignal | undefined
  fetch?: FetchLike | undefined
}

/** @internal */
export interface HttpResponse {
  status: number
  headers: HeaderReader
  body: Buffer
  /** The body as UTF-8 text. */
  text(): string
}

/**
 * The one place where the package talks HTTP, with a hard timeout (node-oauth has none,
 * passport issue #308) and a cap on the body size. Failures become
 * {@link LexofficeError}s whose message names the host and path only (never headers,
 * bodies or query strings, which may carry secrets).
 *
 * Transport: node:http(s) with keep-alive agents ({@link nodeHttpRequest}) for http(s) URLs with
 * a string or byte body or none; Node's fetch for multipart bodies (FormData, Blob); the
 * injected `fetch` whenever one is given (tests, proxies, custom dispatchers).
 *
 * @internal
 */
export async function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
  const where = describeUrl(options.url)
  const { body } = options
  if (options.fetch === undefined && (body === undefined || typeof body === 'string' || body instanceof Uint8Array)) {
    const url = parseHttpUrl(options.url)
    if (url !== undefined) {
      try {
        const res = await nodeTransport().nodeHttpRequest({
          method: options.method,
          url,
          headers: options.headers ?? {},
          body,
          timeoutMs: options.timeoutMs,
          maxBodyBytes,
          signal: options.signal,
        })
        return { status: res.status, headers: res.headers, body: res.body, text: () => res.body.toString('utf8') }
      } catch (failure) {
        if (options.signal?.aborted) throw options.signal.reason
        throw fromNodeFailure(asNodeFailure(failure), where, options.timeoutMs, maxBodyBytes)
      }
    }
  }
  const timeout = AbortSignal.timeout(options.timeoutMs)
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout
  const doFetch = options.fetch ?? fetch
  let response: Response
  try {
    response = await doFetch(options.url, {
      method: options.method,
      headers: options.headers ?? {},
      body: options.body ?? null,
      signal,
      redirect: 'manual',
    })
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason
    throw toNetworkError(err, where, timeout, options.timeoutMs)
  }
  try {
    const body = await readLimited(response, maxBodyBytes, where)
    return { status: response.status, headers: response.headers, body, text: () => body.toString('utf8') }
  } catch (err) {
    if (isLexofficeError(err)) throw err
    if (options.signal?.aborted) throw options.signal.reason
    throw toNetworkError(err, where, timeout, options.timeoutMs)
  }
}

async function readLimited(response: Response, maxBytes: number, where: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw tooLarge(where, maxBytes)
  }
  if (!response.body) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = response.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge(where, maxBytes)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

function parseHttpUrl(url: string): URL | undefined {
  try {
    const u = new URL(url)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined
  } catch {
    return undefined
  }
}

/** A failure of nodeHttpRequest, or anything thrown synchronously by node:http (e.g. an invalid header), as a network failure. */
function asNodeFailure(thrown: unknown): NodeHttpFailure {
  if (thrown !== null && typeof thrown === 'object' && 'kind' in thrown) return thrown as NodeHttpFailure
  return { kind: 'network', error: thrown instanceof Error ? thrown : new Error('the request could not be sent') }
}

function fromNodeFailure(failure: NodeHttpFailure, where: string, timeoutMs: number, maxBodyBytes: number): LexofficeError {
  switch (failure.kind) {
    case 'too-large':
      return tooLarge(where, maxBodyBytes)
    case 'timeout':
      return new LexofficeError(ErrorCodes.TIMEOUT, `${where} did not answer within ${timeoutMs} ms.`, {
        cause: secretFreeCause(failure.error),
      })
    default: {
      const code = (failure.error as { code?: unknown }).code
      const detail = typeof code === 'string' ? ` (${code})` : ''
      return new LexofficeError(ErrorCodes.NETWORK_ERROR, `Could not reach ${where}${detail}.`, {
        cause: secretFreeCause(failure.error),
      })
    }
  }
}

function tooLarge(where: string, maxBytes: number): LexofficeError {
  return new LexofficeError(ErrorCodes.RESPONSE_TOO_LARGE, `The answer of ${where} was larger than ${maxBytes} bytes.`)
}

function toNetworkError(err: unknown, where: string, timeout: AbortSignal, timeoutMs: number): LexofficeError {
  if (timeout.aborted) {
    return new LexofficeError(ErrorCodes.TIMEOUT, `${where} did not answer within ${timeoutMs} ms.`, {
      cause: secretFreeCause(err),
    })
  }
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code
  const detail = typeof code === 'string' ? ` (${code})` : ''
  return new LexofficeError(ErrorCodes.NETWORK_ERROR, `Could not reach ${where}${detail}.`, {
    cause: secretFreeCause(err),
  })
}

/** `host/path` of a URL, without query or credentials. @internal */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.host}${u.pathname}`
  } catch {
    return 'lexoffice'
  }
}

let nodeTransportModule: typeof import('./nodeHttpRequest') | undefined

/**
 * node:http(s) and the keep-alive agents, loaded with the first request that uses them: loading
 * the package (createLexoffice, the strategy) does not pay for node:http. @internal
 */
function nodeTransport(): typeof import('./nodeHttpRequest') {
  nodeTransportModule ??= createRequire(__filename)('./nodeHttpRequest') as typeof import('./nodeHttpRequest')
  return nodeTransportModule
}

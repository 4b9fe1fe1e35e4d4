import { ErrorCodes, LexofficeApiError, isLexofficeError } from '../errors'
import { type HttpMethod, type HttpResponse, httpRequest } from '../http/httpRequest'
import { equalJitterBackoff } from '../timing/backoff'
import { delay } from '../timing/delay'
import type { LexofficeResponseInfo, TransportConnection, TransportSettings } from './LexofficeClientOptions'
import { parseApiError } from './parseApiError'

/** @internal One API call as resources (and `req.lexoffice.fetch`) describe it. */
export interface ApiCall {
  method: HttpMethod
  /** Path below the API base, starting with `/v1/`, without the query. */
  path: string
  /** Encoded query string without `?`. */
  query?: string | undefined
  /** JSON body. */
  json?: unknown
  /** Multipart body (file upload). */
  form?: FormData
  /** A body as given (`req.lexoffice.fetch`); must be re-sendable. */
  body?: string | Uint8Array<ArrayBuffer> | FormData | Blob | undefined
  /** More request headers, lower-case names (`authorization` is always the transport's). */
  headers?: Record<string, string>
  /** `Accept` header. Default `application/json`. */
  accept?: string
  /** The caller's signal: aborts the rate-limit wait, the request and the backoff, with its reason. */
  signal?: AbortSignal | undefined
}

/**
 * Connection failures that happen before a single byte of the request left this host. Only
 * these make a POST safe to retry; anything later (reset, timeout, 5xx) may mean lexoffice
 * performed it.
 */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])
const RETRY_STATUS = new Set([500, 502, 503, 504])
/** Methods that may have changed something at lexoffice when their outcome is unknown. */
const NOT_IDEMPOTENT = new Set<HttpMethod>(['POST', 'PATCH'])

/**
 * A token read after the rate-limit slot that takes longer than this (ms) leaves the slot stale:
 * calls whose slots were spaced out but waited for the same token refresh would go out together
 * and reach lexoffice as a burst. Such a call books a new slot before it is sent. A store read
 * takes ~1-30 ms; 100 ms is a fifth of lexoffice's 500 ms spacing (a bucket of 2 only overflows
 * when three calls come within 500 ms, i.e. ~550 ms late).
 */
const LATE_TOKEN_MS = 100
/** New slots booked at most per attempt for late token reads; then the call is sent anyway. */
const MAX_REBOOKS = 2

/**
 * The one request pipeline of the package: every API request (the typed client's resources, file
 * up- and downloads, `req.lexoffice.fetch`, webhook subscription calls) goes through it. Rate
 * limit -> Bearer token read after the slot (a new slot when the read outlasted it) -> request with
 * timeout and size cap -> 401: next slot, then refresh-once -> 429 backoff (`Retry-After`, shared
 * through the limiter) -> bounded retries (never a POST or PATCH whose outcome is unknown) ->
 * typed errors -> hooks.
 *
 * @internal
 */
export class ApiTransport {
  readonly #o: TransportSettings
  readonly #c: TransportConnection

  constructor(settings: TransportSettings, connection: TransportConnection) {
    this.#o = settings
    this.#c = connection
  }

  /** The API base URL (no secret). */
  get apiURL(): string {
    return this.#o.apiURL
  }

  /** Sends `call` and parses a JSON answer (`undefined` for an empty body). */
  async json<T>(call: ApiCall): Promise<T> {
    const res = await this.send(call)
    const text = res.text()
    if (!text.trim()) return undefined as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new LexofficeApiError(ErrorCodes.API_ERROR, `lexoffice answered ${call.method} ${call.path} with a body that is not JSON`, {
        upstreamStatus: res.status,
        request: { method: call.method, path: call.path },
      })
    }
  }

  /** Sends `call` with the full policy; resolves with a 2xx answer or throws a typed error. */
  send(call: ApiCall): Promise<HttpResponse> {
    return this.#exchange(call, false)
  }

  /**
   * Sends `call` with the full policy and resolves the final answer whatever its status (after the
   * retries: a 429 or 5xx that stayed), except a 401 after the refresh, which throws
   * `API_UNAUTHORIZED`. What `req.lexoffice.fetch` builds its `Response` from.
   */
  sendForAnyStatus(call: ApiCall): Promise<HttpResponse> {
    return this.#exchange(call, true)
  }

  async #exchange(call: ApiCall, anyStatus: boolean): Promise<HttpResponse> {
    const o = this.#o
    const { provider } = this.#c
    const { signal } = call
    const idempotent = !NOT_IDEMPOTENT.has(call.method)
    const request = { method: call.method, path: call.path }
    const url = `${o.apiURL}${call.path}${call.query ? `?${call.query}` : ''}`
    const seenTokens: string[] = []
    // The rate-limit key: the app's one key (rateLimit.scope 'client') or this connection's.
    const connectionKey = o.limiter ? (o.rateLimitKey ?? (await this.#c.connectionKey())) : ''
    // Every attempt reads its token AFTER its rate-limit slot came, the retry after a 401 too (it
    // refreshes then): a call queued behind others for a while must not go out with a token that
    // expired, or was rotated away, while it waited.
    /** The token lexoffice answered 401 to, until the next attempt has refreshed it. */
    let rejected: string | undefined
    let token = ''
    let refreshed = false
    let retriesUsed = 0
    let rateLimitRetriesUsed = 0
    const now = o.now ?? (() => performance.now())

    for (let attempt = 1; ; attempt++) {
      let waited = 0
      for (let rebooks = 0; ; rebooks++) {
        if (o.limiter) waited += await o.limiter.acquire(connectionKey, signal)
        const readStart = now()
        if (rejected !== undefined && rebooks === 0 && provider.refreshAfterUnauthorized) {
          token = await provider.refreshAfterUnauthorized(rejected)
        } else {
          const read = await provider.getAccessToken()
          // After a 401 refresh, a provider whose getAccessToken still has the rejected token must
          // not undo the refresh.
          if (read !== rejected) token = read
        }
        // The slot went stale while the token was read (a refresh): book a new one, so calls
        // that waited for the same refresh do not leave together.
        if (!o.limiter || now() - readStart <= LATE_TOKEN_MS || rebooks >= MAX_REBOOKS) break
      }
      rejected = undefined
      const rateLimitWaitMs = Math.round(waited)
      if (typeof token !== 'string' || token.length === 0) {
        throw new TypeError('the token provider resolved with an empty or non-string token')
      }
      seenTokens.push(token)
      const info = { method: call.method, path: call.path, attempt, rateLimitWaitMs }
      safeHook(() => o.hooks.onRequest?.({ ...info }))
      const started = performance.now()
      const report = (status: number | undefined, errorCode: string | undefined, willRetry: boolean): void => {
        const out: LexofficeResponseInfo = { ...info, status, durationMs: Math.round(performance.now() - started), errorCode, willRetry }
        safeHook(() => o.hooks.onResponse?.(out))
      }

      const headers: Record<string, string> = { ...call.headers, authorization: `Bearer ${token}` }
      headers['accept'] = call.accept ?? call.headers?.['accept'] ?? 'application/json'
      let body: string | Uint8Array<ArrayBuffer> | FormData | Blob | undefined = call.body
      if (call.form !== undefined) body = call.form
      else if (call.json !== undefined) {
        headers['content-type'] = 'application/json'
        body = JSON.stringify(call.json)
      }

      let res: HttpResponse
      try {
        res = await httpRequest({
          method: call.method,
          url,
          headers,
          body,
          timeoutMs: o.timeoutMs,
          maxBodyBytes: o.maxResponseBytes,
          signal,
          fetch: o.fetch,
        })
      } catch (err) {
        // The caller's abort (its reason) and programming errors pass through unchanged.
        if (!isLexofficeError(err)) throw err
        const causeCode = (err.cause as { code?: unknown } | undefined)?.code
        const safeToRepeat =
          err.code !== ErrorCodes.RESPONSE_TOO_LARGE &&
          (idempotent || (err.code === ErrorCodes.NETWORK_ERROR && typeof causeCode === 'string' && NOT_SENT.has(causeCode)))
        const willRetry = safeToRepeat && retriesUsed < o.retries
        report(undefined, err.code, willRetry)
        if (!willRetry) throw err
        await delay(this.#backoff(retriesUsed++), signal)
        continue
      }

      const status = res.status
      if (status >= 200 && status < 300) {
        report(status, undefined, false)
        return res
      }
      if (status === 401 && !refreshed && provider.refreshAfterUnauthorized) {
        report(status, ErrorCodes.API_UNAUTHORIZED, true)
        refreshed = true
        rejected = token
        continue
      }
      if (status === 429 && rateLimitRetriesUsed < o.rateLimitRetries) {
        report(status, ErrorCodes.API_RATE_LIMITED, true)
        const wait = retryAfterMs(res.headers.get('retry-after')) ?? this.#backoff(rateLimitRetriesUsed)
        rateLimitRetriesUsed++
        // With a limiter the penalty is shared: every caller of this connection backs off.
        if (o.limiter?.penalize) await o.limiter.penalize(connectionKey, wait)
        else await delay(wait, signal)
        continue
      }
      if (idempotent && RETRY_STATUS.has(status) && retriesUsed < o.retries) {
        report(status, ErrorCodes.API_SERVER_ERROR, true)
        await delay(this.#backoff(retriesUsed++), signal)
        continue
      }
      if (anyStatus && status !== 401) {
        report(status, undefined, false)
        return res
      }
      const error = parseApiError(status, res.body, request, seenTokens)
      report(status, error.code, false)
      throw error
    }
  }

  #backoff(retry: number): number {
    return equalJitterBackoff(retry, this.#o.baseDelayMs, this.#o.maxDelayMs)
  }
}

/** `Retry-After` (seconds or HTTP date) in ms, clamped to 1-60 s; `undefined` when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) : (Date.parse(header) - Date.now()) / 1000
  if (!Number.isFinite(seconds)) return undefined
  return Math.min(60, Math.max(1, seconds)) * 1000
}

function safeHook(fn: () => void): void {
  try {
    fn()
  } catch {
    // A logging hook must never break a request.
  }
}

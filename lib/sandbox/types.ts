import type { IncomingHttpHeaders } from 'node:http'

/**
 * Internal contracts of the lexoffice sandbox: the router hands each matched request to a
 * {@link SandboxHandler}, a function from a parsed request to a response description. Route
 * modules (OAuth, profile, each API resource) are plain functions over these types, so they can
 * be written and tested on their own.
 *
 * @internal
 */

/** A parsed request as handlers see it. @internal */
export interface SandboxRequest {
  method: string
  /** Path without query, e.g. `/v1/contacts/123`. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** Raw body bytes (already read, size-limited by the server). */
  body: Buffer
  /** Path parameters from the route pattern, e.g. `{ id: '123' }` for `/v1/contacts/:id`. */
  params: Record<string, string>
}

/** What a handler answers. `body` objects are sent as JSON. @internal */
export interface SandboxResponse {
  status: number
  headers?: Record<string, string>
  body?: string | Buffer | object
}

/** A route handler. `ctx` is the sandbox's shared state (its concrete type lives with the server). @internal */
export type SandboxHandler<Ctx> = (req: SandboxRequest, ctx: Ctx) => SandboxResponse | Promise<SandboxResponse>

/** One route: method, a pattern with `:param` segments, and its handler. @internal */
export interface SandboxRoute<Ctx> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  pattern: string
  handler: SandboxHandler<Ctx>
}

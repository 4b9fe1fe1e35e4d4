import { randomUUID } from 'node:crypto'
import type { SandboxRequest, SandboxResponse } from '../types'
import type { ErrorFactory, ErrorStyle } from './errors'
import type { ApiStore, OrganizationData } from './store'

/**
 * What an API resource handler gets besides the request: who is calling (organisation and
 * connection, from the Bearer token), that organisation's data, the whole store and the error
 * factory of its endpoint.
 *
 * @internal
 */
export interface ApiCall {
  organizationId: string
  connectionId: string
  org: OrganizationData
  store: ApiStore
  errors: ErrorFactory
  /** The sandbox API options in effect. */
  options: ResolvedApiOptions
  /** A new random id. */
  newId(): string
}

/** A resource handler: throws `ApiFailure` for error answers. @internal */
export type ApiHandler = (req: SandboxRequest, call: ApiCall) => SandboxResponse

/** One API route before it is bound to the sandbox server. @internal */
export interface ApiRouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Pattern with `:params`, e.g. `/v1/contacts/:id`. */
  pattern: string
  /** The error shape of this endpoint. */
  style: ErrorStyle
  handler: ApiHandler
}

/** The sandbox API options with defaults applied. @internal */
export interface ResolvedApiOptions {
  /** Whether a connection's event subscriptions are removed when the connection is revoked. */
  subscriptionsFollowConnection: boolean
  /** Whether `http://` callback URLs on loopback hosts are accepted. */
  allowLoopbackHttpCallbacks: boolean
}

/** A fresh random id. @internal */
export const newRandomId = (): string => randomUUID()

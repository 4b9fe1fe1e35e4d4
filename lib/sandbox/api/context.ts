import { randomUUID } from 'node:crypto'
import type { SandboxAuth } from '../records'
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
  /** The authenticated caller: connection, organisation and user. */
  auth: SandboxAuth
  org: OrganizationData
  store: ApiStore
  errors: ErrorFactory
  /** The sandbox API options in effect. */
  options: ResolvedApiOptions
  /** A new random id. */
  newId: () => string
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

/**
 * Behaviours where lexoffice's sources disagree or say nothing; each default follows the best
 * evidence (see the fidelity table in `docs/sandbox-fidelity.md`).
 *
 * @example
 * ```ts
 * // The documented 409 for a stale contact version instead of the measured 406:
 * const sandbox = await createSandbox({ api: { variants: { contactsStaleVersionStatus: 409 } } })
 * ```
 */
export interface SandboxApiVariants {
  /**
   * Status of a `PUT /v1/contacts/{id}` (and of the contact's bank accounts) with a stale
   * `version`. lexoffice's docs say 409; a live measurement found 406 with an `IssueList`
   * entry `{ source: 'version', i18nKey: 'invalid_value' }`. Default 406.
   */
  contactsStaleVersionStatus?: 406 | 409
  /** Status of a `PUT /v1/vouchers/{id}` with a stale `version` (undocumented, unmeasured). Default 409 (the docs' general rule). */
  vouchersStaleVersionStatus?: 406 | 409
  /**
   * Status of `GET /{sales-voucher}/{id}/file` (and of `sendmail`) for a draft, which has no
   * document. Not in the docs' text; a third-party catalogue of the docs and a live measurement
   * both say 409. Default 409.
   */
  draftDocumentStatus?: 406 | 409
  /**
   * Largest page of `GET /v1/recurring-templates` (larger `size` values are cut to it). The
   * public copies disagree (100 or 250). Default 100.
   */
  recurringTemplatesMaxPageSize?: number
}

/** The sandbox API options with defaults applied. */
export interface ResolvedApiOptions {
  /** Whether a connection's event subscriptions are removed when the connection is revoked. */
  subscriptionsFollowConnection: boolean
  /** Whether `http://` callback URLs on loopback hosts are accepted. */
  allowLoopbackHttpCallbacks: boolean
  /** The behaviours chosen where lexoffice's sources disagree or are silent. */
  variants: Required<SandboxApiVariants>
}

/** A fresh random id. @internal */
export const newRandomId = (): string => randomUUID()

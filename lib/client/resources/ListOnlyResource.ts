import type { ApiTransport } from '../ApiTransport'

/**
 * A read-only reference list: `/v1/payment-conditions`, `/v1/posting-categories`,
 * `/v1/countries` or `/v1/print-layouts`.
 *
 * @example
 * ```ts
 * const countries = await client.countries.list()
 * ```
 */
export class ListOnlyResource<T> {
  readonly #t: ApiTransport
  readonly #path: string
  /** @internal */
  constructor(transport: ApiTransport, path: string) {
    this.#t = transport
    this.#path = path
  }
  /** `GET` the list. */
  async list(): Promise<T[]> {
    const res = await this.#t.json<T[]>({ method: 'GET', path: this.#path })
    return Array.isArray(res) ? res : []
  }
}

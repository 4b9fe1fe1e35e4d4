import { isObject } from '../../options/assert'
import type { ApiTransport } from '../ApiTransport'
import { pathId } from '../paging'
import type { Payment } from '../types/payments'

/**
 * `/v1/payments` (scope `payments.read`; regular error format): the payment status of an
 * invoice, down-payment invoice, credit note or bookkeeping voucher.
 *
 * A draft has no payment information: lexoffice answers 406 (`API_VALIDATION`). That is the
 * expected answer after a `payment.changed` webhook for a voucher that went back from open to
 * draft.
 *
 * @example
 * ```ts
 * const { openAmount, paymentStatus, paymentItems } = await client.payments.get(invoiceId)
 * ```
 */
export class PaymentsResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /**
   * `GET /v1/payments/{voucherId}`. A numeric string in `openAmount` or an item's `amount` (one
   * of lexoffice's samples shows `"1337.00"`) is returned as a number; everything else as sent.
   *
   * @throws LexofficeApiError `API_VALIDATION` for a draft, `API_NOT_FOUND` for an unknown id.
   */
  async get(voucherId: string): Promise<Payment> {
    const payment = await this.#t.json<unknown>({ method: 'GET', path: `/v1/payments/${pathId(voucherId, 'voucherId')}` })
    if (isObject(payment)) {
      payment['openAmount'] = toNumber(payment['openAmount'])
      const items = payment['paymentItems']
      if (Array.isArray(items)) for (const item of items as unknown[]) if (isObject(item)) item['amount'] = toNumber(item['amount'])
    }
    return payment as Payment
  }
}

/** A numeric string as a number; anything else unchanged. */
function toNumber<T>(value: T): T {
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value) as T
  return value
}

import type { ApiTransport } from '../ApiTransport'
import { downloadFile } from '../downloadFile'
import { buildQuery } from '../encodeSearchString'
import { pathId } from '../paging'
import { sendMail } from '../sendMail'
import type { ActionResult, DownloadedFile } from '../types/common'
import type { CreateDunningOptions, Dunning, NewDunning } from '../types/dunnings'
import type { SendMailRequest } from '../types/salesVouchers'

/**
 * `/v1/dunnings` (scopes `dunnings.read` / `dunnings.write`; regular error format): create a
 * dunning for an invoice or down-payment invoice, read it, download its PDF. Dunnings are always
 * drafts; there is no `finalize`, list, update or delete.
 *
 * @example
 * ```ts
 * const { id } = await client.dunnings.create(dunning, { precedingSalesVoucherId: invoiceId })
 * const pdf = await client.dunnings.downloadFile(id)
 * ```
 */
export class DunningsResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /**
   * `POST /v1/dunnings?precedingSalesVoucherId=...`. lexoffice rejects an invalid pursue (not an
   * invoice, other contact, other tax type) with 406 (`API_VALIDATION`). Never retried once it
   * may have reached lexoffice.
   *
   * @throws TypeError (`ERR_INVALID_ARG_TYPE`) without a `precedingSalesVoucherId`; nothing is sent.
   */
  async create(dunning: NewDunning, options: CreateDunningOptions): Promise<ActionResult> {
    const given = options as CreateDunningOptions | undefined // JavaScript callers may leave it out
    pathId(given?.precedingSalesVoucherId, 'precedingSalesVoucherId')
    const query = buildQuery({ precedingSalesVoucherId: options.precedingSalesVoucherId })
    return this.#t.json<ActionResult>({ method: 'POST', path: '/v1/dunnings', query, json: dunning })
  }
  /** `GET /v1/dunnings/{id}`. */
  async get(id: string): Promise<Dunning> {
    return this.#t.json<Dunning>({ method: 'GET', path: `/v1/dunnings/${pathId(id)}` })
  }
  /** `GET /v1/dunnings/{id}/file`: the rendered PDF (dunnings have no other representation). */
  async downloadFile(id: string): Promise<DownloadedFile> {
    return downloadFile(this.#t, `/v1/dunnings/${pathId(id)}/file`, 'application/pdf')
  }
  /**
   * `POST /v1/dunnings/{id}/sendmail` (partner API, scope `vouchers.sendmail`): lexoffice e-mails
   * the dunning (202 Accepted). Never retried once it may have reached lexoffice.
   *
   * @throws TypeError (`ERR_INVALID_ARG_VALUE`) without recipients; nothing is sent.
   */
  async sendMail(id: string, mail: SendMailRequest): Promise<void> {
    return sendMail(this.#t, '/v1/dunnings', id, mail)
  }
}

import { invalidArg } from '../options/assert'
import type { ApiTransport } from './ApiTransport'
import { pathId } from './paging'
import type { SendMailRequest } from './types/salesVouchers'

/**
 * @internal `POST {base}/{id}/sendmail` (202, no body). The recipients are checked first (a
 * non-empty list of strings), so an obviously wrong call sends nothing. A POST: never retried
 * once it may have reached lexoffice, since a repeated call could send the mail twice.
 */
export async function sendMail(transport: ApiTransport, base: string, id: string, mail: SendMailRequest): Promise<void> {
  const path = `${base}/${pathId(id)}/sendmail`
  const recipients = (mail as Partial<SendMailRequest> | undefined)?.recipients
  if (!Array.isArray(recipients) || recipients.length === 0 || recipients.some((r) => typeof r !== 'string' || r.length === 0)) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"recipients" must be a non-empty list of e-mail addresses')
  }
  await transport.send({ method: 'POST', path, json: mail })
}

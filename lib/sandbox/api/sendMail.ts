import type { SandboxRequest, SandboxResponse } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import type { Violation } from './errors'
import { fail, isObject, isText, readJsonObject } from './http'
import { SALES_KINDS } from './salesModel'
import type { SalesDocument } from './store'
import { draftHasNoDocument } from './voucherPdf'

/**
 * `POST /v1/{invoices|quotations|credit-notes|order-confirmations|delivery-notes|dunnings}/{id}/sendmail`
 * (partner API, scope `vouchers.sendmail`; regular error shape): lexoffice e-mails the voucher's
 * document with a default or custom text → `202 Accepted`, no body. The sandbox sends nothing; it
 * records the mail in `sandbox.api.organization(id).sentMails`.
 *
 * - `recipients` (required): a non-empty list of e-mail addresses; `subject`, `message`,
 *   `signature` optional strings; `attachments` optional `[{ id, fileName, fileExtension }]`, where
 *   `id` is a file uploaded with `type=attachment` and `fileExtension` (pdf, png, jpg, jpeg) must be
 *   that file's. Anything else → 406.
 * - The document is always attached, so a draft (which has none) is refused like its download
 *   (409, variant `draftDocumentStatus`). Dunnings are always drafts and can be sent: the docs
 *   offer sendmail for them.
 * - Down-payment invoices have no sendmail in the docs, and the sandbox offers none.
 *
 * @internal
 * @packageDocumentation
 */

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/
const ATTACHMENT_EXTENSIONS = ['pdf', 'png', 'jpg', 'jpeg']
const MAX_RECIPIENTS = 50

function optionalText(body: Record<string, unknown>, key: string, max: number, v: Violation[]): string | undefined {
  const value = body[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value.length > max) {
    v.push({ field: key, violation: 'SIZE', message: `a string of at most ${max} characters` })
    return undefined
  }
  return value
}

function sendMail(resource: string, find: (call: ApiCall, id: string) => SalesDocument | undefined, draftsHaveDocuments: boolean) {
  return (req: SandboxRequest, call: ApiCall): SandboxResponse => {
    const voucher = find(call, req.params['id'] ?? '')
    if (voucher === undefined) return fail(call.errors.notFound('voucher'))
    const body = readJsonObject(req, call.errors)
    const v: Violation[] = []
    const recipients = body['recipients']
    if (!Array.isArray(recipients) || recipients.length === 0) {
      v.push({ field: 'recipients', violation: 'NOTNULL', message: 'at least one recipient is required' })
    } else if (recipients.length > MAX_RECIPIENTS || recipients.some((r) => typeof r !== 'string' || !EMAIL.test(r))) {
      v.push({ field: 'recipients', violation: 'PATTERN', message: 'e-mail addresses are required' })
    }
    const subject = optionalText(body, 'subject', 255, v)
    const message = optionalText(body, 'message', 10_000, v)
    const signature = optionalText(body, 'signature', 2_000, v)
    const attachmentIds: string[] = []
    const attachments = body['attachments']
    if (attachments !== undefined && attachments !== null) {
      if (!Array.isArray(attachments)) v.push({ field: 'attachments', violation: 'PATTERN', message: 'a list of attachments' })
      else
        attachments.forEach((a, i) => {
          const at = `attachments[${i}]`
          const file = isObject(a) && typeof a['id'] === 'string' ? call.org.files.get(a['id']) : undefined
          if (!isObject(a) || file === undefined || file.type !== 'attachment') {
            v.push({ field: `${at}.id`, violation: 'NOTFOUND', message: 'a file uploaded with type attachment' })
            return
          }
          if (!isText(a['fileName'])) v.push({ field: `${at}.fileName`, violation: 'NOTNULL', message: 'darf nicht leer sein' })
          const extension = typeof a['fileExtension'] === 'string' ? a['fileExtension'].toLowerCase() : ''
          const original = file.fileName.split('.').pop()?.toLowerCase() ?? ''
          if (!ATTACHMENT_EXTENSIONS.includes(extension) || extension !== original) {
            v.push({ field: `${at}.fileExtension`, violation: 'NOTALLOWED', message: "pdf, png, jpg or jpeg, the uploaded file's own" })
          }
          attachmentIds.push(file.id)
        })
    }
    if (v.length > 0) return fail(call.errors.validation(v))
    if (!draftsHaveDocuments && voucher.voucherStatus === 'draft') return fail(draftHasNoDocument(call, `voucher ${voucher.id}`))
    call.org.sentMails.push({
      resource,
      voucherId: voucher.id,
      recipients: recipients as string[],
      ...(subject !== undefined ? { subject } : {}),
      ...(message !== undefined ? { message } : {}),
      ...(signature !== undefined ? { signature } : {}),
      attachmentIds,
      connectionId: call.connectionId,
      sentDate: call.store.timestamp(),
    })
    return { status: 202 }
  }
}

/** The sendmail routes of the five sales-voucher resources and of dunnings. @internal */
export const sendMailRoutes: ApiRouteDef[] = [
  ...SALES_KINDS.map((kind): ApiRouteDef => ({
    method: 'POST',
    pattern: `/v1/${kind.resource}/:id/sendmail`,
    style: 'regular',
    handler: sendMail(
      kind.resource,
      (call, id) => {
        const voucher = call.org.salesVouchers.get(id)
        return voucher?.voucherType === kind.type ? voucher : undefined
      },
      false,
    ),
  })),
  {
    method: 'POST',
    pattern: '/v1/dunnings/:id/sendmail',
    style: 'regular',
    handler: sendMail('dunnings', (call, id) => call.org.dunnings.get(id), true),
  },
]

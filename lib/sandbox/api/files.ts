import type { SandboxRequest, SandboxResponse } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import { fail, mediaType } from './http'
import { pdfResponse } from './salesVouchers'
import type { BookkeepingVoucher, StoredFile } from './store'
import { voucherPdfResponse } from './voucherPdf'

/**
 * `/v1/files`: upload a bookkeeping document (`multipart/form-data` with `file` and
 * `type=voucher`; PDF, JPEG, PNG or XML up to 5 MB, and within the sandbox's `maxBodyBytes`) →
 * `202 { id, voucherId }`, which also creates an `unchecked` bookkeeping voucher holding the file
 * (`voucher.created`); download a file by id (an upload, or the `files.documentFileId` of a
 * finalized sales voucher or down-payment invoice, which is rendered as PDF); attach a file to an existing bookkeeping
 * voucher (`POST /v1/vouchers/{id}/files` → `202 { id }`, `voucher.changed`). Legacy error shape
 * (`IssueList`).
 *
 * @internal
 * @packageDocumentation
 */

const MAX_FILE_BYTES = 5 * 1024 * 1024
const TYPES_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  xml: 'application/xml',
}
const ACCEPTED_TYPES = new Set(['application/pdf', 'image/jpeg', 'image/png', 'application/xml', 'text/xml'])

/** One part of a multipart body. @internal */
export interface MultipartPart {
  name: string
  filename?: string
  contentType?: string
  data: Buffer
}

/**
 * Parses a `multipart/form-data` body (RFC 7578). Returns `undefined` when it is malformed.
 *
 * @internal
 */
export function parseMultipart(body: Buffer, contentTypeHeader: string): MultipartPart[] | undefined {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentTypeHeader)
  const boundary = m?.[1] ?? m?.[2]
  if (boundary === undefined) return undefined
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: MultipartPart[] = []
  let pos = body.indexOf(delimiter)
  if (pos < 0) return undefined
  for (;;) {
    pos += delimiter.length
    if (body.subarray(pos, pos + 2).toString('latin1') === '--') return parts
    if (body.subarray(pos, pos + 2).toString('latin1') !== '\r\n') return undefined
    pos += 2
    const headerEnd = body.indexOf('\r\n\r\n', pos)
    if (headerEnd < 0) return undefined
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4)
    if (next < 0) return undefined
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n')
    const part: MultipartPart = { name: '', data: body.subarray(headerEnd + 4, next) }
    for (const line of headers) {
      const colon = line.indexOf(':')
      if (colon < 0) return undefined
      const key = line.slice(0, colon).trim().toLowerCase()
      const value = line.slice(colon + 1).trim()
      if (key === 'content-disposition') {
        const name = /;\s*name="([^"]*)"/i.exec(value)
        const filename = /;\s*filename="([^"]*)"/i.exec(value)
        if (name?.[1] !== undefined) part.name = name[1]
        if (filename?.[1] !== undefined) part.filename = filename[1]
      } else if (key === 'content-type') part.contentType = value.split(';')[0]?.trim().toLowerCase() ?? ''
    }
    parts.push(part)
    pos = next + 2
  }
}

/** Reads and checks the `file` part (and, with `requireType`, `type=voucher`) of an upload. */
function readUpload(req: SandboxRequest, call: ApiCall, requireType: boolean): { fileName: string; contentType: string; data: Buffer } {
  const header = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined
  if (mediaType(req) !== 'multipart/form-data' || header === undefined) return fail(call.errors.unsupportedMediaType(header))
  const parts = parseMultipart(req.body, header)
  if (parts === undefined) return fail(call.errors.badRequest('Malformed multipart/form-data body', 'body'))
  const type = parts
    .find((p) => p.name === 'type' && p.filename === undefined)
    ?.data.toString('utf8')
    .trim()
  const file = parts.find((p) => p.name === 'file' && p.filename !== undefined)
  const violations: Parameters<typeof call.errors.validation>[0] = []
  if (requireType && type !== 'voucher') violations.push({ field: 'type', violation: 'NOTALLOWED', message: "type must be 'voucher'" })
  if (file === undefined) violations.push({ field: 'file', violation: 'NOTNULL', message: 'a file part is required' })
  if (violations.length > 0 || file === undefined) return fail(call.errors.validation(violations))
  const extension = (file.filename ?? '').split('.').pop()?.toLowerCase() ?? ''
  const contentType =
    file.contentType !== undefined && file.contentType !== 'application/octet-stream' ? file.contentType : TYPES_BY_EXTENSION[extension]
  if (contentType === undefined || !ACCEPTED_TYPES.has(contentType)) {
    return fail(
      call.errors.validation([{ field: 'file', violation: 'NOTALLOWED', message: 'only pdf, jpg, png and xml files are accepted' }]),
    )
  }
  if (file.data.length === 0) return fail(call.errors.validation([{ field: 'file', violation: 'NOTNULL', message: 'the file is empty' }]))
  if (file.data.length > MAX_FILE_BYTES) return fail(call.errors.tooLarge('files may have at most 5 MB'))
  return { fileName: (file.filename ?? 'upload').slice(0, 255), contentType, data: Buffer.from(file.data) }
}

function upload(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const file = readUpload(req, call, true)
  const now = call.store.timestamp()
  const fileId = call.newId()
  const voucher: BookkeepingVoucher = {
    id: call.newId(),
    organizationId: call.organizationId,
    createdDate: now,
    updatedDate: now,
    version: 1,
    type: 'purchaseinvoice',
    voucherStatus: 'unchecked',
    voucherDate: now,
    useCollectiveContact: true,
    voucherItems: [],
    files: [fileId],
  }
  const stored: StoredFile = {
    id: fileId,
    organizationId: call.organizationId,
    fileName: file.fileName,
    contentType: file.contentType,
    content: file.data,
    voucherId: voucher.id,
    createdDate: now,
  }
  call.org.files.set(fileId, stored)
  call.org.vouchers.set(voucher.id, voucher)
  call.store.emit(call.organizationId, 'voucher.created', voucher.id)
  return { status: 202, headers: { 'content-type': 'application/json' }, body: { id: fileId, voucherId: voucher.id } }
}

function download(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const id = req.params['id'] ?? ''
  const file = call.org.files.get(id)
  if (file !== undefined) {
    return {
      status: 200,
      headers: {
        'content-type': file.contentType,
        'content-disposition': `attachment; filename="${file.fileName.replace(/["\\\r\n]/g, '_')}"`,
      },
      body: file.content,
    }
  }
  const voucherId = call.org.documentFiles.get(id)
  const voucher = voucherId === undefined ? undefined : call.org.salesVouchers.get(voucherId)
  if (voucher !== undefined) return pdfResponse(voucher)
  const downPayment = voucherId === undefined ? undefined : call.org.downPaymentInvoices.get(voucherId)
  if (downPayment !== undefined) return voucherPdfResponse(downPayment, `Abschlagsrechnung ${downPayment.voucherNumber ?? ''}`.trim())
  return fail(call.errors.notFound('file'))
}

/** `POST /v1/vouchers/{id}/files`: attaches an uploaded file to an existing bookkeeping voucher → `202 { id }`. */
function attachToVoucher(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const voucher = call.org.vouchers.get(req.params['id'] ?? '')
  if (voucher === undefined) return fail(call.errors.notFound('voucher'))
  const file = readUpload(req, call, false)
  const now = call.store.timestamp()
  const stored: StoredFile = {
    id: call.newId(),
    organizationId: call.organizationId,
    fileName: file.fileName,
    contentType: file.contentType,
    content: file.data,
    voucherId: voucher.id,
    createdDate: now,
  }
  call.org.files.set(stored.id, stored)
  voucher['files'] = [...((voucher['files'] as string[] | undefined) ?? []), stored.id]
  voucher.version += 1
  voucher.updatedDate = now
  call.store.emit(call.organizationId, 'voucher.changed', voucher.id)
  return { status: 202, headers: { 'content-type': 'application/json' }, body: { id: stored.id } }
}

/** The files routes. @internal */
export const fileRoutes: ApiRouteDef[] = [
  { method: 'POST', pattern: '/v1/files', style: 'legacy', handler: upload },
  { method: 'GET', pattern: '/v1/files/:id', style: 'legacy', handler: download },
  { method: 'POST', pattern: '/v1/vouchers/:id/files', style: 'legacy', handler: attachToVoucher },
]

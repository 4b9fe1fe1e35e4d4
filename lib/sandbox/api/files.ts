import type { SandboxRequest, SandboxResponse } from '../types'
import type { ApiCall, ApiRouteDef } from './context'
import { createdEntityFields } from './entityFields'
import { legacyError } from './errors'
import { fail, mediaType, ok } from './http'
import { pdfResponse } from './salesVouchers'
import type { BookkeepingVoucher, StoredFile } from './store'
import { voucherPdfResponse } from './voucherPdf'

/**
 * `/v1/files` (legacy error shape, `IssueList`):
 *
 * - `POST` upload (`multipart/form-data` with `file` and `type`) → `202`. `type=voucher` (PDF,
 *   JPEG, PNG or XML up to 5 MiB) also creates an `unchecked` bookkeeping voucher holding the
 *   file (`voucher.created`) and answers `{ id, voucherId }`; `type=attachment` (partner API: PDF,
 *   JPEG or PNG up to 2 MiB, for `sendmail`) answers `{ id }`. A missing or unknown `type` → 400
 *   and a missing file → 500, as the docs say; a file of another kind or too large → 406
 *   (`inacceptable_file_extension`, `max_file_size_exceeded`, the keys lexoffice was measured to use).
 * - `GET /{id}` downloads a file: an upload, or the `files.documentFileId` of a finalized sales
 *   voucher or down-payment invoice (rendered as PDF). `Accept` must allow the file's type
 *   (`*\/*` always does); XML asked for a file that is not XML → 404, anything else → 406.
 * - `GET /{id}/status` (partner API, scope `files.status`): `{ id, status }`, `upload_success` unless
 *   a test set the stored file's `status`.
 * - `POST /v1/vouchers/{id}/files` attaches a file to an existing bookkeeping voucher → `202 { id }`
 *   (`voucher.changed`); no `type` part, and both `vouchers.write` and `files.write` are needed.
 *
 * @internal
 * @packageDocumentation
 */

const MiB = 1024 * 1024
const TYPES_BY_EXTENSION: Partial<Record<string, string>> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  xml: 'application/xml',
}
/** What each upload type accepts. */
const UPLOAD_KINDS = {
  voucher: { maxBytes: 5 * MiB, types: new Set(['application/pdf', 'image/jpeg', 'image/png', 'application/xml', 'text/xml']) },
  attachment: { maxBytes: 2 * MiB, types: new Set(['application/pdf', 'image/jpeg', 'image/png']) },
} as const
type UploadKind = keyof typeof UPLOAD_KINDS

/** The largest multipart body the sandbox reads for an upload: a 5 MiB file plus the form around it. @internal */
export const MAX_UPLOAD_BODY_BYTES = 5 * MiB + 64 * 1024

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

/** A 500 in the legacy shape: what lexoffice documents for an upload without a file. */
function technicalError(source: string): SandboxResponse {
  return legacyError(500, [{ i18nKey: 'technical_error', source, type: 'technical_error' }])
}

/** Reads and checks the `file` part of an upload (and, for `/v1/files`, the `type` part). */
function readUpload(
  req: SandboxRequest,
  call: ApiCall,
  requireType: boolean,
): { kind: UploadKind; fileName: string; contentType: string; data: Buffer } {
  const header = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined
  if (mediaType(req) !== 'multipart/form-data' || header === undefined) return fail(call.errors.unsupportedMediaType(header))
  const parts = parseMultipart(req.body, header)
  if (parts === undefined) return fail(call.errors.badRequest('Malformed multipart/form-data body', 'body'))
  let kind: UploadKind = 'voucher'
  if (requireType) {
    const type = parts
      .find((p) => p.name === 'type' && p.filename === undefined)
      ?.data.toString('utf8')
      .trim()
    if (type !== 'voucher' && type !== 'attachment') return fail(call.errors.badRequest('Invalid or missing upload type.', 'type'))
    kind = type
  }
  const file = parts.find((p) => p.name === 'file' && p.filename !== undefined)
  if (file === undefined) return fail(technicalError('file'))
  const extension = (file.filename ?? '').split('.').pop()?.toLowerCase() ?? ''
  const contentType =
    file.contentType !== undefined && file.contentType !== 'application/octet-stream' ? file.contentType : TYPES_BY_EXTENSION[extension]
  const rules = UPLOAD_KINDS[kind]
  if (contentType === undefined || !rules.types.has(contentType)) {
    const allowed = kind === 'voucher' ? 'pdf, jpg, png and xml' : 'pdf, jpg and png'
    return fail(
      legacyError(406, [
        {
          i18nKey: 'inacceptable_file_extension',
          source: 'file',
          type: 'validation_failure',
          additionalData: `only ${allowed} files are accepted`,
        },
      ]),
    )
  }
  if (file.data.length === 0) return fail(call.errors.validation([{ field: 'file', violation: 'NOTNULL', message: 'the file is empty' }]))
  if (file.data.length > rules.maxBytes) {
    return fail(
      legacyError(406, [
        {
          i18nKey: 'max_file_size_exceeded',
          source: 'file',
          type: 'validation_failure',
          additionalData: `at most ${rules.maxBytes} bytes`,
        },
      ]),
    )
  }
  return { kind, fileName: (file.filename ?? 'upload').slice(0, 255), contentType, data: Buffer.from(file.data) }
}

function upload(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const file = readUpload(req, call, true)
  const now = call.store.timestamp()
  const fileId = call.newId()
  const stored: StoredFile = {
    id: fileId,
    organizationId: call.organizationId,
    type: file.kind,
    fileName: file.fileName,
    contentType: file.contentType,
    content: file.data,
    createdDate: now,
    status: 'upload_success',
  }
  if (file.kind === 'attachment') {
    call.org.files.set(fileId, stored)
    return { status: 202, headers: { 'content-type': 'application/json' }, body: { id: fileId } }
  }
  const voucher: BookkeepingVoucher = {
    ...createdEntityFields(call, 1, now),
    type: 'purchaseinvoice',
    voucherStatus: 'unchecked',
    voucherDate: now,
    useCollectiveContact: true,
    voucherItems: [],
    files: [fileId],
  }
  stored.voucherId = voucher.id
  call.org.files.set(fileId, stored)
  call.org.vouchers.set(voucher.id, voucher)
  call.store.emit(call.organizationId, 'voucher.created', voucher.id)
  return { status: 202, headers: { 'content-type': 'application/json' }, body: { id: fileId, voucherId: voucher.id } }
}

/** Whether an `Accept` header allows `contentType`; XML asked for something that is not XML is a 404 at lexoffice. */
function checkAccept(req: SandboxRequest, call: ApiCall, contentType: string): void {
  const raw = req.headers.accept
  if (typeof raw !== 'string' || raw.trim() === '') return
  const types = raw.split(',').map((t) => (t.split(';')[0] ?? '').trim().toLowerCase())
  const [major] = contentType.split('/')
  if (types.some((t) => t === '*/*' || t === contentType || t === `${major}/*`)) return
  if (types.some((t) => t === 'application/xml' || t === 'text/xml')) fail(call.errors.notFound('XML representation'))
  fail(call.errors.notAcceptable(raw.slice(0, 100)))
}

function download(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const id = req.params['id'] ?? ''
  const file = call.org.files.get(id)
  if (file !== undefined) {
    checkAccept(req, call, file.contentType)
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
  const downPayment = voucherId === undefined ? undefined : call.org.downPaymentInvoices.get(voucherId)
  if (voucher !== undefined || downPayment !== undefined) checkAccept(req, call, 'application/pdf')
  if (voucher !== undefined) return pdfResponse(voucher)
  if (downPayment !== undefined) return voucherPdfResponse(downPayment, `Abschlagsrechnung ${downPayment.voucherNumber ?? ''}`.trim())
  return fail(call.errors.notFound('file'))
}

/** `GET /v1/files/{id}/status`: the processing state of an upload. */
function status(req: SandboxRequest, call: ApiCall): SandboxResponse {
  const file = call.org.files.get(req.params['id'] ?? '')
  if (file === undefined) return fail(call.errors.notFound('file'))
  return ok({ id: file.id, status: file.status })
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
    type: 'voucher',
    fileName: file.fileName,
    contentType: file.contentType,
    content: file.data,
    voucherId: voucher.id,
    createdDate: now,
    status: 'upload_success',
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
  { method: 'GET', pattern: '/v1/files/:id/status', style: 'legacy', handler: status },
  { method: 'POST', pattern: '/v1/vouchers/:id/files', style: 'legacy', handler: attachToVoucher },
]

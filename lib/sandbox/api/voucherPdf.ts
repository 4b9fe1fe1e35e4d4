import type { SandboxRequest, SandboxResponse } from '../types'
import type { LineItem } from './calc'
import type { ApiCall } from './context'
import { fail, isNumber, type JsonObject } from './http'
import { renderPdf, type PdfLine } from './pdf'
import type { SalesDocument } from './store'

/**
 * The rendered document of a sales voucher, down-payment invoice or dunning: a one-page PDF
 * (through `pdf.ts`) with heading, date, address, line items and totals, and the
 * `GET .../{id}/file` answer carrying it.
 *
 * @internal
 * @packageDocumentation
 */

function euro(value: unknown): string {
  return `${(isNumber(value) ? value : 0).toFixed(2).replace('.', ',')} EUR`
}

/** Renders a sales document as a one-page PDF under `heading` (e.g. `Rechnung RE0001`). @internal */
export function renderVoucherPdf(voucher: SalesDocument, heading: string): Buffer {
  const address = (voucher['address'] ?? {}) as JsonObject
  const lines: PdfLine[] = [
    { text: heading, size: 18, bold: true },
    { text: `Datum: ${voucher.voucherDate.slice(8, 10)}.${voucher.voucherDate.slice(5, 7)}.${voucher.voucherDate.slice(0, 4)}` },
    { text: '' },
    ...['name', 'supplement', 'street'].filter((k) => typeof address[k] === 'string').map((k) => ({ text: String(address[k]) })),
    { text: [address['zip'], address['city']].filter((s) => typeof s === 'string').join(' ') },
    { text: '' },
  ]
  if (typeof voucher['introduction'] === 'string') lines.push({ text: voucher['introduction'] }, { text: '' })
  for (const item of (voucher['lineItems'] ?? []) as LineItem[]) {
    lines.push({
      text: item.type === 'text' ? item.name : `${item.quantity ?? 1} ${item.unitName ?? ''} ${item.name}: ${euro(item.lineItemAmount)}`,
      size: 10,
    })
  }
  const total = (voucher['totalPrice'] ?? {}) as JsonObject
  lines.push(
    { text: '' },
    { text: `Summe netto: ${euro(total['totalNetAmount'])}` },
    { text: `Umsatzsteuer: ${euro(total['totalTaxAmount'])}` },
    { text: `Gesamtbetrag: ${euro(total['totalGrossAmount'])}`, bold: true },
  )
  if (typeof voucher['remark'] === 'string') lines.push({ text: '' }, { text: voucher['remark'] })
  lines.push({ text: '' }, { text: 'Erstellt von der passport-lexoffice Sandbox (kein echter Beleg).', size: 8 })
  return renderPdf(heading, lines)
}

/** The `200 application/pdf` answer for a sales document, with a suggested file name. @internal */
export function voucherPdfResponse(voucher: SalesDocument, heading: string): SandboxResponse {
  const pdf = renderVoucherPdf(voucher, heading)
  return {
    status: 200,
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="${voucher.voucherNumber ?? voucher.id}.pdf"`,
      'content-length': String(pdf.length),
    },
    body: pdf,
  }
}

/**
 * The answer to a document request for a draft, which has no document: 409 "is in status
 * 'draft' and therefore cannot be downloaded" (variant `draftDocumentStatus`, or 406).
 *
 * @internal
 */
export function draftHasNoDocument(call: ApiCall, what: string): SandboxResponse {
  const message = `${what} is in status 'draft' and therefore cannot be downloaded`
  return call.options.variants.draftDocumentStatus === 409
    ? call.errors.conflict(message)
    : call.errors.validation([{ field: 'voucherStatus', violation: 'NOTALLOWED', message }])
}

/**
 * Checks the `Accept` header of a document download: PDF is served for `application/pdf`,
 * wildcards or no header. `application/xml` exists only for XRechnung e-invoices, which the
 * sandbox does not make: 404 where the docs offer XML (invoices, credit notes, down-payment
 * invoices; as measured at lexoffice), 406 elsewhere, like any other media type.
 *
 * @internal
 */
export function requirePdfAccept(req: SandboxRequest, call: ApiCall, xmlExists: boolean): void {
  const raw = req.headers.accept
  if (typeof raw !== 'string' || raw.trim() === '') return
  const types = raw.split(',').map((t) => (t.split(';')[0] ?? '').trim().toLowerCase())
  if (types.some((t) => t === 'application/pdf' || t === '*/*' || t === 'application/*')) return
  if (xmlExists && types.some((t) => t === 'application/xml' || t === 'text/xml')) fail(call.errors.notFound('XML document'))
  fail(call.errors.notAcceptable(raw.slice(0, 100)))
}

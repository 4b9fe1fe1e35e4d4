/**
 * A tiny PDF 1.4 writer for the sandbox's `GET /v1/{vouchers}/{id}/file` answers: one A4 page of
 * Helvetica text lines, a correct cross-reference table and trailer, no dependency. The result
 * opens in any PDF viewer and can be checked byte-wise in tests (`%PDF-1.4` ... `%%EOF`).
 *
 * @internal
 * @packageDocumentation
 */

/** One line of text on the page. @internal */
export interface PdfLine {
  text: string
  /** Font size in points (default 11). */
  size?: number
  /** Bold face (Helvetica-Bold). */
  bold?: boolean
}

/** Escapes a string for a PDF literal string and maps it to WinAnsi/Latin-1 bytes. */
function pdfString(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 63
    if (ch === '\\' || ch === '(' || ch === ')') out += `\\${ch}`
    else if (ch === '€')
      out += '\\200' // WinAnsi euro sign
    else if (code < 0x20 || code > 0xff) out += '?'
    else out += ch
  }
  return `(${out})`
}

/**
 * Renders a one-page PDF document with the given title (document info) and lines.
 *
 * @internal
 */
export function renderPdf(title: string, lines: readonly PdfLine[]): Buffer {
  const ops: string[] = ['BT', '1 0 0 1 56 790 Tm']
  let first = true
  for (const line of lines.slice(0, 60)) {
    const size = line.size ?? 11
    if (!first) ops.push(`0 ${-Math.round(size * 1.5)} Td`)
    first = false
    ops.push(`/${line.bold === true ? 'F2' : 'F1'} ${size} Tf`, `${pdfString(line.text)} Tj`)
  }
  ops.push('ET')
  const stream = ops.join('\n')

  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
    `<< /Title ${pdfString(title)} /Producer (passport-lexoffice sandbox) >>`,
  ]

  // Header with a binary comment line so tools treat the file as binary (PDF 1.4 §3.4.1).
  let pdf = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'))
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xrefAt = Buffer.byteLength(pdf, 'latin1')
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`
  return Buffer.from(pdf, 'latin1')
}

import { assertObject, invalidArg } from '../options/assert'

const MiB = 1024 * 1024

/**
 * @internal Largest upload per type: 5 MiB for voucher documents (lexoffice's docs; measured as
 * 5,242,880 bytes inclusive), 2 MiB for e-mail attachments (a third-party catalogue of the partner
 * docs; the docs' own table is not in the public copies). See docs/lexoffice-api-sources.md.
 */
export const UPLOAD_LIMITS = Object.freeze({ voucher: 5 * MiB, attachment: 2 * MiB })

/** Content types by file extension, for parts whose type is not given. */
const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  xml: 'application/xml',
}

/**
 * @internal The multipart body of a lexoffice upload: a `file` part (plus `fields`), refused
 * before anything is sent when the file is empty or larger than `maxBytes` (lexoffice answers
 * 406 for those; checking first saves a request and a slot of the rate limit).
 */
export function uploadForm(
  file: Uint8Array | Blob,
  options: { filename: string; contentType?: string | undefined },
  maxBytes: number,
  fields: Record<string, string> = {},
): FormData {
  if (!(file instanceof Uint8Array) && !(file instanceof Blob))
    throw invalidArg('ERR_INVALID_ARG_TYPE', '"file" must be a Uint8Array, Buffer or Blob')
  const given: unknown = options
  assertObject(given, 'options')
  const { filename, contentType } = options
  if (typeof filename !== 'string' || filename.length === 0 || filename.length > 255 || /[\r\n"\\]/.test(filename)) {
    throw invalidArg(
      'ERR_INVALID_ARG_VALUE',
      '"filename" must be a file name of 1 to 255 characters without quotes, backslashes or line breaks',
    )
  }
  if (contentType !== undefined && (typeof contentType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(contentType))) {
    throw invalidArg('ERR_INVALID_ARG_VALUE', '"contentType" must be a media type such as application/pdf')
  }
  const size = file instanceof Blob ? file.size : file.byteLength
  if (size === 0) throw invalidArg('ERR_INVALID_ARG_VALUE', '"file" is empty')
  if (size > maxBytes) throw invalidArg('ERR_INVALID_ARG_VALUE', `"file" has ${size} bytes; lexoffice accepts at most ${maxBytes}`)
  const ext = filename.split('.').pop()?.toLowerCase() ?? ''
  const type = contentType ?? (file instanceof Blob && file.type !== '' ? file.type : (TYPES[ext] ?? 'application/octet-stream'))
  const blob = file instanceof Blob && file.type === type ? file : new Blob([file instanceof Blob ? file : new Uint8Array(file)], { type })
  const form = new FormData()
  form.append('file', blob, filename)
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  return form
}

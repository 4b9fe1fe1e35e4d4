import type { ApiTransport } from './ApiTransport'
import type { DownloadedFile } from './types/common'

/** @internal GET a binary document and read content type and file name from the answer. */
export async function downloadFile(transport: ApiTransport, path: string, accept: string): Promise<DownloadedFile> {
  const res = await transport.send({ method: 'GET', path, accept })
  const out: DownloadedFile = { data: res.body, contentType: res.headers.get('content-type') ?? 'application/octet-stream' }
  const filename = filenameFrom(res.headers.get('content-disposition'))
  if (filename !== undefined) out.filename = filename
  return out
}

/** @internal `filename*=UTF-8''...` or `filename="..."` from a Content-Disposition header. */
export function filenameFrom(header: string | null): string | undefined {
  if (!header) return undefined
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  if (star?.[1]) {
    try {
      return basename(decodeURIComponent(star[1].trim()))
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/.exec(header)
  const name = plain?.[1] ?? plain?.[2]
  return name ? basename(name.trim()) : undefined
}

function basename(name: string): string | undefined {
  const base = name
    .split(/[\\/]/)
    .pop()
    // eslint-disable-next-line no-control-regex -- control characters are what this pattern removes
    ?.replace(/[\u0000-\u001f]/g, '')
  return base ? base : undefined
}

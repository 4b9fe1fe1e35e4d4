/**
 * The secrets scan of the attack suite: records every answer of the servers it watches (status,
 * headers, body) and every console line, and asserts that no secret appears in any of them: no
 * access or refresh token, authorization code, code verifier, client secret, session secret or
 * encryption key, raw or in the encodings a leak would take (URL, base64, base64url, hex).
 */
import { createHash } from 'node:crypto'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { format } from 'node:util'

/** Where the secrets come from; functions are read at the end, after everything was issued. */
export type SecretSource = string | Buffer | (() => Iterable<string | Buffer>)

/** One recorded answer or log line. */
export interface Recorded {
  /** `GET /path -> 200` or `console.error`. */
  readonly label: string
  readonly text: string
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const

export class SecretScan {
  readonly #recorded: Recorded[] = []
  readonly #sources: SecretSource[] = []
  readonly #restore: Array<() => void> = []

  /** Records every answer `server` sends from now on (the listener runs before the app's own). */
  watch(server: Server): this {
    const listener = (req: IncomingMessage, res: ServerResponse): void => this.#capture(req, res)
    server.prependListener('request', listener)
    this.#restore.push(() => server.off('request', listener))
    return this
  }

  /** Records console output (formatted as Node would print it) instead of printing it. */
  captureConsole(): this {
    for (const method of CONSOLE_METHODS) {
      const original = Object.getOwnPropertyDescriptor(console, method)
      console[method] = (...args: unknown[]): void => void this.#recorded.push({ label: `console.${method}`, text: format(...args) })
      this.#restore.push(() => (original ? Object.defineProperty(console, method, original) : Reflect.deleteProperty(console, method)))
    }
    return this
  }

  /** Adds secrets (or a function that lists them when the scan runs). */
  secrets(...sources: SecretSource[]): this {
    this.#sources.push(...sources)
    return this
  }

  /** Records text produced some other way (e.g. an error's JSON), under `label`. */
  record(label: string, text: string): void {
    this.#recorded.push({ label, text })
  }

  /** Everything recorded so far. */
  get recorded(): readonly Recorded[] {
    return this.#recorded
  }

  /**
   * The leaks: one line per secret found, naming where and the secret's hash (never the secret).
   * Secrets shorter than 12 characters are ignored (they would match by chance).
   */
  findLeaks(): string[] {
    const leaks = new Set<string>()
    for (const secret of this.#secretForms()) {
      for (const { label, text } of this.#recorded) {
        if (text.includes(secret.form)) leaks.add(`${secret.what} (sha256 ${secret.hash}) in ${label}`)
      }
    }
    return [...leaks]
  }

  /** How many distinct secret forms the scan searches for (0 means the scan would prove nothing). */
  secretCount(): number {
    return this.#secretForms().length
  }

  /** Stops recording (console back to normal, servers unwatched). */
  stop(): void {
    for (const restore of this.#restore.splice(0).reverse()) restore()
  }

  #capture(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    const take = (chunk: unknown, encoding?: unknown): void => {
      if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'))
      else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk))
    }
    const write = res.write.bind(res) as (...args: unknown[]) => boolean
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse
    res.write = ((...args: unknown[]) => {
      take(args[0], args[1])
      return write(...args)
    }) as ServerResponse['write']
    res.end = ((...args: unknown[]) => {
      if (typeof args[0] !== 'function') take(args[0], args[1])
      // Recorded when the app ends the answer, so it is there before the client has read it.
      const head = `${res.statusCode} ${JSON.stringify(res.getHeaders())}`
      const label = `${req.method ?? '?'} ${(req.url ?? '').split('?')[0] ?? ''} -> ${res.statusCode}`
      this.#recorded.push({ label, text: `${head}\n${Buffer.concat(chunks).toString('utf8')}` })
      return end(...args)
    }) as ServerResponse['end']
  }

  #secretForms(): Array<{ what: string; hash: string; form: string }> {
    const out: Array<{ what: string; hash: string; form: string }> = []
    const seen = new Set<string>()
    const add = (raw: string | Buffer): void => {
      const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw
      const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12)
      const forms = new Set([bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')])
      if (typeof raw === 'string') forms.add(raw).add(encodeURIComponent(raw))
      for (const form of forms) {
        if (form.length < 12 || seen.has(form)) continue
        seen.add(form)
        out.push({ what: typeof raw === 'string' ? `a secret of ${raw.length} characters` : `a ${raw.length}-byte key`, hash, form })
      }
    }
    for (const source of this.#sources) {
      if (typeof source === 'function') for (const s of source()) add(s)
      else add(source)
    }
    return out
  }
}

/**
 * One scan per test file: console captured from `beforeAll`, and after all tests the assertion
 * that nothing recorded carries a secret. Watch the file's servers with `scan.watch(server)` and
 * name the secrets with `scan.secrets(...)`.
 *
 * @example
 * ```ts
 * const scan = useSecretScan()
 * beforeAll(async () => {
 *   sandbox = await createSandbox({ autoApprove: true })
 *   scan.secrets(() => sandbox.knownSecrets())
 * })
 * ```
 */
export function useSecretScan(): SecretScan {
  const scan = new SecretScan()
  beforeAll(() => {
    scan.captureConsole()
  })
  afterAll(() => {
    scan.stop()
    const leaks = scan.findLeaks()
    if (leaks.length > 0) throw new Error(`secrets leaked into answers or logs:\n${leaks.join('\n')}`)
    // A scan that saw nothing, or searched for nothing, proves nothing.
    if (scan.recorded.length === 0) throw new Error('the secret scan recorded no answer and no log line')
    if (scan.secretCount() === 0) throw new Error('the secret scan was given no secret to search for')
  })
  return scan
}

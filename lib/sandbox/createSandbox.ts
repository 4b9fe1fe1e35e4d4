import type { EventEmitter } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { apiRoutes } from './api'
import { authorizeRoutes } from './oauth/authorize'
import { revokeRoutes } from './oauth/revoke'
import { tokenRoutes } from './oauth/token'
import { resolveSandboxOptions, type SandboxOptions } from './options'
import { SandboxRouter } from './router'
import { Sandbox } from './Sandbox'
import { SandboxState } from './SandboxState'
import { createRequestListener } from './server'
import { attachSandboxWebhooks } from './webhooks/attachSandboxWebhooks'

/**
 * Starts an in-process lexoffice sandbox: a node:http server on loopback (a free port by
 * default) that behaves like lexoffice's partner OAuth server (authorize with consent page,
 * token with PKCE, single-use codes and refresh-token rotation with reuse detection, RFC 7009
 * revocation) and serves the lexoffice API (`/v1/profile` and the resources in
 * `lib/sandbox/api`). Use it in tests and for local development; never in production.
 *
 * @param options Every option is optional; they are validated once.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) on invalid options; the
 *   listen error when the port is taken.
 * @example
 * ```ts
 * import { createSandbox } from 'passport-lexoffice/sandbox'
 *
 * const sandbox = await createSandbox({ autoApprove: true })
 * sandbox.addRedirectUri('http://127.0.0.1:3000/auth/lexoffice/callback')
 * const lexoffice = createLexoffice({
 *   ...sandbox.client,
 *   environment: { authURL: sandbox.url, apiURL: sandbox.url },
 *   baseURL: 'http://127.0.0.1:3000',
 *   scope: ['profile.read', 'contacts.read'],
 * })
 * passport.use(lexoffice.strategy)
 * // later
 * await sandbox.close()
 * ```
 */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const resolved = resolveSandboxOptions(options)
  const router = new SandboxRouter<SandboxState>([...authorizeRoutes, ...tokenRoutes, ...revokeRoutes, ...apiRoutes])
  // Assigned once the server listens; the state's emitter (below) reads it when events happen.
  // eslint-disable-next-line prefer-const
  let sandbox: Sandbox | undefined
  const state = new SandboxState(resolved, (name, ...args) => {
    // Listeners run synchronously; one that throws makes that request answer 500.
    ;(sandbox as EventEmitter | undefined)?.emit(name, ...args)
  })
  const webhooks = attachSandboxWebhooks(state, resolved.webhooks)
  const server = createServer({ requestTimeout: 60_000, headersTimeout: 30_000 }, createRequestListener(router, state))
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    else socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    const onListenError = (err: Error): void => {
      webhooks.close()
      reject(err)
    }
    server.once('error', onListenError)
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', onListenError)
      resolve()
    })
  })
  const { port, family } = server.address() as AddressInfo
  const host = family === 'IPv6' || resolved.host === '::1' ? `[${resolved.host}]` : resolved.host
  sandbox = new Sandbox(state, server, `http://${host}:${port}`, resolved.clients[0].clientID, webhooks)
  return sandbox
}

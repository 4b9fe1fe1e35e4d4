/**
 * Every test process may talk to loopback only (our servers on port 0, Redis on 127.0.0.1).
 * Any other destination fails loudly, so a test can never reach lexoffice or the internet.
 */
import net from 'node:net'

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/

// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the socket as `this`
const originalConnect = net.Socket.prototype.connect
type ConnectArgs = Parameters<typeof originalConnect>

function hostOf(args: unknown[]): string | undefined {
  const first = args[0]
  if (Array.isArray(first)) return hostOf(first)
  if (first && typeof first === 'object') {
    const o = first as { host?: string; path?: string }
    if (o.path) return undefined // unix socket
    return o.host ?? 'localhost'
  }
  if (typeof first === 'number') return typeof args[1] === 'string' ? args[1] : 'localhost'
  if (typeof first === 'string') return undefined // unix socket path
  return undefined
}

net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args)
  if (host !== undefined && !LOOPBACK.test(host.replace(/^\[|\]$/g, ''))) {
    throw new Error(`test network guard: connection to ${host} refused (tests may only reach loopback)`)
  }
  return originalConnect.apply(this, args as ConnectArgs)
}

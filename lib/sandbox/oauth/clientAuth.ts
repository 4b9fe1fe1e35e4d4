import { createHash, timingSafeEqual } from 'node:crypto'
import { duplicatedParams, oauthError, readForm } from '../http'
import type { ResolvedSandboxClient } from '../options'
import type { SandboxState } from '../SandboxState'
import type { SandboxRequest, SandboxResponse } from '../types'

/**
 * Client authentication and form parsing shared by the token and revoke endpoints. lexoffice
 * authenticates clients with HTTP Basic only; a request that also carries `client_id` or
 * `client_secret` in the body uses two methods at once and is refused (RFC 6749 §2.3).
 *
 * @internal
 */

function equalSecrets(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest()
  const hb = createHash('sha256').update(b, 'utf8').digest()
  return timingSafeEqual(ha, hb)
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before Basic; most clients send them raw. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

function authenticateClient(req: SandboxRequest, ctx: SandboxState): ResolvedSandboxClient | SandboxResponse {
  const header = req.headers.authorization
  if (typeof header !== 'string' || !/^Basic /i.test(header)) {
    return oauthError('invalid_client', 'Client authentication with HTTP Basic is required.')
  }
  const encoded = header.slice(6).trim()
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length > 4096) {
    return oauthError('invalid_client', 'The Basic credentials are malformed.')
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 1) return oauthError('invalid_client', 'The Basic credentials are malformed.')
  const rawId = decoded.slice(0, colon)
  const rawSecret = decoded.slice(colon + 1)
  const candidates: Array<[string, string]> = [[rawId, rawSecret]]
  const id = formDecode(rawId)
  const secret = formDecode(rawSecret)
  if (id !== undefined && secret !== undefined) candidates.push([id, secret])
  for (const [cid, csecret] of candidates) {
    const client = ctx.clients.get(cid)
    if (client && equalSecrets(csecret, client.clientSecret)) return client
  }
  return oauthError('invalid_client', 'Client authentication failed.')
}

/**
 * Authenticates the client by Basic and parses the form body of a token or revoke request.
 * Answers 401 `invalid_client`, 415/400 `invalid_request` (not a form, repeated parameters,
 * credentials in the body) as an RFC 6749 error.
 * @internal
 */
export function authenticatedForm(
  req: SandboxRequest,
  ctx: SandboxState,
): { client: ResolvedSandboxClient; form: URLSearchParams } | { response: SandboxResponse } {
  const client = authenticateClient(req, ctx)
  if ('status' in client) return { response: client }
  const form = readForm(req)
  if (!form) return { response: oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded.') }
  if (form.has('client_secret') || form.has('client_id')) {
    return {
      response: oauthError(
        'invalid_request',
        'Use exactly one client authentication method: HTTP Basic, without client_id or client_secret in the body.',
      ),
    }
  }
  const dup = duplicatedParams(form)
  if (dup.length > 0) return { response: oauthError('invalid_request', `Parameter ${dup[0]} was given more than once.`) }
  return { client, form }
}

import { duplicatedParams, readForm, redirect } from '../http'
import type { PendingAuthorization, SandboxState } from '../SandboxState'
import type { SandboxRequest, SandboxResponse, SandboxRoute } from '../types'
import { consentPage, errorPage } from './pages'

/**
 * `GET /oauth2/authorize` and the consent decision, as lexoffice's partner OAuth server
 * behaves (docs/lexoffice.md §2b):
 *
 * - an unknown `client_id` or a `redirect_uri` that is not registered exactly gets an HTML error
 *   page and is **never** redirected (RFC 6749 §4.1.2.1, no open redirector);
 * - every other error is redirected as `error=…&error_description=…&state=…`;
 * - only `response_type=code`; PKCE with `S256` and a 43-character base64url challenge is
 *   required (`plain` is refused), unless the client is registered with `requirePkce: false`;
 * - `scope` is space-separated and must be a subset of the client's scopes (omitted: all);
 * - `connection_name` may contain only lexoffice's allowed characters.
 *
 * @internal
 */

/** lexoffice's allowed `connection_name` characters: `/?äöüÄÖÜßa-zA-Z0-9.-{}"_\:=,()` and space. */
const CONNECTION_NAME = /^[/?äöüÄÖÜßa-zA-Z0-9.\-{}"_\\:=,() ]{1,255}$/
/** base64url(SHA-256) without padding is exactly 43 characters. */
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/
/** RFC 6749 `state`: VSCHAR, bounded. */
const STATE = /^[\x20-\x7e]{1,2048}$/
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/

/** Appends parameters to a registered redirect URI, keeping its own query. */
function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri)
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.append(k, v)
  return url.toString()
}

function authorize(req: SandboxRequest, ctx: SandboxState): SandboxResponse {
  const q = req.query
  const dup = duplicatedParams(q)
  const clientID = q.get('client_id')
  if (!clientID || dup.includes('client_id')) return errorPage(400, 'The request has no client_id (or more than one).')
  const client = ctx.clients.get(clientID)
  if (!client) return errorPage(400, 'Unknown client_id: no app is registered under this id.')
  const redirectUri = q.get('redirect_uri')
  if (!redirectUri || dup.includes('redirect_uri')) return errorPage(400, 'The request has no redirect_uri (or more than one).')
  if (!client.redirectUris.includes(redirectUri)) {
    return errorPage(400, 'The redirect_uri is not registered for this app (it must match a registered URI exactly).')
  }

  // From here on, errors go back to the app.
  const rawState = dup.includes('state') ? undefined : (q.get('state') ?? undefined)
  const state = rawState !== undefined && STATE.test(rawState) ? rawState : undefined
  const fail = (error: string, description: string): SandboxResponse =>
    redirect(withParams(redirectUri, { error, error_description: description, state }))

  if (dup.length > 0) return fail('invalid_request', `Parameter ${dup[0]} was given more than once.`)
  if (rawState !== undefined && state === undefined)
    return fail('invalid_request', 'The state parameter is empty, too long or has invalid characters.')
  const responseType = q.get('response_type')
  if (responseType === null) return fail('invalid_request', 'The response_type parameter is missing.')
  if (responseType !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.')

  const method = q.get('code_challenge_method')
  const challenge = q.get('code_challenge')
  let codeChallenge: string | undefined
  if (method === null && challenge === null) {
    if (client.requirePkce) return fail('invalid_request', 'PKCE is required: send code_challenge and code_challenge_method=S256.')
  } else {
    if (method !== 'S256') return fail('invalid_request', 'Only code_challenge_method=S256 is supported.')
    if (challenge === null || !CODE_CHALLENGE.test(challenge)) {
      return fail('invalid_request', 'code_challenge must be 43 base64url characters (SHA-256 of the verifier, no padding).')
    }
    codeChallenge = challenge
  }

  const scopeParam = q.get('scope')
  let scopes: readonly string[] = client.scopes
  if (scopeParam !== null) {
    const requested = [...new Set(scopeParam.split(' ').filter((s) => s !== ''))]
    if (requested.length === 0 || !requested.every((s) => SCOPE_TOKEN.test(s)))
      return fail('invalid_scope', 'The scope parameter is malformed.')
    const unknown = requested.find((s) => !client.scopes.includes(s))
    if (unknown !== undefined) return fail('invalid_scope', `The scope ${unknown} is not available to this app.`)
    scopes = requested
  }

  const connectionNameParam = q.get('connection_name')
  if (connectionNameParam !== null && !CONNECTION_NAME.test(connectionNameParam)) {
    return fail('invalid_request', 'connection_name is empty, too long or contains characters lexoffice does not allow.')
  }

  const auth: Omit<PendingAuthorization, 'expiresAt'> = {
    clientID,
    redirectUri,
    state,
    codeChallenge,
    scopes,
    connectionName: connectionNameParam ?? client.name,
  }
  if (ctx.autoApprove) return approve(ctx, auth)
  const organization = ctx.organizations.get(ctx.approvingOrganizationId)
  const user = ctx.users.get(ctx.defaultUserId)
  if (organization === undefined || user === undefined) throw new Error('the sandbox has no approving organisation or default user')
  return consentPage({
    pendingId: ctx.addPending(auth),
    clientName: client.name,
    connectionName: auth.connectionName,
    companyName: organization.companyName,
    organizations: [...ctx.organizations.values()].map((o) => ({ organizationId: o.organizationId, companyName: o.companyName })),
    userName: user.userName,
    userEmail: user.userEmail,
    scopes,
    redirectOrigin: new URL(redirectUri).origin,
  })
}

/** Issues a code and redirects back to the app. */
function approve(ctx: SandboxState, auth: Omit<PendingAuthorization, 'expiresAt'>): SandboxResponse {
  const code = ctx.issueCode(auth)
  return redirect(withParams(auth.redirectUri, { code, state: auth.state }))
}

/** `POST /oauth2/authorize/decision` (form: `pending`, `decision=allow|deny`), sent by the consent page. */
function decide(req: SandboxRequest, ctx: SandboxState): SandboxResponse {
  const form = readForm(req)
  if (!form) return errorPage(415, 'The consent form must be posted as application/x-www-form-urlencoded.')
  if (duplicatedParams(form).length > 0) return errorPage(400, 'The consent form was sent with repeated fields.')
  const decision = form.get('decision')
  if (decision !== 'allow' && decision !== 'deny') return errorPage(400, 'The consent form has no valid decision.')
  const id = form.get('pending') ?? ''
  const pending = id.length > 0 && id.length <= 100 ? ctx.takePending(id) : undefined
  if (!pending) return errorPage(400, 'This authorization request has expired or was already answered. Start the login again.')
  const picked = form.get('organization')
  if (picked !== null) {
    if (!ctx.organizations.has(picked)) return errorPage(400, 'The consent form names an organisation this user does not belong to.')
    pending.organizationId = picked
  }
  if (decision === 'deny') {
    return redirect(
      withParams(pending.redirectUri, { error: 'access_denied', error_description: 'The user denied access.', state: pending.state }),
    )
  }
  return approve(ctx, pending)
}

/** The authorization endpoint routes. @internal */
export const authorizeRoutes: SandboxRoute<SandboxState>[] = [
  { method: 'GET', pattern: '/oauth2/authorize', handler: authorize },
  { method: 'POST', pattern: '/oauth2/authorize/decision', handler: decide },
]

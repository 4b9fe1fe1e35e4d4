import { createHash } from 'node:crypto'
import { escapeHtml } from '../http'
import type { SandboxResponse } from '../types'

/**
 * The sandbox's two HTML pages: the consent page and the error page shown when the request
 * cannot be answered by a redirect (unknown client, unregistered redirect URI). Every dynamic
 * value is HTML-escaped; the pages load nothing, and a strict CSP allows only the inline style
 * (by hash) and form posts to the sandbox itself and the client's redirect origin.
 *
 * @internal
 */

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f7;color:#1d2733;margin:0}
main{max-width:30rem;margin:3rem auto;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.12);padding:2rem}
.badge{display:inline-block;background:#ffe58f;color:#5c4400;border-radius:4px;padding:.1rem .5rem;font-size:.75rem;font-weight:600}
h1{font-size:1.3rem;margin:.6rem 0 1rem}
ul{padding-left:1.2rem}li{margin:.2rem 0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9rem}
.meta{color:#5a6672;font-size:.85rem}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
button{flex:1;font-size:1rem;padding:.6rem;border-radius:6px;border:1px solid #9aa5b1;background:#fff;cursor:pointer}
button.allow{background:#0a6ebd;border-color:#0a6ebd;color:#fff}
.error{color:#a61b1b}
`
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64')

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<span class="badge">lexoffice sandbox</span>
${body}
</main>
</body>
</html>
`
}

function htmlResponse(status: number, html: string, formAction: string): SandboxResponse {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    },
    body: html,
  }
}

/** What the consent page shows. @internal */
export interface ConsentPageData {
  pendingId: string
  clientName: string
  connectionName: string
  companyName: string
  /** Every organisation the user may pick, when there is more than one. */
  organizations: ReadonlyArray<{ organizationId: string; companyName: string }>
  userName: string
  userEmail: string
  scopes: readonly string[]
  /** Origin of the redirect URI: the decision's 302 goes there, so the CSP must allow it. */
  redirectOrigin: string
}

/** A choice of organisation, as lexoffice offers users who belong to several. */
function organizationChoice(data: ConsentPageData): string {
  if (data.organizations.length < 2) return ''
  const options = data.organizations
    .map(
      (o) =>
        `<option value="${escapeHtml(o.organizationId)}"${o.companyName === data.companyName ? ' selected' : ''}>${escapeHtml(o.companyName)}</option>`,
    )
    .join('')
  return `\n<p><label>Organisation <select name="organization" id="organization">${options}</select></label></p>`
}

/**
 * The consent page: who asks, for which organisation, which scopes; Allow and Deny post the
 * pending-authorization id to `POST /oauth2/authorize/decision`.
 * @internal
 */
export function consentPage(data: ConsentPageData): SandboxResponse {
  const scopes = data.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')
  // One app name: the client's. connection_name only labels the connection in lexoffice (its
  // extensions page), so it is shown as that, and only when it differs.
  const label =
    data.connectionName === data.clientName
      ? ''
      : `\n<p class="meta" id="connection-name">lexoffice lists this connection as <strong>${escapeHtml(data.connectionName)}</strong>.</p>`
  const body = `<h1>Allow <strong>${escapeHtml(data.clientName)}</strong> to access your lexoffice?</h1>
<p>The app asks for access to the organisation <strong>${escapeHtml(data.companyName)}</strong>.</p>${label}
<p>Requested permissions:</p>
<ul id="scopes">${scopes}</ul>
<p class="meta">Signed in as ${escapeHtml(data.userName)} &lt;${escapeHtml(data.userEmail)}&gt;</p>
<form method="post" action="/oauth2/authorize/decision">
<input type="hidden" name="pending" value="${escapeHtml(data.pendingId)}">${organizationChoice(data)}
<div class="actions">
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
<button type="submit" name="decision" value="allow" id="allow" class="allow">Allow</button>
</div>
</form>`
  // An origin is scheme://host:port, which cannot break out of the CSP directive.
  const formAction = `'self' ${data.redirectOrigin}`
  return htmlResponse(200, page('Connect to lexoffice (sandbox)', body), formAction)
}

/**
 * An error page for authorization requests that must not be redirected (RFC 6749 §4.1.2.1:
 * unknown client or unregistered redirect URI) and for stale consent forms.
 * @internal
 */
export function errorPage(status: number, message: string): SandboxResponse {
  const body = `<h1 class="error">Authorization request refused</h1>
<p id="error-message">${escapeHtml(message)}</p>
<p class="meta">The app that sent you here is misconfigured or the request expired. Nothing was shared.</p>`
  return htmlResponse(status, page('lexoffice sandbox: error', body), "'none'")
}

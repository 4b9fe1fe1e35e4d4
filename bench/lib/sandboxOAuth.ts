/**
 * How a benchmark child process reaches the parent's sandbox as the OAuth client: the parent
 * puts this into the child's init message, the child hands it to its TokenManager as is.
 */
import type { Sandbox } from '../../lib/sandbox/Sandbox'

/** The sandbox's OAuth client and endpoints (the API is served at the sandbox's own URL). */
export interface SandboxOAuth {
  clientID: string
  clientSecret: string
  tokenURL: string
  revokeURL: string
  apiURL: string
}

/** The OAuth client and endpoints of `sb`, for a child's config. */
export function sandboxOAuth(sb: Sandbox): SandboxOAuth {
  const { tokenURL, revokeURL, apiURL } = sb.endpoints
  return { ...sb.client, tokenURL, revokeURL, apiURL }
}

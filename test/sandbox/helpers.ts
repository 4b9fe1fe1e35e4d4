import { createHash, randomBytes } from 'node:crypto'
import type { Sandbox } from '../../lib/sandbox'

/** Test helpers for the sandbox tests: PKCE pairs, authorize URLs, token calls. */

export const REDIRECT = 'http://127.0.0.1:9/callback'

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export function basic(clientID: string, clientSecret: string): string {
  return 'Basic ' + Buffer.from(`${clientID}:${clientSecret}`).toString('base64')
}

export function authorizeUrl(sandbox: Sandbox, params: Record<string, string | undefined>): string {
  const url = new URL(sandbox.endpoints.authorizationURL)
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.append(k, v)
  return url.toString()
}

export function defaultAuthorizeParams(sandbox: Sandbox, challenge: string): Record<string, string> {
  return {
    client_id: sandbox.client.clientID,
    redirect_uri: REDIRECT,
    response_type: 'code',
    state: 'st-' + randomBytes(8).toString('hex'),
    code_challenge_method: 'S256',
    code_challenge: challenge,
    scope: 'profile.read contacts.read',
  }
}

/** GET without following redirects. */
export function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers })
}

export function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  })
}

export function tokenCall(
  sandbox: Sandbox,
  form: Record<string, string>,
  auth = basic(sandbox.client.clientID, sandbox.client.clientSecret),
): Promise<Response> {
  return postForm(sandbox.endpoints.tokenURL, form, auth ? { authorization: auth } : {})
}

/** Runs an auto-approved authorization and returns the code, verifier and state. */
export async function obtainCode(
  sandbox: Sandbox,
  extra: Record<string, string> = {},
): Promise<{ code: string; verifier: string; state: string }> {
  const { verifier, challenge } = pkce()
  const params = { ...defaultAuthorizeParams(sandbox, challenge), ...extra }
  const res = await get(authorizeUrl(sandbox, params))
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}`)
  const location = new URL(res.headers.get('location')!)
  const code = location.searchParams.get('code')
  if (!code) throw new Error(`no code in redirect: ${location.searchParams.get('error')}`)
  return { code, verifier, state: params.state }
}

export interface Tokens {
  access_token: string
  refresh_token: string
  token_type: string
  expires_in: number
  scope: string
}

/** Full login: authorize (auto-approved) and code exchange. */
export async function login(sandbox: Sandbox): Promise<Tokens> {
  const { code, verifier } = await obtainCode(sandbox)
  const res = await tokenCall(sandbox, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier })
  if (res.status !== 200) throw new Error(`token answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as Tokens
}

export function refresh(sandbox: Sandbox, refreshToken: string): Promise<Response> {
  return tokenCall(sandbox, { grant_type: 'refresh_token', refresh_token: refreshToken })
}

export function profile(sandbox: Sandbox, accessToken?: string): Promise<Response> {
  return fetch(`${sandbox.endpoints.apiURL}/v1/profile`, { headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} })
}

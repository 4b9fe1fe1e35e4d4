import { randomUUID } from 'node:crypto'
import { gatewayError, json, oauthError } from '../http'
import type { SandboxFault, SandboxState } from '../SandboxState'
import type { SandboxResponse } from '../types'
import { invalidArg } from '../../options/assert'

/**
 * Fault injection for the token endpoint (`sandbox.failNextTokenCalls`) and API paths
 * (`sandbox.failNextApiCalls`).
 *
 * @internal
 */

/**
 * Checks faults when they are queued, so a typo fails the test that queued it. `target: 'api'`
 * refuses `invalid_grant` and `alter`, which only token calls know. @internal
 */
export function assertFaults(faults: unknown, target: 'token' | 'api' = 'token'): asserts faults is SandboxFault[] {
  if (!Array.isArray(faults)) throw invalidArg('ERR_INVALID_ARG_TYPE', '"faults" must be an array')
  faults.forEach((f: unknown, i) => {
    const name = `faults[${i}]`
    if (f === null || typeof f !== 'object') throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}" must be an object`)
    const fault = f as Record<string, unknown>
    const status = (v: unknown, what: string): void => {
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 200 || v > 599)) {
        throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}.${what}" must be an HTTP status (200-599)`)
      }
    }
    switch (fault.kind) {
      case 'status':
        if (fault.status === undefined) throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}.status" is required`)
        status(fault.status, 'status')
        break
      case 'html':
      case 'json':
        status(fault.status, 'status')
        break
      case 'delay':
        if (typeof fault.ms !== 'number' || !Number.isInteger(fault.ms) || fault.ms < 0 || fault.ms > 600_000) {
          throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}.ms" must be an integer between 0 and 600000`)
        }
        if (fault.thenProcess !== undefined && typeof fault.thenProcess !== 'boolean') {
          throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}.thenProcess" must be a boolean`)
        }
        break
      case 'text':
        if (typeof fault.body !== 'string') throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}.body" must be a string`)
        status(fault.status, 'status')
        if (fault.contentType !== undefined && (typeof fault.contentType !== 'string' || !/^[\x20-\x7e]{1,200}$/.test(fault.contentType))) {
          throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}.contentType" must be a content type`)
        }
        break
      case 'invalid_grant':
        if (target === 'api') throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}.kind" invalid_grant applies to token calls only`)
        break
      case 'alter':
        if (target === 'api') throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}.kind" alter applies to token calls only`)
        if (fault.omit !== undefined && (!Array.isArray(fault.omit) || !fault.omit.every((m) => typeof m === 'string'))) {
          throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}.omit" must be an array of member names`)
        }
        if (fault.set !== undefined && (fault.set === null || typeof fault.set !== 'object' || Array.isArray(fault.set))) {
          throw invalidArg('ERR_INVALID_ARG_TYPE', `"${name}.set" must be an object`)
        }
        break
      default:
        throw invalidArg('ERR_INVALID_ARG_VALUE', `"${name}.kind" must be status, html, delay, invalid_grant, json, text or alter`)
    }
  })
}

/**
 * Applies a fault: returns the answer to send instead of processing, or `'process'` to go on
 * with normal processing (after a `delay`).
 * @internal
 */
export async function applyFault(
  fault: SandboxFault,
  ctx: SandboxState,
  target: 'token' | 'api' = 'token',
): Promise<SandboxResponse | 'process'> {
  switch (fault.kind) {
    case 'alter':
      return 'process'
    case 'status': {
      if (fault.body !== undefined) return json(fault.status, fault.body, { 'cache-control': 'no-store' })
      if (target === 'api') return gatewayError(fault.status, null)
      return oauthError(
        fault.status === 429 ? 'rate_limited' : 'server_error',
        `Injected sandbox fault (HTTP ${fault.status}).`,
        fault.status,
      )
    }
    case 'html':
      return {
        status: fault.status ?? 200,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
        body: '<!doctype html><html><head><title>Maintenance</title></head><body><h1>We will be back soon</h1></body></html>',
      }
    case 'json':
      return json(fault.status ?? 200, fault.body, { 'cache-control': 'no-store' })
    case 'text':
      return {
        status: fault.status ?? 200,
        headers: { 'content-type': fault.contentType ?? 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        body: fault.body,
      }
    case 'invalid_grant':
      return oauthError('invalid_grant', 'Injected sandbox fault: the grant is invalid.')
    case 'delay': {
      const completed = await ctx.sleep(fault.ms)
      if (!completed) return json(503, { message: 'Sandbox is shutting down' })
      if (fault.thenProcess ?? true) return 'process'
      return json(504, { message: 'Endpoint request timed out' })
    }
  }
}

/**
 * The `alter` fault's change to a processed answer: members dropped, then `set` merged. Error
 * answers pass unchanged. `±Infinity` is written as `±1e999` (JSON has no Infinity; a JSON
 * parser reads `1e999` as Infinity).
 * @internal
 */
export function alterAnswer(response: SandboxResponse, fault: Extract<SandboxFault, { kind: 'alter' }>): SandboxResponse {
  if (response.status < 200 || response.status >= 300 || !Buffer.isBuffer(response.body)) return response
  const omit = new Set(fault.omit)
  const answer = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>
  const body = { ...Object.fromEntries(Object.entries(answer).filter(([member]) => !omit.has(member))), ...fault.set }
  const marker = `sandbox-infinity-${randomUUID()}`
  const text = JSON.stringify(body, (_key, value: unknown) =>
    value === Infinity || value === -Infinity ? `${marker}${value > 0 ? '+' : '-'}` : value,
  ).replace(new RegExp(`"${marker}([+-])"`, 'g'), (_match, sign: string) => `${sign === '-' ? '-' : ''}1e999`)
  return { ...response, body: Buffer.from(text, 'utf8') }
}

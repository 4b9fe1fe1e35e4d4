/**
 * Helpers for the refresher and CLI integration tests: real sandbox logins stored through the real
 * TokenManager. No test doubles here.
 */
import type { Sandbox } from '../../lib/sandbox'
import { LexofficeOAuthClient } from '../../lib/oauth/LexofficeOAuthClient'
import type { TokenManager } from '../../lib/tokens/TokenManager'
import { login, profile } from '../sandbox/helpers'

/** An OAuth client for the sandbox, on `now` (the same clock as the sandbox and the manager). */
export function sandboxOAuth(sandbox: Sandbox, now?: () => number): LexofficeOAuthClient {
  return new LexofficeOAuthClient(
    { ...sandbox.client, tokenURL: sandbox.endpoints.tokenURL, revokeURL: sandbox.endpoints.revokeURL },
    now === undefined ? {} : { now },
  )
}

/**
 * Logs a user in at the sandbox (authorize + code exchange) and stores the connection under `key`
 * through `manager.connect`. Resolves the sandbox connection id and every token the sandbox
 * issued so far for it (to look for them in output).
 */
export async function connectUser(
  sandbox: Sandbox,
  manager: TokenManager,
  key: string,
): Promise<{ connectionId: string; secrets: string[] }> {
  const tokens = await login(sandbox)
  const res = await profile(sandbox, tokens.access_token)
  if (res.status !== 200) throw new Error(`profile answered ${res.status}`)
  const body = (await res.json()) as { connectionId: string; organizationId: string }
  await manager.connect(key, { ...tokens }, body)
  return { connectionId: body.connectionId, secrets: [tokens.access_token, tokens.refresh_token] }
}

/** Counts `refreshed` and `authLost` events of managers, and resolves when a condition holds. */
export class EventTally {
  readonly refreshed = new Map<string, number>()
  readonly lost: { key: string; reason: string }[] = []
  readonly failedCodes: string[] = []
  #waiters: { check: () => boolean; resolve: () => void }[] = []

  constructor(managers: TokenManager[]) {
    for (const m of managers) {
      m.on('refreshed', ({ key }) => {
        this.refreshed.set(key, (this.refreshed.get(key) ?? 0) + 1)
        this.#poke()
      })
      m.on('authLost', ({ key, reason }) => {
        this.lost.push({ key, reason })
        this.#poke()
      })
      m.on('refreshFailed', ({ code }) => void this.failedCodes.push(code))
    }
  }

  get total(): number {
    let n = 0
    for (const v of this.refreshed.values()) n += v
    return n
  }

  /** Resolves once `check()` is true, re-checked after every event. */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push({ check, resolve }))
  }

  #poke(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.check()) return true
      w.resolve()
      return false
    })
  }
}

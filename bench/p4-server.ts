/**
 * P4 child: the sandbox (auto-approve) and two login apps, each with its own express-session
 * MemoryStore: `lexoffice` (LexofficeStrategy from createLexoffice) and `oauth2` (plain
 * passport-oauth2 with pkce + state, userProfile reading /v1/profile; see bench/lib/apps.ts for how
 * its token request is made acceptable to the sandbox), and diagnostic `lexofficeHttp`
 * (LexofficeStrategy given Node's fetch (undici), i.e. the transport it used before it switched to
 * node:http). Both store each login's tokens in a MemoryTokenStore (the baseline's verify through
 * `manager.connect`). IPC: -> ready { urls }, <- cpu -> cpu { micros }, <- exit.
 */
import session from 'express-session'
import { createSandbox } from '../lib/sandbox/createSandbox'
import { startApp } from './lib/apps'

async function main(): Promise<void> {
  const sb = await createSandbox({ autoApprove: true })
  const lexofficeApp = await startApp({
    sandbox: sb,
    sessionStore: new session.MemoryStore(),
    strategy: 'lexoffice',
    withMiddleware: false,
  })
  const oauth2App = await startApp({ sandbox: sb, sessionStore: new session.MemoryStore(), strategy: 'oauth2', withMiddleware: false })
  const lexofficeHttpApp = await startApp({
    sandbox: sb,
    sessionStore: new session.MemoryStore(),
    strategy: 'lexoffice',
    withMiddleware: false,
    fetch: (input, init) => fetch(input, init),
  })
  process.send?.({ type: 'ready', urls: { lexoffice: lexofficeApp.url, oauth2: oauth2App.url, lexofficeHttp: lexofficeHttpApp.url } })
  let exiting = false
  process.on('message', (m: { type: string }) => {
    if (m.type === 'cpu') {
      const u = process.cpuUsage()
      process.send?.({ type: 'cpu', micros: u.user + u.system, tokenCalls: sb.tokenCalls('authorization_code') })
      return
    }
    if (m.type !== 'exit' || exiting) return
    exiting = true
    void (async () => {
      await Promise.all([lexofficeApp.close(), oauth2App.close(), lexofficeHttpApp.close()])
      await sb.close()
      if (process.connected) process.disconnect()
    })()
  })
}

main().catch((err: unknown) => {
  process.send?.({ type: 'fatal', message: err instanceof Error ? err.message : String(err) })
  process.exitCode = 1
})

/**
 * Helpers for tests that drive the example app over HTTP (supertest against its real server).
 */
import request from 'supertest'
import type { StartedExample, StartOptions } from '../../example-app/src/startExample'
import { MemoryRateLimiter } from '../../lib/client/rateLimit/MemoryRateLimiter'
import { buildLexoffice } from '../../lib/config/Lexoffice'
import type { Sandbox } from '../../lib/sandbox'
import { scheduleClock } from '../helpers/scheduleClock'

export type Agent = ReturnType<typeof request.agent>

/**
 * startExample's options for a test on `sandbox`: the app's configuration keeps its rate
 * limiter's schedule on a schedule clock (test/helpers/scheduleClock.ts) instead of pacing in real
 * time. Pacing is not the example app's subject; its sandbox should not count the rate
 * (`api: { rateLimit: false }`).
 */
export function unpaced(sandbox: Sandbox): StartOptions {
  return {
    sandbox,
    createLexoffice: (options) => {
      const clock = scheduleClock()
      return buildLexoffice(options, { rateLimiter: new MemoryRateLimiter({}, { now: clock.now, sleep: clock.sleep }) })
    },
  }
}

/** Signs a fresh agent in: /auth/lexoffice → sandbox (auto-approved) → callback → home. */
export async function signedInAgent(app: StartedExample, loginPath = '/auth/lexoffice'): Promise<Agent> {
  const agent = request.agent(app.listenURL)
  const start = await agent.get(loginPath).expect(302)
  const authorize = await fetch(start.headers.location, { redirect: 'manual' })
  expect(authorize.status).toBe(302)
  const callback = new URL(authorize.headers.get('location')!)
  expect(callback.searchParams.get('code')).toBeTruthy()
  await agent.get(`${callback.pathname}${callback.search}`).expect(302)
  const home = await agent.get('/').expect(200)
  expect(home.text).toContain('data-testid="user-name"')
  return agent
}

/** The CSRF token of the first form in `html`. */
export function csrfTokenOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html)
  if (!match) throw new Error('no CSRF token in the page')
  return match[1]
}

/** An answer that must not reveal internals: no stack frames, no file paths. */
export function expectNoInternals(body: string): void {
  expect(body).not.toMatch(/\n\s+at /)
  expect(body).not.toMatch(/[\\/](?:work|home|node_modules|lib|example-app)[\\/]/)
  expect(body).not.toMatch(/Error:/)
}

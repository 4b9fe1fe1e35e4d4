/**
 * Issue 12's reproduction: passport-oauth2-refresh sends a refresh through the strategy's OAuth
 * object, outside the token manager; under lexoffice's rotation a later managed refresh would then
 * present a dead refresh token and lose the connection. The strategy refuses that refresh, and the
 * connection survives.
 */
import refresh from 'passport-oauth2-refresh'
import { isLexofficeError } from '../../lib/errors'
import type { LexofficeUser } from '../../lib/strategy/LexofficeConnection'
import { type TestApp, logIn, mountSessionView, sessionOf, startTestApp } from '../helpers/lexofficeApp'

/** passport-oauth2-refresh's registry class (exported at runtime, missing from its types). */
interface RefreshRegistry {
  use(strategy: unknown): void
  requestNewAccessToken(name: string, refreshToken: string, done: (err: unknown, accessToken?: string) => void): void
}
const { AuthTokenRefresh } = refresh as unknown as { AuthTokenRefresh: new () => RefreshRegistry }

let t: TestApp
beforeEach(async () => {
  t = await startTestApp({
    setup(app, lexoffice, passport) {
      app.use(lexoffice.routes({ passport }))
      mountSessionView(app, lexoffice)
    },
  })
})
afterEach(() => t.close())

it('a refresh through passport-oauth2-refresh is refused with UNMANAGED_REFRESH and the connection survives', async () => {
  const agent = t.agent()
  await logIn(agent)
  const user = (await sessionOf(agent)).user as unknown as LexofficeUser
  const record = await t.lexoffice.manager.store.get(user.connectionKey)
  const refreshToken = record!.tokens!.refreshToken

  const registry = new AuthTokenRefresh()
  registry.use(t.lexoffice.strategy)
  const outcome = await new Promise<{ err: unknown; accessToken: unknown }>((resolve) => {
    registry.requestNewAccessToken('lexoffice', refreshToken, (err, accessToken) => {
      resolve({ err, accessToken })
    })
  })
  expect(isLexofficeError(outcome.err, 'UNMANAGED_REFRESH')).toBe(true)
  expect((outcome.err as Error).message).toMatch(/lexoffice.manager.getAccessToken/)
  expect(outcome.accessToken).toBeUndefined()
  expect(t.sandbox.tokenCalls('refresh_token')).toBe(0)

  // The managed path still refreshes, once, and the connection stays alive.
  const token = await t.lexoffice.manager.getAccessToken(user.connectionKey, { forceRefresh: true })
  expect(typeof token).toBe('string')
  expect(t.sandbox.tokenCalls('refresh_token')).toBe(1)
  expect(await t.lexoffice.manager.tokenInfo(user.connectionKey)).toMatchObject({ state: 'active' })
  expect(t.sandbox.connections().find((c) => c.connectionId === user.connectionId)?.state).toBe('active')
})

it("the strategy's _oauth2 carries no client secret", () => {
  const oauth2 = t.lexoffice.strategy._oauth2
  expect(oauth2._clientSecret).toBe('')
  expect(JSON.stringify(oauth2)).not.toContain(t.sandbox.client.clientSecret)
})

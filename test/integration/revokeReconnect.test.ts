/**
 * The whole webhook lifecycle of an Express app against the sandbox, with real servers on
 * 127.0.0.1:0: login (passport + LexofficeStrategy, 5-parameter verify -> manager.connect) ->
 * autoSubscribe registers contact.changed and token.revoked -> a contact change arrives signed and
 * verified at lexofficeWebhooks -> the user revokes the app at lexoffice -> token.revoked arrives
 * -> onTokenRevoked marks the connection lost (tombstone, authLost) -> the user's next request gets
 * 401 JSON / a login redirect -> the user logs in again -> the subscriptions are back for the new
 * connection -> events flow again. No sleeps: sandbox.webhooksIdle(), autoSubscribe's idle() and
 * event promises.
 */
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import session from 'express-session'
import { Passport } from 'passport'
import request from 'supertest'
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import { lexoffice } from '../../lib/express/lexofficeMiddleware'
import { requireLexoffice } from '../../lib/express/requireLexoffice'
import type { LexofficeTokenResponse } from '../../lib/oauth/LexofficeOAuthClient'
import { createSandbox } from '../../lib/sandbox/createSandbox'
import type { Sandbox } from '../../lib/sandbox/Sandbox'
import { LexofficeStrategy, type LexofficeVerifyCallback } from '../../lib/strategy/LexofficeStrategy'
import type { LexofficeProfile } from '../../lib/strategy/profile'
import { TokenManager } from '../../lib/tokens/TokenManager'
import { MemoryTokenStore } from '../../lib/tokens/stores/MemoryTokenStore'
import { autoSubscribe, type AutoSubscription } from '../../lib/webhooks/autoSubscribe'
import type { LexofficeEvent } from '../../lib/webhooks/events'
import { lexofficeWebhooks } from '../../lib/webhooks/lexofficeWebhooks'

interface AppUser {
  key: string
  connectionId: string
}

/** Collects events and resolves waiters as matching ones arrive. */
class Inbox<T> {
  readonly items: T[] = []
  #waiters: Array<{ match: (item: T) => boolean; resolve: (item: T) => void }> = []
  push(item: T): void {
    this.items.push(item)
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(item)) return true
      w.resolve(item)
      return false
    })
  }
  /** The next item (from now on) that matches. */
  next(match: (item: T) => boolean): Promise<T> {
    return new Promise((resolve) => this.#waiters.push({ match, resolve }))
  }
}

let sandbox: Sandbox
let server: Server
let appUrl: string
let manager: TokenManager
let store: MemoryTokenStore
let auto: AutoSubscription
const events = new Inbox<LexofficeEvent>()
const webhookErrors: unknown[] = []

beforeAll(async () => {
  sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: false }, webhooks: { retryDelaysMs: [20, 40] } })
  store = new MemoryTokenStore()
  manager = new TokenManager({ store, oauth: { ...sandbox.client, ...sandbox.endpoints }, apiURL: sandbox.url, refreshJitterMs: 0 })

  const passport = new Passport()
  passport.serializeUser((user, done) => done(null, user))
  passport.deserializeUser((user: Express.User, done) => done(null, user))

  const app = express()
  // The webhook endpoint reads the raw body itself: mounted before any body parser.
  app.use(
    '/webhooks/lexoffice',
    lexofficeWebhooks({
      publicKey: sandbox.webhookPublicKey,
      onTokenRevoked: ({ connectionId }) => manager.markLost(connectionId, 'token.revoked'),
      onEvent: (event) => events.push(event),
      onError: (err) => void webhookErrors.push(err),
    }),
  )
  app.use(session({ secret: 'integration-test-secret', resave: false, saveUninitialized: false }))
  app.use(passport.initialize())
  app.use(passport.session())
  app.use(lexoffice({ manager, key: (req) => (req.user as AppUser | undefined)?.key }))
  app.get('/auth/lexoffice', passport.authenticate('lexoffice'))
  app.get('/auth/lexoffice/callback', passport.authenticate('lexoffice', { failureRedirect: '/failed' }), (_req, res) => {
    res.redirect('/home')
  })
  app.get('/api/contacts', requireLexoffice(), async (req, res, next) => {
    try {
      const r = await req.lexoffice!.fetch('/v1/contacts?page=0&size=1')
      res.status(r.status).json(await r.json())
    } catch (err) {
      next(err)
    }
  })
  app.post('/api/contacts/touch', requireLexoffice(), async (req, res, next) => {
    try {
      const client = createLexofficeClient(manager.providerFor((req.user as AppUser).key), { apiURL: sandbox.url, rateLimit: false })
      const [first] = (await client.contacts.list({ page: 0, size: 1 })).content
      const contact = await client.contacts.get(first!.id!)
      await client.contacts.update(first!.id!, { ...contact, note: `touched ${Date.now()}` })
      res.json({ id: first!.id })
    } catch (err) {
      next(err)
    }
  })

  server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  sandbox.addRedirectUri(`${appUrl}/auth/lexoffice/callback`)

  passport.use(
    new LexofficeStrategy(
      {
        ...sandbox.client,
        ...sandbox.endpoints,
        callbackURL: `${appUrl}/auth/lexoffice/callback`,
        scope: ['profile.read', 'contacts.read', 'contacts.write'],
      },
      (
        _accessToken: string,
        _refreshToken: string | undefined,
        params: LexofficeTokenResponse,
        profile: LexofficeProfile | undefined,
        done: LexofficeVerifyCallback,
      ) => {
        const connectionId = profile!.connectionId!
        manager.connect(connectionId, params, profile).then(
          () => done(null, { key: connectionId, connectionId } as AppUser as Express.User),
          (err: unknown) => done(err),
        )
      },
    ),
  )

  auto = autoSubscribe({
    manager,
    subscriptions: [
      { eventType: 'contact.changed', callbackUrl: `${appUrl}/webhooks/lexoffice` },
      { eventType: 'token.revoked', callbackUrl: `${appUrl}/webhooks/lexoffice` },
    ],
    createClient: (provider) => createLexofficeClient(provider, { apiURL: sandbox.url, rateLimit: false }),
  })
})

afterAll(async () => {
  auto?.()
  await auto?.idle()
  await sandbox?.close()
  await new Promise<void>((resolve) => {
    server?.closeAllConnections()
    server ? server.close(() => resolve()) : resolve()
  })
})

/** Browser login with the agent's cookies; the sandbox approves at once. Resolves the new connection id. */
async function logIn(agent: ReturnType<typeof request.agent>): Promise<string> {
  const before = new Set(sandbox.connections().map((c) => c.connectionId))
  const start = await agent.get('/auth/lexoffice')
  expect(start.status).toBe(302)
  const authorize = await fetch(start.headers.location as string, { redirect: 'manual' })
  expect(authorize.status).toBe(302)
  const back = new URL(authorize.headers.get('location')!)
  const callback = await agent.get(back.pathname + back.search)
  expect(callback.status).toBe(302)
  expect(callback.headers.location).toBe('/home')
  const created = sandbox.connections().filter((c) => !before.has(c.connectionId))
  expect(created).toHaveLength(1)
  return created[0]!.connectionId
}

it('login -> webhooks -> revoke -> token.revoked -> auth lost -> login again -> webhooks again', async () => {
  const agent = request.agent(server)
  const authLost: Array<{ key: string; reason: string }> = []
  manager.on('authLost', (e) => authLost.push(e))

  // 1. Login; autoSubscribe registers both webhooks for this connection.
  const first = await logIn(agent)
  await auto.idle()
  expect(
    sandbox.api
      .subscriptions(first)
      .map((s) => [s.eventType, s.callbackUrl])
      .sort(),
  ).toEqual([
    ['contact.changed', `${appUrl}/webhooks/lexoffice`],
    ['token.revoked', `${appUrl}/webhooks/lexoffice`],
  ])
  expect((await agent.get('/api/contacts').set('accept', 'application/json')).status).toBe(200)

  // 2. A contact change at lexoffice reaches onEvent, signature verified by lexofficeWebhooks.
  const changed1 = events.next((e) => e.eventType === 'contact.changed')
  const touched = await agent.post('/api/contacts/touch')
  expect(touched.status).toBe(200)
  await sandbox.webhooksIdle()
  expect(await changed1).toMatchObject({
    eventType: 'contact.changed',
    resourceId: touched.body.id,
    organizationId: sandbox.organization.organizationId,
  })

  // 3. The user revokes the app at lexoffice: token.revoked arrives, the connection is marked lost.
  const revoked = events.next((e) => e.eventType === 'token.revoked')
  const lost = once(manager, 'authLost')
  expect(sandbox.revokeConnection(first, 'user_disconnected')).toBe(true)
  expect(sandbox.api.subscriptions(first)).toEqual([]) // lexoffice drops the connection's subscriptions
  await sandbox.webhooksIdle()
  expect(await revoked).toMatchObject({ eventType: 'token.revoked', resourceId: first })
  expect(await lost).toEqual([{ key: first, reason: 'token.revoked' }])
  expect(authLost).toEqual([{ key: first, reason: 'token.revoked' }])
  expect(await manager.tokenInfo(first)).toMatchObject({ state: 'lost', reason: 'token.revoked' })
  const record = await store.get(first)
  expect(record).toMatchObject({ state: 'lost' })
  expect(record!.tokens).toBeUndefined() // tombstone: no tokens kept

  // 4. The user's next requests: 401 JSON for API calls, a login redirect for pages.
  const api = await agent.get('/api/contacts').set('accept', 'application/json')
  expect(api.status).toBe(401)
  expect(api.body).toEqual({ error: 'lexoffice_auth_lost', reason: 'token.revoked' })
  const page = await agent.get('/api/contacts').set('accept', 'text/html')
  expect(page.status).toBe(302)
  expect(page.headers.location).toBe('/auth/lexoffice?returnTo=%2Fapi%2Fcontacts')

  // 5. Login again: a new connection, and its subscriptions are back.
  const second = await logIn(agent)
  expect(second).not.toBe(first)
  await auto.idle()
  const listed = await createLexofficeClient(manager.providerFor(second), {
    apiURL: sandbox.url,
    rateLimit: false,
  }).eventSubscriptions.list()
  expect(listed.map((s) => [s.eventType, s.callbackUrl]).sort()).toEqual([
    ['contact.changed', `${appUrl}/webhooks/lexoffice`],
    ['token.revoked', `${appUrl}/webhooks/lexoffice`],
  ])
  expect((await agent.get('/api/contacts').set('accept', 'application/json')).status).toBe(200)

  // 6. Events flow again, to the new connection's subscription only.
  sandbox.resetWebhookLog()
  const changed2 = events.next((e) => e.eventType === 'contact.changed')
  const touchedAgain = await agent.post('/api/contacts/touch')
  await sandbox.webhooksIdle()
  expect(await changed2).toMatchObject({ resourceId: touchedAgain.body.id })
  const contactSub = sandbox.api.subscriptions(second).find((s) => s.eventType === 'contact.changed')!
  expect(sandbox.webhookDeliveries.map((d) => [d.subscriptionId, d.eventType, d.status, d.outcome])).toEqual([
    [contactSub.subscriptionId, 'contact.changed', 204, 'delivered'],
  ])
  expect(webhookErrors).toEqual([])
})

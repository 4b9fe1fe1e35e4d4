/**
 * The whole webhook lifecycle of an app built on createLexoffice, against the sandbox, with real
 * servers on 127.0.0.1:0: login (lexoffice.routes(): the strategy stores the connection) ->
 * autoSubscribe registers contact.changed and token.revoked -> a contact change arrives signed and
 * verified at lexoffice.webhooks() -> the user revokes the app at lexoffice -> token.revoked
 * arrives -> lexoffice.webhooks() marks the stored connection lost (tombstone, authLost) before the
 * app's onTokenRevoked runs -> the user's next request gets 401 JSON / the reconnect redirect from
 * lexoffice.required() -> the user logs in again -> the subscriptions are back for the new
 * connection -> events flow again. No sleeps: sandbox.webhooksIdle(), autoSubscribe's idle() and
 * event promises.
 */
import { once } from 'node:events'
import type { NextFunction, Request, Response } from 'express'
import { createLexofficeClient } from '../../lib/client/createLexofficeClient'
import { createSandbox } from '../../lib/sandbox/createSandbox'
import type { Sandbox } from '../../lib/sandbox/Sandbox'
import type { LexofficeUser } from '../../lib/strategy/LexofficeConnection'
import type { ConnectionStatus } from '../../lib/tokens/TokenManager'
import { autoSubscribe, type AutoSubscription } from '../../lib/webhooks/autoSubscribe'
import type { LexofficeEvent } from '../../lib/webhooks/events'
import { type Agent, type TestApp, logIn, mountSessionView, sessionOf, startTestApp } from '../helpers/lexofficeApp'

/** Collects items and resolves waiters as matching ones arrive. */
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
let t: TestApp
let auto: AutoSubscription
const events = new Inbox<LexofficeEvent>()
/** What the stored connection looked like when the app's own onTokenRevoked ran. */
const revocations: Array<{ connectionId: string; stored: ConnectionStatus | undefined }> = []
const webhookErrors: unknown[] = []

beforeAll(async () => {
  sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: false }, webhooks: { retryDelaysMs: [20, 40] } })
  t = await startTestApp({
    sandbox,
    lexoffice: { scope: ['profile.read', 'contacts.read', 'contacts.write'] },
    setup(app, lexoffice, passport) {
      // The webhook endpoint reads the raw body itself: mounted before any body parser.
      app.use(
        '/webhooks/lexoffice',
        lexoffice.webhooks({
          publicKey: sandbox.webhookPublicKey,
          onTokenRevoked: async ({ connectionId, organizationId }) => {
            const stored = await lexoffice.manager.tokenInfo(`user:${organizationId}:${sandbox.user.userId}`)
            revocations.push({ connectionId, stored })
          },
          onEvent: (event) => {
            events.push(event)
          },
          onError: (err) => void webhookErrors.push(err),
        }),
      )
      app.use(lexoffice.routes({ passport }))
      mountSessionView(app, lexoffice)
      app.get('/api/contacts', lexoffice.required(), async (req: Request, res: Response, next: NextFunction) => {
        try {
          const r = await req.lexoffice.fetch('/v1/contacts?page=0&size=1')
          res.status(r.status).json(await r.json())
        } catch (err) {
          next(err)
        }
      })
      app.post('/api/contacts/touch', lexoffice.required(), async (req: Request, res: Response, next: NextFunction) => {
        try {
          const client = createLexofficeClient(req.lexoffice.provider, { apiURL: sandbox.url, rateLimit: false })
          const [first] = (await client.contacts.list({ page: 0, size: 1 })).content
          const contact = await client.contacts.get(first.id!)
          await client.contacts.update(first.id!, { ...contact, note: `touched ${Date.now()}` })
          res.json({ id: first.id })
        } catch (err) {
          next(err)
        }
      })
    },
  })
  auto = autoSubscribe({
    manager: t.lexoffice.manager,
    subscriptions: [
      { eventType: 'contact.changed', callbackUrl: `${t.origin}/webhooks/lexoffice` },
      { eventType: 'token.revoked', callbackUrl: `${t.origin}/webhooks/lexoffice` },
    ],
    createClient: (provider) => createLexofficeClient(provider, { apiURL: sandbox.url, rateLimit: false }),
  })
})

afterAll(async () => {
  auto()
  await auto.idle()
  await t.close()
  await sandbox.close()
})

/** Browser login with the agent's cookies; the sandbox approves at once. Resolves the new connection id. */
async function login(agent: Agent): Promise<string> {
  const before = new Set(sandbox.connections().map((c) => c.connectionId))
  const callback = await logIn(agent, '/auth/lexoffice?returnTo=/home')
  expect(callback.status).toBe(302)
  expect(callback.headers.location).toBe('/home')
  const created = sandbox.connections().filter((c) => !before.has(c.connectionId))
  expect(created).toHaveLength(1)
  return created[0].connectionId
}

function subscriptionsOf(connectionId: string): string[][] {
  return sandbox.api
    .subscriptions(connectionId)
    .map((s) => [s.eventType, s.callbackUrl])
    .sort()
}

it('login -> webhooks -> revoke -> token.revoked -> auth lost -> login again -> webhooks again', async () => {
  const agent = t.agent()
  const manager = t.lexoffice.manager
  const authLost: Array<{ key: string; reason: string }> = []
  manager.on('authLost', (e) => authLost.push(e))
  const endpoint = `${t.origin}/webhooks/lexoffice`

  // 1. Login; autoSubscribe registers both webhooks for this connection.
  const first = await login(agent)
  const { user } = await sessionOf(agent)
  const key = (user as unknown as LexofficeUser).connectionKey
  expect(key).toBe(`user:${sandbox.organization.organizationId}:${sandbox.user.userId}`)
  await auto.idle()
  expect(subscriptionsOf(first)).toEqual([
    ['contact.changed', endpoint],
    ['token.revoked', endpoint],
  ])
  expect((await agent.get('/api/contacts').set('accept', 'application/json')).status).toBe(200)

  // 2. A contact change at lexoffice reaches onEvent, signature verified by lexoffice.webhooks().
  const changed1 = events.next((e) => e.eventType === 'contact.changed')
  const touched = await agent.post('/api/contacts/touch')
  expect(touched.status).toBe(200)
  await sandbox.webhooksIdle()
  expect(await changed1).toMatchObject({
    eventType: 'contact.changed',
    resourceId: (touched.body as { id: string }).id,
    organizationId: sandbox.organization.organizationId,
  })

  // 3. The user revokes the app at lexoffice: token.revoked arrives, the stored connection is marked
  //    lost by the package before the app's onTokenRevoked runs.
  const revoked = events.next((e) => e.eventType === 'token.revoked')
  const lost = once(manager, 'authLost')
  expect(sandbox.revokeConnection(first, 'user_disconnected')).toBe(true)
  expect(sandbox.api.subscriptions(first)).toEqual([]) // lexoffice drops the connection's subscriptions
  await sandbox.webhooksIdle()
  expect(await revoked).toMatchObject({ eventType: 'token.revoked', resourceId: first })
  expect(await lost).toEqual([{ key, reason: 'token.revoked' }])
  expect(authLost).toEqual([{ key, reason: 'token.revoked' }])
  expect(revocations).toEqual([
    { connectionId: first, stored: expect.objectContaining({ state: 'lost', reason: 'token.revoked' }) as unknown },
  ])
  expect(await manager.tokenInfo(key)).toMatchObject({ state: 'lost', reason: 'token.revoked' })
  const record = await manager.store.get(key)
  expect(record).toMatchObject({ state: 'lost' })
  expect(record!.tokens).toBeUndefined() // tombstone: no tokens kept

  // 4. The user's next requests: 401 JSON for API calls, the reconnect page for browsers.
  const api = await agent.get('/api/contacts').set('accept', 'application/json')
  expect(api.status).toBe(401)
  expect(api.body).toEqual({
    error: 'lexoffice_auth_lost',
    code: 'AUTH_LOST',
    message: expect.any(String) as unknown,
    reason: 'token.revoked',
  })
  const page = await agent.get('/api/contacts').set('accept', 'text/html')
  expect(page.status).toBe(302)
  expect(page.headers.location).toBe('/auth/lexoffice?reason=token.revoked&returnTo=%2Fapi%2Fcontacts')

  // 5. Login again: a new connection under the same key, and its subscriptions are back.
  const second = await login(agent)
  expect(second).not.toBe(first)
  expect(await manager.tokenInfo(key)).toMatchObject({ state: 'active', connectionId: second })
  await auto.idle()
  const listed = await createLexofficeClient(manager.providerFor(key), { apiURL: sandbox.url, rateLimit: false }).eventSubscriptions.list()
  expect(listed.map((s) => [s.eventType, s.callbackUrl]).sort()).toEqual([
    ['contact.changed', endpoint],
    ['token.revoked', endpoint],
  ])
  expect((await agent.get('/api/contacts').set('accept', 'application/json')).status).toBe(200)

  // 6. Events flow again, to the new connection's subscription only.
  sandbox.resetWebhookLog()
  const changed2 = events.next((e) => e.eventType === 'contact.changed')
  const touchedAgain = await agent.post('/api/contacts/touch')
  await sandbox.webhooksIdle()
  expect(await changed2).toMatchObject({ resourceId: (touchedAgain.body as { id: string }).id })
  const contactSub = sandbox.api.subscriptions(second).find((s) => s.eventType === 'contact.changed')!
  expect(sandbox.webhookDeliveries.map((d) => [d.subscriptionId, d.eventType, d.status, d.outcome])).toEqual([
    [contactSub.subscriptionId, 'contact.changed', 204, 'delivered'],
  ])
  expect(webhookErrors).toEqual([])
})

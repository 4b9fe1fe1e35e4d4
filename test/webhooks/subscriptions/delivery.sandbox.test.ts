/**
 * The sandbox delivers signed webhooks to event subscriptions (docs/lexoffice.md §6): signature over
 * the exact bytes with the sandbox's own key, lexoffice's status rules (200/201/202/204 success;
 * 401/403/404/429/5xx/timeout/network retried; 404 deletes after the retries; 410 deletes at once;
 * other 4xx not retried), token.revoked on every kind of revocation, and close() with pending
 * retries. Real servers on 127.0.0.1:0; waiting is done with sandbox.webhooksIdle() and receiver
 * counters, never with sleeps.
 */
import { createPrivateKey } from 'node:crypto'
import { OTHER_PRIVATE_KEY } from '../fixtures/testKeys'
import { createSandbox } from '../../../lib/sandbox/createSandbox'
import type { Sandbox } from '../../../lib/sandbox/Sandbox'
import type { SandboxWebhookOptions } from '../../../lib/sandbox/webhooks/options'
import { LEXOFFICE_WEBHOOK_RETRY_DELAYS_MS } from '../../../lib/sandbox/webhooks/options'
import { parseLexofficeEvent } from '../../../lib/webhooks/parseLexofficeEvent'
import { verifyLexofficeSignature } from '../../../lib/webhooks/verifyLexofficeSignature'
import { oauthClientFor, until } from '../../helpers/connect'
import { type Answer, type Receiver, changeAContact, sandboxUser, startReceiver, subscribe } from './helpers'

// The tests' second fixed key: RSA generation is slow on a busy machine. The default (own key,
// generated in-process) is tested once below.
const privateKey = createPrivateKey(OTHER_PRIVATE_KEY)

let sb: Sandbox
let receiver: Receiver

async function setup(script: (i: number) => Answer, webhooks: SandboxWebhookOptions = {}): Promise<void> {
  sb = await createSandbox({ autoApprove: true, api: { rateLimit: false }, webhooks: { retryDelaysMs: [5, 10], privateKey, ...webhooks } })
  receiver = await startReceiver(script)
}

afterEach(async () => {
  /* eslint-disable @typescript-eslint/no-unnecessary-condition -- unset when a test failed before setup() */
  await sb?.close()
  await receiver?.close()
  /* eslint-enable @typescript-eslint/no-unnecessary-condition */
})

const outcomes = (): string[] => sb.webhookDeliveries.map((d) => `${d.attempt}:${d.status ?? d.error}:${d.outcome}`)

describe('payload and signature', () => {
  it('POSTs compact JSON {organizationId,eventType,resourceId,eventDate} signed over the exact bytes with the sandbox key', async () => {
    await setup(() => 204)
    const user = await sandboxUser(sb)
    const subscriptionId = await subscribe(user, 'contact.changed', `${receiver.url}/hooks?tenant=a1`)
    await subscribe(user, 'contact.created', `${receiver.url}/other`) // another type: not delivered
    const contactId = await changeAContact(user)
    await sb.webhooksIdle()

    expect(receiver.received).toHaveLength(1)
    const [got] = receiver.received
    expect(got.method).toBe('POST')
    expect(got.path).toBe('/hooks?tenant=a1')
    expect(got.headers['content-type']).toBe('application/json')
    const text = got.raw.toString('utf8')
    expect(text).not.toMatch(/\s/)
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['organizationId', 'eventType', 'resourceId', 'eventDate'])
    expect(parseLexofficeEvent(got.raw)).toMatchObject({
      organizationId: user.organizationId,
      eventType: 'contact.changed',
      resourceId: contactId,
    })

    const signature = got.headers['x-lxo-signature'] as string
    expect(verifyLexofficeSignature(got.raw, signature, sb.webhookPublicKey)).toBe(true)
    expect(verifyLexofficeSignature(Buffer.from(JSON.stringify(JSON.parse(text), null, 1)), signature, sb.webhookPublicKey)).toBe(false)
    expect(verifyLexofficeSignature(got.raw, signature)).toBe(false) // lexoffice's real key does not verify sandbox webhooks

    expect(sb.webhookDeliveries).toEqual([
      expect.objectContaining({
        subscriptionId,
        eventType: 'contact.changed',
        resourceId: contactId,
        callbackUrl: `${receiver.url}/hooks`, // query string left out of the log
        attempt: 1,
        status: 204,
        outcome: 'delivered',
      }),
    ])
    const log = JSON.stringify(sb.webhookDeliveries)
    for (const secret of [signature, user.accessToken, user.refreshToken, 'tenant=a1']) expect(log).not.toContain(secret)
  })

  it('without the privateKey option, the sandbox generates its own key pair; webhookPublicKey is a PEM that verifies', async () => {
    sb = await createSandbox({ autoApprove: true, api: { rateLimit: false }, webhooks: { retryDelaysMs: [] } })
    receiver = await startReceiver(() => 200)
    const user = await sandboxUser(sb)
    await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(sb.webhookPublicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/)
    const [got] = receiver.received
    expect(verifyLexofficeSignature(got.raw, got.headers['x-lxo-signature'] as string, sb.webhookPublicKey)).toBe(true)
    const other = await createSandbox({ webhooks: { privateKey } })
    try {
      expect(verifyLexofficeSignature(got.raw, got.headers['x-lxo-signature'] as string, other.webhookPublicKey)).toBe(false)
    } finally {
      await other.close()
    }
  })

  it('every subscription of the organisation and type gets the event, across connections', async () => {
    await setup(() => 202)
    const a = await sandboxUser(sb)
    const b = await sandboxUser(sb)
    await subscribe(a, 'contact.changed', `${receiver.url}/a`)
    await subscribe(b, 'contact.changed', `${receiver.url}/b`)
    await changeAContact(a)
    await sb.webhooksIdle()
    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/a', '/b'])
    expect(outcomes()).toEqual(['1:202:delivered', '1:202:delivered'])
  })
})

describe('status rules and retries', () => {
  it('503 and 429 are retried on the schedule, then 204 succeeds; the same bytes each time', async () => {
    const answers = [503, 429, 204]
    await setup((i) => answers[i] ?? 500)
    const user = await sandboxUser(sb)
    await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(outcomes()).toEqual(['1:503:retry', '2:429:retry', '3:204:delivered'])
    expect(sb.webhookDeliveries.map((d) => d.nextAttemptInMs)).toEqual([5, 10, undefined])
    expect(new Set(sb.webhookDeliveries.map((d) => d.deliveryId)).size).toBe(1)
    expect(new Set(receiver.received.map((r) => r.raw.toString())).size).toBe(1)
  })

  it('401/403/5xx until the schedule is used up: gave_up, the subscription stays', async () => {
    const answers = [401, 403, 500]
    await setup((i) => answers[i])
    const user = await sandboxUser(sb)
    const id = await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(outcomes()).toEqual(['1:401:retry', '2:403:retry', '3:500:gave_up'])
    expect(sb.api.subscriptions().map((s) => s.subscriptionId)).toContain(id)
  })

  it('410 removes the subscription at once, without a retry', async () => {
    await setup(() => 410)
    const user = await sandboxUser(sb)
    const id = await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(outcomes()).toEqual(['1:410:subscription_removed'])
    expect(sb.api.subscriptions().map((s) => s.subscriptionId)).not.toContain(id)
    expect((await user.api('GET', `/v1/event-subscriptions/${id}`)).status).toBe(404)
  })

  it('404 is retried and deletes the subscription after the retries', async () => {
    await setup(() => 404)
    const user = await sandboxUser(sb)
    const id = await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(outcomes()).toEqual(['1:404:retry', '2:404:retry', '3:404:subscription_deleted'])
    expect(sb.api.subscriptions().map((s) => s.subscriptionId)).not.toContain(id)
  })

  it('other 4xx and unexpected 2xx are not retried; the subscription stays', async () => {
    const answers = [400, 206]
    await setup((i) => answers[i])
    const user = await sandboxUser(sb)
    await subscribe(user, 'contact.changed', `${receiver.url}/one`)
    await changeAContact(user)
    await sb.webhooksIdle()
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(outcomes()).toEqual(['1:400:failed', '1:206:failed'])
    expect(sb.api.subscriptions()).toHaveLength(1)
  })

  it('a slow receiver times out (timeoutMs) and is retried', async () => {
    await setup((i) => (i === 0 ? 'hang' : 204), { timeoutMs: 150 })
    const user = await sandboxUser(sb)
    await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(outcomes()).toEqual(['1:timeout:retry', '2:204:delivered'])
    expect(receiver.received).toHaveLength(2)
  })

  it('the API answers without waiting for the delivery', async () => {
    // The receiver never answers and the sandbox would wait 60 s: an API answer that waited for
    // the delivery could not arrive before the test's own timeout.
    await setup(() => 'hang', { timeoutMs: 60_000, retryDelaysMs: [] })
    const user = await sandboxUser(sb)
    await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await receiver.count(1) // the delivery is on its way, and still unanswered
    expect(outcomes()).toEqual([])
    await receiver.close() // ends the hanging delivery (a network error), so the sandbox goes idle
    await sb.webhooksIdle()
    expect(outcomes()).toHaveLength(1)
    expect(outcomes()[0]).not.toContain('delivered')
  })

  it('a refused connection is retried like a 5xx', async () => {
    await setup(() => 204)
    const user = await sandboxUser(sb)
    const closed = await startReceiver()
    const deadUrl = `${closed.url}/hooks`
    await closed.close()
    await subscribe(user, 'contact.changed', deadUrl)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(outcomes()).toEqual(['1:network_error:retry', '2:network_error:retry', '3:network_error:gave_up'])
  })

  it('redirects are followed (at most 3), POSTing the same signed body', async () => {
    await setup((i) => (i < 2 ? { status: 307, headers: { location: `/hop${i + 1}` } } : 204))
    const user = await sandboxUser(sb)
    await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(receiver.received.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /hooks', 'POST /hop1', 'POST /hop2'])
    expect(outcomes()).toEqual(['1:204:delivered'])
    expect(
      verifyLexofficeSignature(receiver.received[2].raw, receiver.received[2].headers['x-lxo-signature'] as string, sb.webhookPublicKey),
    ).toBe(true)
  })

  it('more than 3 redirects: failed, not retried', async () => {
    await setup(() => ({ status: 302, headers: { location: '/loop' } }))
    const user = await sandboxUser(sb)
    await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(receiver.received).toHaveLength(4) // the request and 3 redirects
    expect(outcomes()).toEqual(['1:too_many_redirects:failed'])
  })

  it('a retry for a subscription deleted meanwhile is cancelled, nothing more is sent', async () => {
    let id = ''
    // The receiver deletes the subscription while answering the first attempt with 503.
    await setup((i) => {
      if (i === 0) sb.api.store.deleteSubscription(id)
      return 503
    })
    const user = await sandboxUser(sb)
    id = await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(outcomes()).toEqual(['1:503:retry', '2:undefined:cancelled'])
    expect(receiver.received).toHaveLength(1)
  })

  it('enabled: false delivers nothing', async () => {
    await setup(() => 204, { enabled: false })
    const user = await sandboxUser(sb)
    await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(receiver.received).toHaveLength(0)
    expect(sb.webhookDeliveries).toEqual([])
  })
})

describe('token.revoked', () => {
  it('sandbox.revokeConnection: the captured token.revoked subscriptions get resourceId = connectionId, then are gone', async () => {
    await setup(() => 204)
    const user = await sandboxUser(sb)
    const other = await sandboxUser(sb) // same client, same organisation, still connected
    const revokedSub = await subscribe(user, 'token.revoked', `${receiver.url}/mine`)
    await subscribe(user, 'contact.changed', `${receiver.url}/mine`)
    const otherSub = await subscribe(other, 'token.revoked', `${receiver.url}/other`)
    expect(sb.revokeConnection(user.connectionId, 'user_disconnected')).toBe(true)
    expect(sb.api.subscriptions(user.connectionId)).toEqual([])
    await sb.webhooksIdle()

    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/mine', '/other'])
    for (const r of receiver.received) {
      expect(verifyLexofficeSignature(r.raw, r.headers['x-lxo-signature'] as string, sb.webhookPublicKey)).toBe(true)
      expect(parseLexofficeEvent(r.raw)).toMatchObject({
        eventType: 'token.revoked',
        resourceId: user.connectionId,
        organizationId: user.organizationId,
      })
    }
    expect(sb.webhookDeliveries.map((d) => d.subscriptionId).sort()).toEqual([revokedSub, otherSub].sort())
    expect(sb.api.subscriptions(other.connectionId)).toHaveLength(1)
  })

  it('POST /oauth2/revoke and refresh-token reuse send token.revoked too', async () => {
    await setup(() => 204)
    const a = await sandboxUser(sb)
    await subscribe(a, 'token.revoked', `${receiver.url}/a`)
    await oauthClientFor(sb).revoke(a.refreshToken, 'refresh_token')
    await sb.webhooksIdle()
    expect(receiver.received).toHaveLength(1)

    const b = await sandboxUser(sb)
    await subscribe(b, 'token.revoked', `${receiver.url}/b`)
    const oauth = oauthClientFor(sb)
    await oauth.refresh(b.refreshToken)
    await expect(oauth.refresh(b.refreshToken)).rejects.toMatchObject({ code: 'INVALID_GRANT' }) // reuse revokes the connection
    await sb.webhooksIdle()
    expect(receiver.received.map((r) => [r.path, (JSON.parse(r.raw.toString()) as { resourceId: string }).resourceId])).toEqual([
      ['/a', a.connectionId],
      ['/b', b.connectionId],
    ])
    expect(sb.connections().map((c) => c.revokedReason)).toEqual(['revoked_by_client', 'refresh_token_reuse'])
  })

  it('a token.revoked delivery to a removed subscription is still retried; 410 then has nothing left to delete', async () => {
    await setup((i) => (i === 0 ? 500 : 410))
    const user = await sandboxUser(sb)
    await subscribe(user, 'token.revoked', `${receiver.url}/hooks`)
    sb.revokeConnection(user.connectionId)
    await sb.webhooksIdle()
    expect(outcomes()).toEqual(['1:500:retry', '2:410:subscription_removed'])
  })
})

describe('close() and idle', () => {
  it('close() with a pending lexoffice-length retry finishes promptly; idle() resolves; nothing is sent afterwards', async () => {
    sb = await createSandbox({ autoApprove: true, api: { rateLimit: false }, webhooks: { privateKey } }) // lexoffice's real schedule
    receiver = await startReceiver(() => 503)
    const user = await sandboxUser(sb)
    await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await until(() => sb.webhookDeliveries.length === 1, 10_000, 'first attempt')
    expect(sb.webhookDeliveries[0]).toMatchObject({ outcome: 'retry', nextAttemptInMs: LEXOFFICE_WEBHOOK_RETRY_DELAYS_MS[0] })
    const idle = sb.webhooksIdle()
    const started = Date.now()
    await sb.close()
    await idle
    // The failure is waiting for the 10 s retry; half of it leaves a stalled machine room.
    expect(Date.now() - started).toBeLessThan(LEXOFFICE_WEBHOOK_RETRY_DELAYS_MS[0] / 2)
    expect(receiver.received).toHaveLength(1)
  })

  it('close() aborts a request in flight', async () => {
    await setup(() => 'hang', { timeoutMs: 60_000 })
    const user = await sandboxUser(sb)
    await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await receiver.count(1)
    const started = Date.now()
    await sb.close()
    await sb.webhooksIdle()
    // The failure is waiting for the 60 s timeout; a stalled machine's second or two is not.
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it('the schedule option: lexoffice default, retryScale, validation', async () => {
    expect(LEXOFFICE_WEBHOOK_RETRY_DELAYS_MS.slice(0, 6)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 1_800_000])
    expect(LEXOFFICE_WEBHOOK_RETRY_DELAYS_MS).toHaveLength(25)
    expect(LEXOFFICE_WEBHOOK_RETRY_DELAYS_MS.slice(6).every((d) => d === 7_200_000)).toBe(true)
    await expect(createSandbox({ webhooks: { retryDelaysMs: [-1] } })).rejects.toThrow(TypeError)
    await expect(createSandbox({ webhooks: { timeoutMs: 0 } })).rejects.toThrow(/timeoutMs/)
    await expect(createSandbox({ webhooks: { privateKey: 'not a key' } })).rejects.toThrow(/privateKey/)
    await expect(createSandbox({ webhooks: { nope: 1 } as never })).rejects.toThrow(/webhooks\.nope/)
    // retryScale: lexoffice's schedule 1000x faster
    await setup((i) => (i < 1 ? 503 : 204), { retryDelaysMs: undefined as never, retryScale: 0.001 })
    const user = await sandboxUser(sb)
    await subscribe(user, 'contact.changed', `${receiver.url}/hooks`)
    await changeAContact(user)
    await sb.webhooksIdle()
    expect(sb.webhookDeliveries.map((d) => d.nextAttemptInMs)).toEqual([10, undefined])
  })
})

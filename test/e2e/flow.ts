/**
 * The example app's stories in a browser, shared by the single-instance and the two-instance
 * tests. Sign in with lexoffice: consent, profile, contacts, token expiry and refresh, invoice
 * PDF, revocation at lexoffice, reconnect, disconnect. Connect lexoffice (the app's own login):
 * two organisations for one user, switching between them, revoking and disconnecting one, and
 * another user who sees none of them. Each step leaves a screenshot.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Page } from 'playwright-core'
import type { Sandbox } from '../../lib/sandbox'
import { connectViaSandbox } from '../helpers/connect'
import { WEBHOOK_EVENT_TYPES } from '../../example-app/src/startExample'
import {
  connectAndAllow,
  connectOrganization,
  connectionCard,
  contactRows,
  demoLogin,
  expiryShown,
  refreshCountShown,
  text,
} from './helpers'

export interface FlowOptions {
  page: Page
  /** The URL the browser uses (the instance, or the proxy in front of several). */
  baseURL: string
  sandbox: Sandbox
  artifactsDir: string
  shot: (name: string) => Promise<void>
  /** Resolves when every instance's autoSubscribe run is over. */
  subscriptionsIdle: () => Promise<void>
}

/** Runs a flow; on a failure, a screenshot of the page as it was (`NN-FAILED.png`) comes first. */
export async function withFailureShot(options: FlowOptions, flow: (options: FlowOptions) => Promise<void>): Promise<void> {
  try {
    await flow(options)
  } catch (err) {
    await options.shot('FAILED').catch(() => undefined)
    throw err
  }
}

/** Sign in with lexoffice, from the first click to the disconnect. */
export async function signInFlow({ page, baseURL, sandbox, artifactsDir, shot, subscriptionsIdle }: FlowOptions): Promise<void> {
  const webhookURL = `${baseURL}/webhooks/lexoffice`
  // 1. Sign in: home → consent page → Allow → home, signed in with the sandbox's user and company.
  await page.goto(`${baseURL}/`)
  await page.getByTestId('connect').waitFor()
  await shot('home-signed-out')
  await connectAndAllow(page, baseURL, sandbox, 'connect', shot)
  expect(await text(page, 'user-name')).toContain(sandbox.user.userName)
  expect(await text(page, 'company')).toBe(sandbox.organization.companyName)
  expect(await text(page, 'state-badge')).toBe('active')
  expect(sandbox.connections().filter((c) => c.state === 'active')).toHaveLength(1)
  const firstConnection = sandbox.connections().find((c) => c.state === 'active')!.connectionId
  await shot('home-signed-in')

  // 1b. The app subscribed to its webhooks after the connect; the events page lists them.
  await subscriptionsIdle()
  await expectSubscriptions(page, baseURL, sandbox, firstConnection, webhookURL)
  await shot('events-subscriptions')

  // 2. Contacts, two pages (numbered from 1, as people count).
  expect(await contactRows(page, baseURL)).toBeGreaterThan(0)
  const firstPage = await page.locator('[data-testid=contacts] tbody').innerText()
  expect(await text(page, 'page-info')).toMatch(/^Page 1 of \d+$/)
  await shot('contacts')
  await page.getByTestId('next-page').click()
  await page.waitForURL(`${baseURL}/contacts?page=2`)
  expect(await page.locator('[data-testid=contacts] tbody').innerText()).not.toBe(firstPage)
  expect(await text(page, 'page-info')).toMatch(/^Page 2 of \d+$/)

  // 3. The access token expires at lexoffice (the app's sandbox button). The page after the
  //    button already shows what the app did: one refresh, a new expiry (not the dead token's).
  await page.goto(`${baseURL}/`)
  const countBefore = await refreshCountShown(page)
  const expiryBefore = await expiryShown(page)
  const refreshCallsBefore = sandbox.tokenCalls('refresh_token')
  await page.getByTestId('sandbox-expire').click()
  await page.waitForURL(`${baseURL}/`)
  expect(await text(page, 'flash')).toContain('refreshed the token once')
  expect(sandbox.tokenCalls('refresh_token')).toBeGreaterThan(refreshCallsBefore)
  expect(await refreshCountShown(page)).toBeGreaterThan(countBefore)
  expect(await expiryShown(page)).toBeGreaterThan(expiryBefore)
  expect(await text(page, 'last-refresh')).not.toBe('not yet')
  await shot('access-token-expired-and-refreshed')
  expect(await contactRows(page, baseURL)).toBeGreaterThan(0)

  // 4. An invoice PDF downloads and is a PDF.
  await page.goto(`${baseURL}/invoices`)
  await page.getByTestId('invoices').waitFor()
  await shot('invoices')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pdf').first().click()])
  const saved = path.join(artifactsDir, 'invoice.pdf')
  await download.saveAs(saved)
  expect((await readFile(saved)).subarray(0, 5).toString('latin1')).toBe('%PDF-')

  // 5. The user revokes the connection in lexoffice (the sandbox button). lexoffice's signed
  //    token.revoked webhook reaches the app, which marks the connection lost: the very page
  //    after the button says so, without any API call, and so does the next page that needs lexoffice.
  await page.goto(`${baseURL}/`)
  const apiCallsBefore = sandbox.requests.filter((r) => r.path.startsWith('/v1/') || r.path === '/oauth2/token').length
  await page.getByTestId('sandbox-revoke').click()
  await page.waitForURL(`${baseURL}/`)
  expect(await text(page, 'state-badge')).toBe('lost')
  expect(await text(page, 'connection-lost')).toContain('lexoffice connection lost - reconnect')
  expect(await text(page, 'connection-lost')).toContain('token.revoked')
  expect(sandbox.connections().find((c) => c.connectionId === firstConnection)?.state).toBe('revoked')
  expect(sandbox.webhookDeliveries.filter((d) => d.eventType === 'token.revoked').map((d) => d.outcome)).toEqual(['delivered'])
  expect(sandbox.api.subscriptions(firstConnection)).toEqual([])
  await shot('home-connection-lost')
  await page.goto(`${baseURL}/contacts`)
  await page.getByText('lexoffice connection lost - reconnect').first().waitFor()
  expect(new URL(page.url()).pathname).toBe('/auth/lexoffice')
  await shot('connection-lost')
  // The lost state came from the webhook: no API call and no refresh attempt was needed.
  expect(sandbox.requests.filter((r) => r.path.startsWith('/v1/') || r.path === '/oauth2/token').length).toBe(apiCallsBefore)
  await page.goto(`${baseURL}/events`)
  await page.getByTestId('subscriptions-unavailable').waitFor()
  expect(await page.getByTestId('events').innerText()).toContain('token.revoked')
  expect(await page.getByTestId('events').innerText()).toContain(firstConnection)
  await shot('events-token-revoked')

  // 6. Reconnect: a new connection, data again, the subscriptions back.
  await page.goto(`${baseURL}/`)
  await connectAndAllow(page, baseURL, sandbox, 'reconnect', shot)
  expect(await page.getByTestId('connection-lost').count()).toBe(0)
  await page.getByTestId('token-state').waitFor()
  const active = sandbox.connections().filter((c) => c.state === 'active')
  expect(active).toHaveLength(1)
  expect(active[0].connectionId).not.toBe(firstConnection)
  expect(await contactRows(page, baseURL)).toBeGreaterThan(0)
  await shot('contacts-after-reconnect')
  await subscriptionsIdle()
  await expectSubscriptions(page, baseURL, sandbox, active[0].connectionId, webhookURL)

  // 6b. Someone creates a contact in lexoffice (another connection with write access): the
  //     contact.created webhook reaches the app and the events page lists it.
  sandbox.setAutoApprove(true)
  const writer = await connectViaSandbox(sandbox, undefined, 'contacts.write')
  sandbox.setAutoApprove(false)
  const created = await fetch(`${sandbox.url}/v1/contacts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${writer.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ version: 0, roles: { customer: {} }, company: { name: 'Webhook Test GmbH' } }),
  })
  expect(created.status).toBe(200)
  const contactId = ((await created.json()) as { id: string }).id
  sandbox.revokeConnection(
    sandbox.connections().find((c) => c.state === 'active' && c.connectionId !== active[0].connectionId)!.connectionId,
  )
  await sandbox.webhooksIdle()
  await page.goto(`${baseURL}/events`)
  await page.getByTestId('events').getByText(contactId).waitFor()
  expect(await page.getByTestId('events').innerText()).toMatch(new RegExp(`contact\\.created\\s+${contactId}`))
  await shot('events-contact-created')

  // 7. Disconnect: the app revokes its tokens at lexoffice; the user stays signed in, without a
  //    connection. Then sign out.
  await page.goto(`${baseURL}/`)
  await page.getByTestId('disconnect').click()
  await page.waitForURL(`${baseURL}/?notice=disconnected`)
  expect(await text(page, 'flash')).toContain('disconnected')
  await page.getByTestId('connection-missing').waitFor()
  expect(sandbox.connections().find((c) => c.connectionId === active[0].connectionId)?.state).toBe('revoked')
  expect(sandbox.connections().filter((c) => c.state === 'active')).toHaveLength(0)
  await shot('disconnected')
  await page.getByTestId('logout').click()
  await page.waitForURL(`${baseURL}/`)
  await page.getByTestId('connect').waitFor()
  await shot('signed-out')
}

/** Connect lexoffice: a user of the app's own login connects two organisations and works with both. */
export async function connectFlow({ page, baseURL, sandbox, shot, subscriptionsIdle }: FlowOptions): Promise<void> {
  const [, nordlicht, beispiel] = sandbox.organizations()
  // 1. Alice signs in with the app's own login: no lexoffice connection yet.
  await demoLogin(page, baseURL, 'alice')
  await page.getByTestId('no-connections').waitFor()
  expect(await text(page, 'user-name')).toBe('Alice Example')
  await shot('connect-alice-signed-in')

  // 2. She connects two organisations, choosing each on lexoffice's consent page. req.user stays Alice.
  await connectOrganization(page, baseURL, sandbox, 1)
  await connectionCard(page, nordlicht.organizationId).waitFor()
  await connectOrganization(page, baseURL, sandbox, 2)
  await connectionCard(page, beispiel.organizationId).waitFor()
  expect(await text(page, 'user-name')).toBe('Alice Example')
  expect(await page.getByTestId('connection').count()).toBe(2)
  expect(
    new Set(
      sandbox
        .connections()
        .filter((c) => c.state === 'active')
        .map((c) => c.organizationId),
    ),
  ).toEqual(new Set([nordlicht.organizationId, beispiel.organizationId]))
  // The one connected last is the one the pages use.
  await connectionCard(page, beispiel.organizationId).getByTestId('in-use').waitFor()
  await shot('connect-two-organisations')
  await subscriptionsIdle()

  // 3. The pages show the organisation in use, and switch to the other one.
  expect(await contactRows(page, baseURL)).toBeGreaterThan(0)
  expect(await text(page, 'shown-organization')).toBe(beispiel.companyName)
  await page.getByTestId('switch-organization').click()
  await page.waitForURL(`${baseURL}/contacts`)
  expect(await text(page, 'shown-organization')).toBe(nordlicht.companyName)
  expect(await text(page, 'flash')).toContain(nordlicht.companyName)
  await shot('connect-switched')
  await page.goto(`${baseURL}/invoices`)
  expect(await text(page, 'shown-organization')).toBe(nordlicht.companyName)

  // 4. lexoffice revokes one of them: that one is lost at once, the other stays active.
  await page.goto(`${baseURL}/`)
  await connectionCard(page, nordlicht.organizationId).getByTestId('sandbox-revoke').click()
  await page.waitForURL(`${baseURL}/`)
  expect(await connectionCard(page, nordlicht.organizationId).getByTestId('state-badge').innerText()).toBe('lost')
  expect(await connectionCard(page, beispiel.organizationId).getByTestId('state-badge').innerText()).toBe('active')
  await shot('connect-one-revoked')
  // The pages fall back to the organisation that still works.
  expect(await contactRows(page, baseURL)).toBeGreaterThan(0)
  expect(await text(page, 'shown-organization')).toBe(beispiel.companyName)

  // 5. Another user of the app sees none of Alice's organisations.
  const bob = await page.context().browser()!.newContext()
  try {
    const bobPage = await bob.newPage()
    await demoLogin(bobPage, baseURL, 'bob')
    await bobPage.getByTestId('no-connections').waitFor()
    expect(await bobPage.getByTestId('connection').count()).toBe(0)
  } finally {
    await bob.close()
  }

  // 6. Alice disconnects the active one (revoked at lexoffice), then removes the lost one.
  await page.goto(`${baseURL}/`)
  const beispielConnection = sandbox.connections().find((c) => c.state === 'active' && c.organizationId === beispiel.organizationId)!
  await connectionCard(page, beispiel.organizationId).getByTestId('disconnect').click()
  await page.waitForURL(`${baseURL}/`)
  expect(sandbox.connections().find((c) => c.connectionId === beispielConnection.connectionId)?.state).toBe('revoked')
  expect(await connectionCard(page, beispiel.organizationId).count()).toBe(0)
  await connectionCard(page, nordlicht.organizationId).getByTestId('disconnect').click()
  await page.waitForURL(`${baseURL}/`)
  await page.getByTestId('no-connections').waitFor()
  await shot('connect-all-disconnected')
  await page.getByTestId('logout').click()
  await page.getByTestId('demo-login').waitFor()
}

/** The connection has exactly the app's webhooks at lexoffice, and the events page lists them. */
async function expectSubscriptions(page: Page, baseURL: string, sandbox: Sandbox, connectionId: string, webhookURL: string): Promise<void> {
  const atLexoffice = sandbox.api.subscriptions(connectionId)
  expect(atLexoffice.map((s) => s.eventType).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort())
  expect(new Set(atLexoffice.map((s) => s.callbackUrl))).toEqual(new Set([webhookURL]))
  await page.goto(`${baseURL}/events`)
  const listed = await page.getByTestId('subscriptions').innerText()
  for (const eventType of WEBHOOK_EVENT_TYPES) expect(listed).toContain(eventType)
  expect(listed).toContain(webhookURL)
}

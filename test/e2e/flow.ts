/**
 * The example app's whole story in a browser, shared by the single-instance and the
 * two-instance tests: connect, consent, profile, contacts, token expiry and refresh, invoice
 * PDF, revocation at lexoffice, reconnect, disconnect. Each step leaves a screenshot.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Page } from 'playwright-core'
import type { Sandbox } from '../../lib/sandbox'
import { connectViaSandbox } from '../helpers/connect'
import { WEBHOOK_EVENT_TYPES } from '../../example-app/src/startExample'
import { connectAndAllow, contactRows, refreshCountShown, text } from './helpers'

export interface FlowOptions {
  page: Page
  /** The URL the browser uses (the instance, or the proxy in front of several). */
  baseURL: string
  sandbox: Sandbox
  artifactsDir: string
  shot(name: string): Promise<void>
  /** Resolves when every instance's autoSubscribe run is over. */
  subscriptionsIdle(): Promise<void>
}

/** Runs the flow; on a failure, a screenshot of the page as it was (`NN-FAILED.png`) comes first. */
export async function runFullFlow(options: FlowOptions): Promise<void> {
  try {
    await steps(options)
  } catch (err) {
    await options.shot('FAILED').catch(() => undefined)
    throw err
  }
}

async function steps({ page, baseURL, sandbox, artifactsDir, shot, subscriptionsIdle }: FlowOptions): Promise<void> {
  const webhookURL = `${baseURL}/webhooks/lexoffice`
  // 1. Connect: home → consent page → Allow → home, signed in with the sandbox's user and company.
  await page.goto(`${baseURL}/`)
  await page.getByTestId('connect').waitFor()
  await shot('home-signed-out')
  await connectAndAllow(page, baseURL, sandbox, 'connect', shot)
  expect(await text(page, 'user-name')).toContain(sandbox.user.userName)
  expect(await text(page, 'company')).toBe(sandbox.organization.companyName)
  expect(sandbox.connections().filter((c) => c.state === 'active')).toHaveLength(1)
  const firstConnection = sandbox.connections().find((c) => c.state === 'active')!.connectionId
  await shot('home-signed-in')

  // 1b. The app subscribed to its webhooks after the connect; the events page lists them.
  await subscriptionsIdle()
  await expectSubscriptions(page, baseURL, sandbox, firstConnection, webhookURL)
  await shot('events-subscriptions')

  // 2. Contacts, two pages.
  expect(await contactRows(page, baseURL)).toBeGreaterThan(0)
  const firstPage = await page.locator('[data-testid=contacts] tbody').innerText()
  await shot('contacts')
  await page.getByTestId('next-page').click()
  await page.waitForURL(`${baseURL}/contacts?page=1`)
  expect(await page.locator('[data-testid=contacts] tbody').innerText()).not.toBe(firstPage)

  // 3. The access token expires at lexoffice (the app's sandbox button); data still loads
  //    because the app refreshed, and the home page shows the refresh.
  await page.goto(`${baseURL}/`)
  const countBefore = await refreshCountShown(page)
  const refreshCallsBefore = sandbox.tokenCalls('refresh_token')
  await page.getByTestId('sandbox-expire').click()
  await page.waitForURL(`${baseURL}/`)
  await page.getByTestId('flash').waitFor()
  await shot('access-token-expired')
  expect(await contactRows(page, baseURL)).toBeGreaterThan(0)
  expect(sandbox.tokenCalls('refresh_token')).toBeGreaterThan(refreshCallsBefore)
  await page.goto(`${baseURL}/`)
  expect(await refreshCountShown(page)).toBeGreaterThan(countBefore)
  expect(await text(page, 'last-refresh')).not.toBe('not yet')
  await shot('home-after-refresh')

  // 4. An invoice PDF downloads and is a PDF.
  await page.goto(`${baseURL}/invoices`)
  await page.getByTestId('invoices').waitFor()
  await shot('invoices')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pdf').first().click()])
  const saved = path.join(artifactsDir, 'invoice.pdf')
  await download.saveAs(saved)
  expect((await readFile(saved)).subarray(0, 5).toString('latin1')).toBe('%PDF-')

  // 5. The user revokes the connection in lexoffice (the sandbox button). lexoffice's signed
  //    token.revoked webhook reaches the app, which marks the connection lost at once: the home
  //    page says so without any API call, and so does the next page that needs lexoffice.
  await page.goto(`${baseURL}/`)
  await page.getByTestId('sandbox-revoke').click()
  await page.waitForURL(`${baseURL}/`)
  expect(sandbox.connections().find((c) => c.connectionId === firstConnection)?.state).toBe('revoked')
  await sandbox.webhooksIdle()
  expect(sandbox.webhookDeliveries.filter((d) => d.eventType === 'token.revoked').map((d) => d.outcome)).toEqual(['delivered'])
  expect(sandbox.api.subscriptions(firstConnection)).toEqual([])
  const apiCallsBefore = sandbox.requests.filter((r) => r.path.startsWith('/v1/') || r.path === '/oauth2/token').length
  await page.goto(`${baseURL}/`)
  await page.getByTestId('connection-lost').waitFor()
  expect(await page.getByTestId('connection-lost').innerText()).toContain('lexoffice connection lost - reconnect')
  await shot('home-connection-lost')
  await page.goto(`${baseURL}/contacts`)
  await page.getByText('lexoffice connection lost - reconnect').first().waitFor()
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
  expect(active[0]!.connectionId).not.toBe(firstConnection)
  expect(await contactRows(page, baseURL)).toBeGreaterThan(0)
  await shot('contacts-after-reconnect')
  await subscriptionsIdle()
  await expectSubscriptions(page, baseURL, sandbox, active[0]!.connectionId, webhookURL)

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
    sandbox.connections().find((c) => c.state === 'active' && c.connectionId !== active[0]!.connectionId)!.connectionId,
  )
  await sandbox.webhooksIdle()
  await page.goto(`${baseURL}/events`)
  await page.getByTestId('events').getByText(contactId).waitFor()
  expect(await page.getByTestId('events').innerText()).toMatch(new RegExp(`contact\\.created\\s+${contactId}`))
  await shot('events-contact-created')

  // 7. Disconnect: the app revokes its tokens at lexoffice and signs the user out.
  await page.goto(`${baseURL}/`)
  await page.getByTestId('disconnect').click()
  await page.waitForURL(`${baseURL}/`)
  await page.getByTestId('connect').waitFor()
  expect(await text(page, 'flash')).toContain('disconnected')
  expect(sandbox.connections().find((c) => c.connectionId === active[0]!.connectionId)?.state).toBe('revoked')
  expect(sandbox.connections().filter((c) => c.state === 'active')).toHaveLength(0)
  await shot('disconnected')
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

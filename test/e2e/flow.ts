/**
 * The example app's whole story in a browser, shared by the single-instance and the
 * two-instance tests: connect, consent, profile, contacts, token expiry and refresh, invoice
 * PDF, revocation at lexoffice, reconnect, disconnect. Each step leaves a screenshot.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Page } from 'playwright-core'
import type { Sandbox } from '../../lib/sandbox'
import { connectAndAllow, contactRows, refreshCountShown, text } from './helpers'

export interface FlowOptions {
  page: Page
  /** The URL the browser uses (the instance, or the proxy in front of several). */
  baseURL: string
  sandbox: Sandbox
  artifactsDir: string
  shot(name: string): Promise<void>
}

export async function runFullFlow({ page, baseURL, sandbox, artifactsDir, shot }: FlowOptions): Promise<void> {
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

  // 5. The user revokes the connection in lexoffice (the sandbox button): the next page that
  //    needs lexoffice says so and offers to reconnect; so does the home page afterwards.
  await page.goto(`${baseURL}/`)
  await page.getByTestId('sandbox-revoke').click()
  await page.waitForURL(`${baseURL}/`)
  expect(sandbox.connections().find((c) => c.connectionId === firstConnection)?.state).toBe('revoked')
  await sandbox.webhooksIdle()
  // Both tokens died with the connection; expiring the access token too makes sure the app
  // must refresh (and gets invalid_grant) even if a webhook did not mark the connection lost.
  sandbox.expireAccessTokens(firstConnection)
  await page.goto(`${baseURL}/contacts`)
  await page.getByText('lexoffice connection lost - reconnect').first().waitFor()
  await shot('connection-lost')
  await page.goto(`${baseURL}/`)
  await page.getByTestId('connection-lost').waitFor()
  expect(await page.getByTestId('connection-lost').innerText()).toContain('lexoffice connection lost - reconnect')
  await shot('home-connection-lost')

  // 6. Reconnect: a new connection, data again.
  await connectAndAllow(page, baseURL, sandbox, 'reconnect', shot)
  expect(await page.getByTestId('connection-lost').count()).toBe(0)
  await page.getByTestId('token-state').waitFor()
  const active = sandbox.connections().filter((c) => c.state === 'active')
  expect(active).toHaveLength(1)
  expect(active[0]!.connectionId).not.toBe(firstConnection)
  expect(await contactRows(page, baseURL)).toBeGreaterThan(0)
  await shot('contacts-after-reconnect')

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

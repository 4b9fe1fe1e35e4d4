/**
 * The example app in a real browser (headless Chromium), one instance with in-memory sessions
 * and tokens on the built-in sandbox (three organisations, webhooks included). Screenshots of
 * every step go to test-artifacts/e2e/single/. Fails (never skips) when Chromium cannot start.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { readConfig } from '../../example-app/src/config'
import { connectViaSandbox } from '../helpers/connect'
import { type StartedExample, exampleSandboxOptions, startExample } from '../../example-app/src/startExample'
import { type FlowOptions, connectFlow, signInFlow, withFailureShot } from './flow'
import { allow, connectAndAllow, contactRows, demoLogin, launchChromium, screenshots, text } from './helpers'

jest.setTimeout(120_000)

let browser: Browser
let context: BrowserContext
let page: Page
let sandbox: Sandbox
let app: StartedExample
const shots = screenshots('single')
/** What beforeAll started, closed in reverse order (also after a failed start). */
const started: Array<() => Promise<unknown>> = []

beforeAll(async () => {
  browser = await launchChromium()
  started.push(() => browser.close())
  sandbox = await createSandbox(exampleSandboxOptions({ webhooks: { retryDelaysMs: [20, 50] } }))
  started.push(() => sandbox.close())
  app = await startExample(readConfig({ PORT: '0' }), { sandbox })
  started.push(() => app.close())
})

afterAll(async () => {
  for (const close of started.reverse()) await close()
})

beforeEach(async () => {
  context = await browser.newContext({ acceptDownloads: true })
  page = await context.newPage()
})

afterEach(async () => {
  await context.close()
})

function flowOptions(name: string): FlowOptions {
  return {
    page,
    baseURL: app.baseURL,
    sandbox,
    artifactsDir: shots.dir,
    shot: (step) => shots.shot(page, `${name}-${step}`),
    subscriptionsIdle: () => app.subscriptions!.idle(),
  }
}

test('sign in with lexoffice: consent, profile, contacts, refresh after expiry, invoice PDF, revoke, reconnect, disconnect', async () => {
  await withFailureShot(flowOptions('signin'), signInFlow)
})

test('connect lexoffice: a user of the own login connects two organisations, switches, loses one, disconnects', async () => {
  await withFailureShot(flowOptions('connect'), connectFlow)
})

test('the consent page names the app once; Deny gets a page that says what happened and how to go on', async () => {
  await page.goto(`${app.baseURL}/`)
  await page.getByTestId('connect').click()
  await page.waitForSelector('button[name=decision][value=deny]')
  const consent = await page.locator('main').innerText()
  expect(consent.match(/passport-lexoffice example/g)).toHaveLength(1)
  expect(consent).not.toContain('Sandbox Demo App')
  await shots.shot(page, 'consent-page')
  await page.click('button[name=decision][value=deny]')
  await page.getByTestId('error').waitFor()
  expect(await text(page, 'error')).toContain('lexoffice was not connected')
  expect(await text(page, 'error-message')).toContain('You chose “Deny”')
  expect(await text(page, 'error-message')).toContain('nothing was shared')
  await shots.shot(page, 'consent-denied')
  // "Try again" leads back to lexoffice's page, and Allow signs in.
  await page.getByTestId('error-link').click()
  await allow(page, sandbox)
  await page.getByTestId('user-name').waitFor()
})

test('pages are numbered from 1: past the end goes to the last page and says so; a bad number gets a 400 page', async () => {
  await page.goto(`${app.baseURL}/`)
  await connectAndAllow(page, app.baseURL, sandbox, 'connect', (name) => shots.shot(page, `pages-${name}`))
  await page.goto(`${app.baseURL}/contacts?page=99`)
  await page.waitForURL(/\/contacts\?page=\d+$/)
  const last = Number(new URL(page.url()).searchParams.get('page'))
  expect(last).toBeGreaterThan(1)
  expect(await text(page, 'page-info')).toBe(`Page ${last} of ${last}`)
  expect(await text(page, 'flash')).toBe(`There is no page 99: the list has ${last} pages. This is the last one.`)
  expect(await page.getByTestId('next-page').count()).toBe(0)
  await shots.shot(page, 'pages-past-the-end')
  for (const bad of ['abc', '0', '-1', '1.5']) {
    const answer = await page.goto(`${app.baseURL}/invoices?page=${bad}`)
    expect(answer?.status()).toBe(400)
    expect(await text(page, 'error')).toContain('No such page')
    expect(await page.getByTestId('error-link').getAttribute('href')).toBe('/invoices')
  }
  await shots.shot(page, 'pages-bad-number')
})

test('an empty events table says "none yet"; the first event replaces it without a reload', async () => {
  // An instance of its own: the other tests' events must not show here.
  const fresh = await startExample(readConfig({ PORT: '0' }), { sandbox })
  try {
    await demoLogin(page, fresh.baseURL, 'bob')
    await page.goto(`${fresh.baseURL}/events`)
    expect(await text(page, 'events-none')).toContain('None yet')
    expect(await text(page, 'subscriptions-unavailable')).toContain('not connected')
    await shots.shot(page, 'events-none-yet')
    // Bob connects an organisation and keeps the events page open; someone creates a contact there.
    await page.goto(`${fresh.baseURL}/`)
    await page.getByTestId('connect-organization').click()
    await allow(page, sandbox, 0)
    await page.waitForURL(`${fresh.baseURL}/`)
    await fresh.subscriptions!.idle()
    await page.goto(`${fresh.baseURL}/events`)
    await page.getByTestId('events-none').waitFor()
    sandbox.setAutoApprove(true)
    sandbox.useOrganization(sandbox.organization.organizationId)
    const writer = await connectViaSandbox(sandbox, undefined, 'contacts.write')
    sandbox.setAutoApprove(false)
    const created = await fetch(`${sandbox.url}/v1/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writer.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 0, roles: { customer: {} }, company: { name: 'First Event GmbH' } }),
    })
    const contactId = ((await created.json()) as { id: string }).id
    await page.getByTestId('events').getByText(contactId).waitFor()
    expect(await page.getByTestId('events-none').count()).toBe(0)
    await shots.shot(page, 'events-first-event')
  } finally {
    await fresh.close()
  }
})

test('times in the reader’s language and time zone, expiry as a relative time; favicon; PDF links styled as buttons', async () => {
  const german = await browser.newContext({ locale: 'de-DE', timezoneId: 'Europe/Berlin' })
  try {
    const p = await german.newPage()
    await p.goto(`${app.baseURL}/`)
    await p.getByTestId('connect').click()
    await allow(p, sandbox)
    await p.getByTestId('token-state').waitFor()
    // Rendered by the server from Accept-Language, then by the browser in its own zone.
    const expiry = await p.getByTestId('expires-in').locator('time').innerText()
    expect(expiry).toMatch(/^in \d+ Stunden$/)
    const connected = p.getByTestId('token-state').locator('time[data-format=datetime]')
    expect(await connected.innerText()).toMatch(/^\d{1,2}\.\d{1,2}\.\d{4}, \d{2}:\d{2}$/)
    expect(await connected.getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    await shots.shot(p, 'german-home')
    await p.goto(`${app.baseURL}/invoices`)
    expect(await p.locator('[data-testid=invoices] tbody tr time').first().innerText()).toMatch(/^\d{1,2}\.\d{1,2}\.\d{4}$/)
    expect(await p.locator('[data-testid=invoices] tbody').innerText()).toMatch(/\d\s?€/)
    const pdf = p.getByTestId('pdf').first()
    const style = await pdf.evaluate((el) => {
      const s = getComputedStyle(el)
      return { border: s.borderTopStyle, radius: s.borderTopLeftRadius, decoration: s.textDecorationLine }
    })
    expect(style).toEqual({ border: 'solid', radius: '6px', decoration: 'none' })
    await shots.shot(p, 'german-invoices')
    const icon = await p.request.get(`${app.baseURL}/favicon.ico`)
    expect(icon.status()).toBe(200)
    expect(icon.headers()['content-type']).toMatch(/^image\//)
  } finally {
    await german.close()
  }
})

test('without webhooks, a revoked connection shows up at the next API call (refresh gets invalid_grant); reconnect works', async () => {
  const quiet = await createSandbox(exampleSandboxOptions({ webhooks: { enabled: false } }))
  const other = await startExample(readConfig({ PORT: '0' }), { sandbox: quiet })
  try {
    await page.goto(`${other.baseURL}/`)
    await connectAndAllow(page, other.baseURL, quiet, 'connect', (name) => shots.shot(page, `no-webhooks-${name}`))
    await other.subscriptions!.idle()
    await page.getByTestId('sandbox-revoke').click()
    await page.waitForURL(`${other.baseURL}/`)
    // Nobody told the app yet, and the page says so.
    expect(await text(page, 'flash')).toContain('finds out at its next API call')
    expect(await text(page, 'state-badge')).toBe('active')
    const refreshes = quiet.tokenCalls('refresh_token')
    await page.goto(`${other.baseURL}/contacts`)
    await page.getByText('lexoffice connection lost - reconnect').first().waitFor()
    expect(quiet.tokenCalls('refresh_token')).toBe(refreshes + 1)
    await shots.shot(page, 'no-webhooks-connection-lost')
    await page.goto(`${other.baseURL}/`)
    expect(await text(page, 'state-badge')).toBe('lost')
    await connectAndAllow(page, other.baseURL, quiet, 'reconnect', (name) => shots.shot(page, `no-webhooks-${name}`))
    expect(await contactRows(page, other.baseURL)).toBeGreaterThan(0)
  } finally {
    await other.close()
    await quiet.close()
  }
})

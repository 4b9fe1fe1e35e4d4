/**
 * The example app in a real browser (headless Chromium), one instance with in-memory sessions
 * and tokens on the built-in sandbox, whose access tokens live 3 seconds, webhooks included. Screenshots of every
 * step go to test-artifacts/e2e/single/. Fails (never skips) when Chromium cannot start.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { readConfig } from '../../example-app/src/config'
import { type StartedExample, startExample } from '../../example-app/src/startExample'
import { runFullFlow } from './flow'
import { connectAndAllow, contactRows, launchChromium, screenshots } from './helpers'

jest.setTimeout(120_000)

let browser: Browser
let context: BrowserContext
let page: Page
let sandbox: Sandbox
let app: StartedExample
const shots = screenshots('single')

beforeAll(async () => {
  browser = await launchChromium()
  sandbox = await createSandbox({ accessTokenTtlSeconds: 3, webhooks: { retryDelaysMs: [20, 50] } })
  app = await startExample(readConfig({ PORT: '0' }), { sandbox })
})

afterAll(async () => {
  await browser?.close()
  await app?.close()
  await sandbox?.close()
})

beforeEach(async () => {
  context = await browser.newContext({ acceptDownloads: true })
  page = await context.newPage()
})

afterEach(async () => {
  await context?.close()
})

test('connect, consent, profile, contacts, refresh after expiry, invoice PDF, revoke, reconnect, disconnect', async () => {
  await runFullFlow({
    page,
    baseURL: app.baseURL,
    sandbox,
    artifactsDir: shots.dir,
    shot: (name) => shots.shot(page, name),
    subscriptionsIdle: () => app.subscriptions!.idle(),
  })
})

test('the consent page can be denied: the app says the login did not complete', async () => {
  await page.goto(`${app.baseURL}/`)
  await page.getByTestId('connect').click()
  await page.waitForSelector('button[name=decision][value=deny]')
  await page.click('button[name=decision][value=deny]')
  await page.waitForURL((url) => url.href.startsWith(`${app.baseURL}/?login=failed`))
  await page.getByTestId('connect').waitFor()
  expect(await page.getByTestId('flash').innerText()).toContain('did not complete')
  await shots.shot(page, 'consent-denied')
})

test('without webhooks, a revoked connection shows up at the next API call (refresh gets invalid_grant); reconnect works', async () => {
  const quiet = await createSandbox({ webhooks: { enabled: false } })
  const other = await startExample(readConfig({ PORT: '0' }), { sandbox: quiet })
  try {
    await page.goto(`${other.baseURL}/`)
    await connectAndAllow(page, other.baseURL, quiet, 'connect', (name) => shots.shot(page, `no-webhooks-${name}`))
    await other.subscriptions!.idle()
    const connectionId = quiet.connections().find((c) => c.state === 'active')!.connectionId
    await page.getByTestId('sandbox-revoke').click()
    await page.waitForURL(`${other.baseURL}/`)
    // Nobody told the app yet: the home page still shows the stored state.
    await page.getByTestId('token-state').waitFor()
    expect(await page.getByTestId('connection-lost').count()).toBe(0)
    const refreshes = quiet.tokenCalls('refresh_token')
    await page.goto(`${other.baseURL}/contacts`)
    await page.getByText('lexoffice connection lost - reconnect').first().waitFor()
    expect(quiet.tokenCalls('refresh_token')).toBe(refreshes + 1)
    expect(await other.manager.tokenInfo(connectionId)).toMatchObject({ state: 'lost' })
    await shots.shot(page, 'no-webhooks-connection-lost')
    await page.goto(`${other.baseURL}/`)
    await page.getByTestId('connection-lost').waitFor()
    await connectAndAllow(page, other.baseURL, quiet, 'reconnect', (name) => shots.shot(page, `no-webhooks-${name}`))
    expect(await contactRows(page, other.baseURL)).toBeGreaterThan(0)
  } finally {
    await other.close()
    await quiet.close()
  }
})

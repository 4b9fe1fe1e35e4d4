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
import { launchChromium, screenshots } from './helpers'

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

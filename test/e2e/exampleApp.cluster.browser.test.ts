/**
 * Two instances of the example app sharing Redis (sessions, tokens, events) and one sandbox,
 * behind a round-robin proxy on port 0 that is their common public base URL (and OAuth
 * callback): the browser logs in through whichever instance and continues on the other.
 * Also: after the access token expires, requests on both instances cause exactly one refresh.
 * Keys live under a unique prefix per run and are deleted afterwards.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { readConfig } from '../../example-app/src/config'
import { type StartedExample, startExample } from '../../example-app/src/startExample'
import { runFullFlow } from './flow'
import {
  REDIS_URL,
  type RoundRobinProxy,
  connectAndAllow,
  contactRows,
  deleteRedisKeys,
  launchChromium,
  refreshCountShown,
  screenshots,
  startRoundRobinProxy,
} from './helpers'

jest.setTimeout(120_000)

const prefix = `lexoffice-e2e-${randomUUID()}:`
let browser: Browser
let context: BrowserContext
let page: Page
let sandbox: Sandbox
let proxy: RoundRobinProxy
let a: StartedExample
let b: StartedExample
const shots = screenshots('cluster')

beforeAll(async () => {
  browser = await launchChromium()
  // Long-lived access tokens: every refresh in these tests is one the test caused.
  sandbox = await createSandbox({ webhooks: { retryDelaysMs: [20, 50] } })
  proxy = await startRoundRobinProxy()
  const config = readConfig({
    PORT: '0',
    BASE_URL: proxy.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
  })
  a = await startExample(config, { sandbox })
  b = await startExample(config, { sandbox })
  proxy.targets = [direct(a), direct(b)]
})

afterAll(async () => {
  await browser?.close()
  await a?.close()
  await b?.close()
  await proxy?.close()
  await sandbox?.close()
  await deleteRedisKeys(prefix)
})

beforeEach(async () => {
  context = await browser.newContext({ acceptDownloads: true })
  page = await context.newPage()
})

afterEach(async () => {
  await context?.close()
})

/** An instance's own address on 127.0.0.1 (not the shared base URL). */
function direct(instance: StartedExample): string {
  return instance.listenURL.replace('//localhost:', '//127.0.0.1:')
}

test('the whole flow through a proxy alternating between two instances', async () => {
  await runFullFlow({
    page,
    baseURL: proxy.url,
    sandbox,
    artifactsDir: shots.dir,
    shot: (name) => shots.shot(page, name),
    subscriptionsIdle: async () => {
      await Promise.all([a.subscriptions!.idle(), b.subscriptions!.idle()])
    },
  })

  // The OAuth callback was answered by one instance and the next page by the other, which knew
  // the user: the login (PKCE verifier, state, session) lives in Redis, not in one process.
  const callback = proxy.log.findIndex((e) => e.path === '/auth/lexoffice/callback')
  expect(callback).toBeGreaterThanOrEqual(0)
  expect(proxy.log[callback + 1]).toMatchObject({ path: '/', target: 1 - proxy.log[callback]!.target })
  for (const target of [0, 1]) {
    expect(proxy.log.filter((e) => e.target === target && e.path === '/contacts').length).toBeGreaterThan(0)
  }
})

test('after an expiry, requests on both instances refresh exactly once; each instance sees the refresh', async () => {
  await page.goto(`${proxy.url}/`)
  await connectAndAllow(page, proxy.url, sandbox, 'connect', (name) => shots.shot(page, `refresh-${name}`))
  // The webhook subscriptions are created in the background after the connect; let them finish
  // so that every token call below is one this test caused.
  await Promise.all([a.subscriptions!.idle(), b.subscriptions!.idle()])
  const connection = sandbox.connections().find((c) => c.state === 'active')!
  const key = connection.connectionId
  expect(await a.manager.tokenInfo(key)).toMatchObject({ state: 'active', refreshCount: 0 })
  const cookie = (await context.cookies(proxy.url)).map((c) => `${c.name}=${c.value}`).join('; ')
  const get = async (instance: StartedExample, path: string): Promise<number> => {
    const res = await fetch(`${direct(instance)}${path}`, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' })
    const body = await res.text()
    if (res.status === 200) expect(body).toContain('data-testid="contacts"')
    return res.status
  }

  // Concurrent: four requests, two per instance, all with the expired access token.
  const before = sandbox.tokenCalls('refresh_token')
  sandbox.expireAccessTokens(key)
  expect(await Promise.all([get(a, '/contacts'), get(b, '/contacts'), get(a, '/contacts?page=1'), get(b, '/contacts?page=1')])).toEqual([
    200, 200, 200, 200,
  ])
  expect(sandbox.tokenCalls('refresh_token')).toBe(before + 1)
  expect(sandbox.connections().find((c) => c.connectionId === key)).toMatchObject({ state: 'active', refreshCount: 1 })
  expect(await a.manager.tokenInfo(key)).toMatchObject({ state: 'active', refreshCount: 1 })
  expect(await b.manager.tokenInfo(key)).toMatchObject({ state: 'active', refreshCount: 1 })

  // Sequential, in the browser: the next page (instance X) refreshes, the one after (instance Y)
  // uses the rotated token from Redis, and the home page shows one more refresh.
  sandbox.expireAccessTokens(key)
  const served = proxy.log.length
  expect(await contactRows(page, proxy.url)).toBeGreaterThan(0)
  expect(sandbox.tokenCalls('refresh_token')).toBe(before + 2)
  expect(await contactRows(page, proxy.url)).toBeGreaterThan(0)
  expect(sandbox.tokenCalls('refresh_token')).toBe(before + 2)
  expect(new Set(proxy.log.slice(served).map((e) => e.target))).toEqual(new Set([0, 1]))
  await page.goto(`${proxy.url}/`)
  expect(await refreshCountShown(page)).toBe(2)
  await page.goto(`${proxy.url}/`)
  expect(await refreshCountShown(page)).toBe(2)
  await shots.shot(page, 'refresh-seen-by-both')
  expect(sandbox.connections().find((c) => c.connectionId === key)).toMatchObject({ state: 'active', refreshCount: 2 })
})

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
import { type StartedExample, exampleSandboxOptions, startExample } from '../../example-app/src/startExample'
import { type FlowOptions, connectFlow, signInFlow, withFailureShot } from './flow'
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
/** What beforeAll started, closed in reverse order (also after a failed start). */
const started: Array<() => Promise<unknown>> = [() => deleteRedisKeys(prefix)]

beforeAll(async () => {
  browser = await launchChromium()
  started.push(() => browser.close())
  // Long-lived access tokens: every refresh in these tests is one the test caused.
  sandbox = await createSandbox(exampleSandboxOptions({ webhooks: { retryDelaysMs: [20, 50] } }))
  started.push(() => sandbox.close())
  proxy = await startRoundRobinProxy()
  started.push(() => proxy.close())
  const config = readConfig({
    PORT: '0',
    BASE_URL: proxy.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
  })
  a = await startExample(config, { sandbox })
  started.push(() => a.close())
  b = await startExample(config, { sandbox })
  started.push(() => b.close())
  proxy.targets = [direct(a), direct(b)]
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

/** An instance's own address on 127.0.0.1 (not the shared base URL). */
function direct(instance: StartedExample): string {
  return instance.listenURL.replace('//localhost:', '//127.0.0.1:')
}

function flowOptions(name: string): FlowOptions {
  return {
    page,
    baseURL: proxy.url,
    sandbox,
    artifactsDir: shots.dir,
    shot: (step) => shots.shot(page, `${name}-${step}`),
    subscriptionsIdle: async () => {
      await Promise.all([a.subscriptions!.idle(), b.subscriptions!.idle()])
    },
  }
}

test('sign in with lexoffice through a proxy alternating between two instances', async () => {
  await withFailureShot(flowOptions('signin'), signInFlow)

  // The OAuth callback was answered by one instance and the next page by the other, which knew
  // the user: the login (PKCE verifier, state, session) lives in Redis, not in one process.
  const callback = proxy.log.findIndex((e) => e.path === '/auth/lexoffice/callback')
  expect(callback).toBeGreaterThanOrEqual(0)
  expect(proxy.log[callback + 1]).toMatchObject({ path: '/', target: 1 - proxy.log[callback].target })
  for (const target of [0, 1]) {
    expect(proxy.log.filter((e) => e.target === target && e.path === '/contacts').length).toBeGreaterThan(0)
  }
})

test('connect lexoffice through a proxy alternating between two instances', async () => {
  const served = proxy.log.length
  await withFailureShot(flowOptions('connect'), connectFlow)
  // The connect callbacks were answered by either instance, and the next page by the other one.
  const log = proxy.log.slice(served)
  const callbacks = log.flatMap((e, i) => (e.path === '/lexoffice/callback' ? [i] : []))
  expect(callbacks.length).toBe(2)
  for (const i of callbacks) expect(log[i + 1]).toMatchObject({ path: '/', target: 1 - log[i].target })
})

test('after an expiry, requests on both instances refresh exactly once; each instance sees the refresh', async () => {
  await page.goto(`${proxy.url}/`)
  await connectAndAllow(page, proxy.url, sandbox, 'connect', (name) => shots.shot(page, `refresh-${name}`))
  // The webhook subscriptions are created in the background after the connect; let them finish
  // so that every token call below is one this test caused.
  await Promise.all([a.subscriptions!.idle(), b.subscriptions!.idle()])
  const connection = sandbox.connections().find((c) => c.state === 'active')!
  const [stored] = await a.lexoffice.manager.listConnections('user:')
  const key = stored.key
  expect(stored).toMatchObject({ connectionId: connection.connectionId })
  expect(await a.lexoffice.manager.tokenInfo(key)).toMatchObject({ state: 'active', refreshCount: 0 })
  const cookie = (await context.cookies(proxy.url)).map((c) => `${c.name}=${c.value}`).join('; ')
  const get = async (instance: StartedExample, path: string): Promise<number> => {
    const res = await fetch(`${direct(instance)}${path}`, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' })
    const body = await res.text()
    if (res.status === 200) expect(body).toContain('data-testid="contacts"')
    return res.status
  }

  // Concurrent: four requests, two per instance, all with the expired access token.
  const before = sandbox.tokenCalls('refresh_token')
  sandbox.expireAccessTokens(connection.connectionId)
  expect(await Promise.all([get(a, '/contacts'), get(b, '/contacts'), get(a, '/contacts?page=1'), get(b, '/contacts?page=1')])).toEqual([
    200, 200, 200, 200,
  ])
  expect(sandbox.tokenCalls('refresh_token')).toBe(before + 1)
  expect(sandbox.connections().find((c) => c.connectionId === connection.connectionId)).toMatchObject({ state: 'active', refreshCount: 1 })
  expect(await a.lexoffice.manager.tokenInfo(key)).toMatchObject({ state: 'active', refreshCount: 1 })
  expect(await b.lexoffice.manager.tokenInfo(key)).toMatchObject({ state: 'active', refreshCount: 1 })

  // Sequential, in the browser: the next page (instance X) refreshes, the one after (instance Y)
  // uses the rotated token from Redis, and the home page shows one more refresh.
  sandbox.expireAccessTokens(connection.connectionId)
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
  expect(sandbox.connections().find((c) => c.connectionId === connection.connectionId)).toMatchObject({ state: 'active', refreshCount: 2 })
})

/**
 * Shared pieces of the browser tests of the example app: Chromium, screenshots, a round-robin
 * proxy in front of several instances, Redis cleanup and the login flow steps.
 */
import { mkdirSync, rmSync } from 'node:fs'
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { type Browser, type Page, chromium } from 'playwright-core'
import { createClient } from 'redis'
import type { Sandbox } from '../../lib/sandbox'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'e2e')

/** Starts headless Chromium; throws (so the test fails, never skips) when it cannot start. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 20_000,
  })
}

/** Screenshots into test-artifacts/e2e/<run>/NN-<name>.png, numbered in the order taken. */
export function screenshots(run: string): { dir: string; shot(page: Page, name: string): Promise<void> } {
  const dir = path.join(ARTIFACTS, run)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  let n = 0
  return {
    dir,
    async shot(page, name) {
      n += 1
      await page.screenshot({ path: path.join(dir, `${String(n).padStart(2, '0')}-${name}.png`), fullPage: true })
    },
  }
}

/**
 * A tiny HTTP reverse proxy on port 0 that sends each request to the next target in turn.
 * Static files, the favicon and the events page's polling go to the first target and do not
 * count, so the pages and form posts strictly alternate A, B, A, B...
 */
export interface RoundRobinProxy {
  url: string
  /** The targets (base URLs); set them once the instances are listening. */
  targets: string[]
  /** Which target served each alternated request, in order: `{ target index, method, path }`. */
  log: Array<{ target: number; method: string; path: string }>
  close(): Promise<void>
}

export async function startRoundRobinProxy(): Promise<RoundRobinProxy> {
  let next = 0
  const proxy: RoundRobinProxy = { url: '', targets: [], log: [], close: () => Promise.resolve() }
  const server: Server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    if (proxy.targets.length === 0) {
      res.writeHead(503).end('no targets')
      return
    }
    const pathname = (req.url ?? '/').split('?')[0]
    const pinned = pathname.startsWith('/public/') || pathname === '/favicon.ico' || pathname === '/events.json'
    const index = pinned ? 0 : next
    if (!pinned) {
      next = (next + 1) % proxy.targets.length
      proxy.log.push({ target: index, method: req.method ?? 'GET', path: pathname })
    }
    const target = new URL(req.url ?? '/', proxy.targets[index])
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.url = `http://localhost:${(server.address() as AddressInfo).port}`
  proxy.close = async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return proxy
}

/** Deletes every Redis key under `prefix` (the test run's own keys). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = createClient({ url: REDIS_URL })
  await redis.connect()
  try {
    const keys: string[] = []
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...([] as string[]).concat(batch))
    if (keys.length > 0) await redis.del(keys)
  } finally {
    await redis.quit()
  }
}

export async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().innerText()).trim()
}

export async function refreshCountShown(page: Page): Promise<number> {
  const value = Number(await text(page, 'refresh-count'))
  if (!Number.isInteger(value)) throw new Error('refresh count is not shown as a number')
  return value
}

/** The access token expiry the home page shows (its `data-expires-at`, ms since the epoch). */
export async function expiryShown(page: Page): Promise<number> {
  return Number(await page.getByTestId('expires-in').first().getAttribute('data-expires-at'))
}

/** On lexoffice's (the sandbox's) consent page: picks an organisation (by index) when offered, then Allow. */
export async function allow(page: Page, sandbox: Sandbox, organization?: number): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(sandbox.endpoints.authorizationURL))
  await page.waitForSelector('button[name=decision][value=allow]')
  if (organization !== undefined) await page.selectOption('#organization', { index: organization })
  await page.click('button[name=decision][value=allow]')
}

/** Home → "Sign in with lexoffice" (or "Reconnect") → consent page → Allow → home, signed in. */
export async function connectAndAllow(
  page: Page,
  baseURL: string,
  sandbox: Sandbox,
  startTestId: 'connect' | 'reconnect',
  shot: (name: string) => Promise<void>,
): Promise<void> {
  await page.getByTestId(startTestId).first().click()
  await page.waitForURL((url) => url.href.startsWith(sandbox.endpoints.authorizationURL))
  await page.waitForSelector('button[name=decision][value=allow]')
  await shot(`consent-${startTestId}`)
  await allow(page, sandbox)
  await page.waitForURL(`${baseURL}/`)
  await page.getByTestId('user-name').waitFor()
}

/** Signs in with the app's own demo login as `user` (alice or bob). */
export async function demoLogin(page: Page, baseURL: string, user: 'alice' | 'bob'): Promise<void> {
  await page.goto(`${baseURL}/`)
  await page.getByTestId('demo-login').click()
  await page.getByTestId(`login-${user}`).click()
  await page.waitForURL(`${baseURL}/`)
  await page.getByTestId('connect-organization').waitFor()
}

/** A demo user connects the sandbox organisation at `index` (consent page choice); back on the home page. */
export async function connectOrganization(page: Page, baseURL: string, sandbox: Sandbox, index: number): Promise<void> {
  await page.goto(`${baseURL}/`)
  await page.getByTestId('connect-organization').click()
  await allow(page, sandbox, index)
  await page.waitForURL(`${baseURL}/`)
}

/** The section of the home page that shows one organisation's connection. */
export function connectionCard(page: Page, organizationId: string): ReturnType<Page['locator']> {
  return page.locator(`[data-testid=connection][data-organization="${organizationId}"]`)
}

/** Opens /contacts and returns how many rows the table shows. */
export async function contactRows(page: Page, baseURL: string): Promise<number> {
  const answer = await page.goto(`${baseURL}/contacts`)
  if (answer?.status() !== 200) throw new Error(`/contacts answered ${String(answer?.status())}`)
  await page.getByTestId('contacts').waitFor()
  return page.locator('[data-testid=contacts] tbody tr').count()
}

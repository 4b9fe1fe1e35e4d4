/**
 * Attacks on the example app's routes, with sessions, tokens and events in Redis (as in a
 * deployment): flooding the session store with cookieless requests, open redirects through
 * `returnTo`, path traversal out of /public, and form posts without the session's CSRF token.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import request from 'supertest'
import { readConfig } from '../../example-app/src/config'
import { type StartedExample, startExample } from '../../example-app/src/startExample'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { REDIS_URL, deleteRedisKeys } from '../e2e/helpers'
import { connectRedis } from '../client/helpers/redis'
import { expectNoInternals, signedInAgent, unpaced } from '../exampleApp/helpers'
import { useSecretScan } from './helpers/secretScan'

const prefix = `lexoffice-security-routes-${randomUUID()}:`
const SESSION_SECRET = randomBytes(32).toString('base64url')
const scan = useSecretScan()
let sandbox: Sandbox
let app: StartedExample

beforeAll(async () => {
  sandbox = await createSandbox({ autoApprove: true, api: { rateLimit: false } })
  app = await startExample(readConfig({ PORT: '0', REDIS_URL, REDIS_PREFIX: prefix, SESSION_SECRET }), unpaced(sandbox))
  scan.watch(app.server).secrets(SESSION_SECRET, () => sandbox.knownSecrets())
})
afterAll(async () => {
  await app.close()
  await sandbox.close()
  await deleteRedisKeys(prefix)
})

async function sessionKeys(): Promise<number> {
  const redis = await connectRedis()
  try {
    return (await redis.keys(`${prefix}sess:*`)).length
  } finally {
    redis.disconnect()
  }
}

describe('session store flooding', () => {
  test('1000 cookieless GETs (pages, 404s, static files, JSON) store no session and set no cookie', async () => {
    const before = await sessionKeys()
    const paths = [
      '/',
      '/no-such-page',
      '/public/style.css',
      '/contacts',
      '/events.json',
      `/invoices/${randomUUID()}/pdf`,
      '/?login=failed',
    ]
    let cookies = 0
    for (let i = 0; i < 1000; i++) {
      const res = await request(app.listenURL)
        .get(paths[i % paths.length] ?? '/')
        .set('accept', i % 2 ? 'application/json' : 'text/html')
      expect(res.status).toBeLessThan(500)
      if (res.headers['set-cookie']) cookies++
    }
    expect(cookies).toBe(0)
    expect((await sessionKeys()) - before).toBe(0)
  })

  test('a session is stored when it is needed: a login starts, and a signed-in page renders its forms', async () => {
    const before = await sessionKeys()
    const agent = await signedInAgent(app)
    expect(await sessionKeys()).toBe(before + 1)
    const home = await agent.get('/').expect(200)
    expect(home.text).toMatch(/name="_csrf" value="[\w-]{20,}"/)
  })
})

describe('CSRF', () => {
  test.each(['/logout', '/disconnect', '/sandbox/revoke', '/sandbox/expire'])(
    'a cross-site form post to %s without a session is refused and stores nothing',
    async (path) => {
      const before = await sessionKeys()
      const res = await request(app.listenURL).post(path).type('form').send({ _csrf: 'guessed-token-value-1234567890' })
      expect(res.status).toBeGreaterThanOrEqual(300)
      expect(res.status).toBeLessThan(500)
      expect(res.status).not.toBe(303)
      expect(await sessionKeys()).toBe(before)
    },
  )
})

describe('open redirects through returnTo', () => {
  test.each([
    '//evil.example',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '/%0d%0aSet-Cookie:%20x=1',
    '%2F%2Fevil.example',
  ])('returnTo=%s ends on / after the login', async (returnTo) => {
    const agent = request.agent(app.listenURL)
    const start = await agent.get(`/auth/lexoffice?returnTo=${encodeURIComponent(returnTo)}`).expect(302)
    const authorize = await fetch(start.headers.location, { redirect: 'manual' })
    const callback = new URL(authorize.headers.get('location')!)
    const back = await agent.get(`${callback.pathname}${callback.search}`).expect(302)
    expect(back.headers.location).toBe('/')
    expect(String(back.headers['set-cookie'] as unknown)).not.toMatch(/x=1/)
  })

  test('a same-origin path is kept', async () => {
    const agent = request.agent(app.listenURL)
    const start = await agent.get('/auth/lexoffice?returnTo=%2Fcontacts').expect(302)
    const authorize = await fetch(start.headers.location, { redirect: 'manual' })
    const callback = new URL(authorize.headers.get('location')!)
    await agent.get(`${callback.pathname}${callback.search}`).expect(302).expect('location', '/contacts')
  })
})

describe('path traversal', () => {
  test.each([
    '/public/../package.json',
    '/public/%2e%2e/package.json',
    '/public/..%2fpackage.json',
    '/public/%2e%2e%2f%2e%2e%2fpackage.json',
    '/public/..%5c..%5cpackage.json',
    '/public/%252e%252e/package.json',
    '/public/style.css%00.png',
    '/public/../src/config.ts',
  ])('GET %s never serves a file outside /public', async (path) => {
    const res = await request(app.listenURL).get(path).set('accept', 'text/html')
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
    expect(res.text).not.toContain('"name": "passport-lexoffice"')
    expect(res.text).not.toContain('readConfig')
    expectNoInternals(res.text)
  })
})

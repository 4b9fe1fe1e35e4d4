/**
 * The README's Quick start and its connect-mode example, run verbatim as a user would run them
 * (a child process, imports by package name, configured only through the environment that
 * `npx passport-lexoffice sandbox` prints) against the sandbox: login, API call, logout, revoke
 * then reconnect.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import request from 'supertest'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { stopChild } from '../helpers/stopChild'

const ROOT = path.resolve(__dirname, '..', '..')
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')

/** The ```ts block right after the README heading `heading`. */
function blockAfter(heading: string): string {
  const at = README.indexOf(`\n${heading}\n`)
  if (at === -1) throw new Error(`README has no heading "${heading}"`)
  const match = /```ts\n([\s\S]*?)```/.exec(README.slice(at))
  if (!match) throw new Error(`README has no ts block after "${heading}"`)
  return match[1]
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Every program started, killed after the tests even when a start failed half-way. */
const children: ChildProcess[] = []

interface Running {
  url: string
  child: ChildProcess
  output: () => string
}

/** Runs `code` like `npx tsx app.ts` in the environment the sandbox command prints. */
async function run(code: string, sandbox: Sandbox, name: string): Promise<Running> {
  const dir = path.join(ROOT, 'test-artifacts', 'readme')
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${name}.ts`)
  fs.writeFileSync(file, code)
  const port = await freePort()
  const url = `http://localhost:${port}`
  for (const p of ['/auth/lexoffice/callback', '/lexoffice/callback']) sandbox.addRedirectUri(`${url}${p}`)
  let out = ''
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/children/usePackageSource.js'), file], {
    env: {
      PATH: process.env.PATH,
      LEXOFFICE_CLIENT_ID: sandbox.client.clientID,
      LEXOFFICE_CLIENT_SECRET: sandbox.client.clientSecret,
      LEXOFFICE_AUTH_URL: sandbox.url,
      LEXOFFICE_API_URL: sandbox.url,
      BASE_URL: url,
      SESSION_SECRET: 'readme-test-session-secret',
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  // Wait until the app accepts connections (or exits); ts-node compiles the package first.
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${name} program exited: ${out}`)
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(() => resolve(true)))
      socket.on('error', () => resolve(false))
    })
    if (up) break
    if (Date.now() > deadline) throw new Error(`the ${name} program did not listen: ${out}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return { url, child, output: () => out }
}

async function stop(running: Running | undefined): Promise<void> {
  if (running) await stopChild(running.child)
}

/** Follows the login redirects through the auto-approving sandbox; resolves where the app sends the browser last. */
async function login(agent: ReturnType<typeof request.agent>, start: string): Promise<string> {
  const toLexoffice = await agent.get(start).set('accept', 'text/html')
  expect(toLexoffice.status).toBe(302)
  const consent = await fetch(toLexoffice.headers.location, { redirect: 'manual' })
  const callback = new URL(consent.headers.get('location')!)
  const back = await agent.get(callback.pathname + callback.search).set('accept', 'text/html')
  expect(back.status).toBe(302)
  return back.headers.location
}

let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await createSandbox({ autoApprove: true })
})
afterAll(async () => {
  await Promise.all(children.map((child) => stopChild(child)))
  await sandbox.close()
})

describe('README Quick start, verbatim', () => {
  const code = blockAfter('## Quick start')
  let app: Running | undefined
  afterEach(() => stop(app))

  it('is a complete program of at most 30 non-blank lines that gives the client secret once and listens', () => {
    expect(code.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(30)
    expect(code).toMatch(/^import /)
    expect(code).toContain('app.listen(')
    expect(code.match(/clientSecret|CLIENT_SECRET/g) ?? []).toHaveLength(1)
  })

  it('signs in, calls the API, logs out; after a revoke it explains and reconnects', async () => {
    app = await run(code, sandbox, 'quick-start')
    const agent = request.agent(app.url)
    const first = await agent.get('/').set('accept', 'text/html')
    expect(first.status).toBe(302)
    expect(first.headers.location).toBe('/auth/lexoffice?returnTo=%2F')
    expect(await login(agent, first.headers.location)).toBe('/')
    const home = await agent.get('/')
    expect(home.status).toBe(200)
    expect(home.body.user).toMatchObject({ organizationId: sandbox.organization.organizationId })
    expect(home.body.contacts.length).toBeGreaterThan(0)

    const out = await agent.post('/auth/lexoffice/logout').set({ origin: app.url, accept: 'text/html' })
    expect(out.status).toBe(303)
    expect((await agent.get('/').set('accept', 'application/json')).body.code).toBe('NOT_CONNECTED')

    await login(agent, '/auth/lexoffice')
    const connectionId = (await agent.get('/')).body.user.connectionId as string
    sandbox.revokeConnection(connectionId)
    const lost = await agent.get('/').set('accept', 'application/json')
    expect(lost.status).toBe(401)
    expect(lost.body).toMatchObject({ error: 'lexoffice_auth_lost', code: 'AUTH_LOST' })
    expect(lost.text).not.toMatch(/\.ts:\d+/)
    const page = await agent.get('/').set('accept', 'text/html')
    expect(page.status).toBe(302)
    const explained = await agent.get(page.headers.location).set('accept', 'text/html')
    expect(explained.text).toContain('Connect lexoffice again')
    await login(agent, '/auth/lexoffice?returnTo=/')
    expect((await agent.get('/')).status).toBe(200)
    expect(app.output()).not.toContain(sandbox.client.clientSecret)
  }, 120_000)
})

describe('README connect mode, verbatim', () => {
  const code = blockAfter('## Connect lexoffice to your own users')
  let app: Running | undefined
  afterEach(() => stop(app))

  it('is short and complete', () => {
    expect(code.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(30)
    expect(code).toContain('app.listen(')
  })

  it('a signed-in user connects lexoffice, lists it, disconnects it', async () => {
    app = await run(code, sandbox, 'connect-mode')
    const agent = request.agent(app.url)
    expect((await agent.get('/').set('accept', 'application/json')).body.error).toBe('unauthenticated')
    expect((await agent.post('/login?as=alice')).status).toBe(302)
    const first = await agent.get('/').set('accept', 'text/html')
    expect(first.headers.location).toBe('/lexoffice/connect?returnTo=%2F')
    expect(await login(agent, first.headers.location)).toBe('/')
    const invoices = await agent.get('/')
    expect(invoices.status).toBe(200)
    expect(Array.isArray(invoices.body.content)).toBe(true)
    const { connections } = (await agent.get('/lexoffice/connections')).body
    expect(connections).toEqual([expect.objectContaining({ organizationId: sandbox.organization.organizationId, state: 'active' })])
    const gone = await agent
      .post('/lexoffice/disconnect')
      .type('form')
      .send({ connection: sandbox.organization.organizationId })
      .set('origin', app.url)
    expect(gone.status).toBe(200)
    expect(gone.body).toEqual({ revoked: true })
    expect((await agent.get('/lexoffice/connections')).body.connections).toEqual([])
  }, 120_000)
})

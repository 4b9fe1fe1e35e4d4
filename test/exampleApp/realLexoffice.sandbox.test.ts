/**
 * The example app with LEXOFFICE_CLIENT_ID set: no embedded sandbox, the configuration comes from
 * the same variables `createLexoffice` reads. A sandbox of its own stands in for lexoffice here,
 * through LEXOFFICE_AUTH_URL / LEXOFFICE_API_URL, as `npx passport-lexoffice sandbox` prints them.
 */
import request from 'supertest'
import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { readConfig } from '../../example-app/src/config'
import { type StartedExample, startExample } from '../../example-app/src/startExample'

let lexoffice: Sandbox
let app: StartedExample | undefined

beforeAll(async () => {
  lexoffice = await createSandbox({ autoApprove: true })
})

afterAll(async () => {
  await app?.close()
  await lexoffice.close()
})

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    LEXOFFICE_CLIENT_ID: lexoffice.client.clientID,
    LEXOFFICE_CLIENT_SECRET: lexoffice.client.clientSecret,
    LEXOFFICE_AUTH_URL: lexoffice.url,
    LEXOFFICE_API_URL: lexoffice.url,
    LEXOFFICE_SCOPE: 'profile.read contacts.read',
    ...extra,
  }
}

test('signs in against the lexoffice the variables name, and shows its data; no sandbox buttons, no sandbox', async () => {
  const config = readConfig(env())
  expect(config.embeddedSandbox).toBe(false)
  app = await startExample(config)
  expect(app.sandbox).toBeUndefined()
  expect(app.backendLabel).toBe(`lexoffice at ${lexoffice.url}, in memory`)
  // lexoffice only calls https webhook URLs: no subscriptions for an http app.
  expect(app.subscriptions).toBeUndefined()
  lexoffice.addRedirectUri(`${app.baseURL}/auth/lexoffice/callback`)

  const agent = request.agent(app.listenURL)
  const start = await agent.get('/auth/lexoffice').expect(302)
  const authorize = new URL(start.headers.location)
  expect(authorize.origin).toBe(lexoffice.url)
  expect(authorize.searchParams.get('scope')).toBe('profile.read contacts.read')
  expect(authorize.searchParams.get('connection_name')).toBe('passport-lexoffice example')
  const answer = await fetch(authorize, { redirect: 'manual' })
  const callback = new URL(answer.headers.get('location')!)
  await agent.get(`${callback.pathname}${callback.search}`).expect(302).expect('location', '/')
  const home = await agent.get('/').expect(200)
  expect(home.text).toContain('data-testid="token-state"')
  expect(home.text).not.toContain('sandbox-revoke')
  const contacts = await agent.get('/contacts').set('accept', 'text/html').expect(200)
  expect(contacts.text).toContain('data-testid="contacts"')
  await agent.post('/sandbox/revoke').type('form').send({}).expect(403)
})

test("a bad lexoffice variable stops the start with createLexoffice's message, naming the variable", async () => {
  await expect(startExample(readConfig(env({ LEXOFFICE_CLIENT_SECRET: '' })))).rejects.toThrow(/LEXOFFICE_CLIENT_SECRET/)
  await expect(startExample(readConfig(env({ LEXOFFICE_ENV: 'staging', LEXOFFICE_AUTH_URL: '', LEXOFFICE_API_URL: '' })))).rejects.toThrow(
    /LEXOFFICE_ENV/,
  )
})

import { createSandbox, type Sandbox } from '../../lib/sandbox'
import { REDIRECT, login, profile, refresh } from './helpers'

describe('sandbox: end-to-end flow', () => {
  let sandbox: Sandbox
  beforeEach(async () => {
    sandbox = await createSandbox({ autoApprove: true })
    sandbox.addRedirectUri(REDIRECT)
  })
  afterEach(() => sandbox.close())

  it('authorizes, exchanges the code, calls /v1/profile, refreshes with rotation', async () => {
    const tokens = await login(sandbox)
    expect(tokens.token_type).toBe('bearer')
    expect(tokens.expires_in).toBe(14_400)
    expect(tokens.refresh_token).toHaveLength(128)
    expect(tokens.scope).toBe('profile.read contacts.read')

    const res = await profile(sandbox, tokens.access_token)
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    const [conn] = sandbox.connections()
    expect(body).toMatchObject({
      organizationId: sandbox.organization.organizationId,
      companyName: 'Musterfirma GmbH (Sandbox)',
      connectionId: conn.connectionId,
      taxType: 'net',
      smallBusiness: false,
      businessFeatures: ['INVOICING'],
      created: { userId: sandbox.user.userId, userName: sandbox.user.userName, userEmail: sandbox.user.userEmail },
    })
    expect((body.created as { date: string }).date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/)

    const r2 = await refresh(sandbox, tokens.refresh_token)
    expect(r2.status).toBe(200)
    const rotated = (await r2.json()) as { access_token: string; refresh_token: string }
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token)
    expect(rotated.access_token).not.toBe(tokens.access_token)
    expect((await profile(sandbox, tokens.access_token)).status).toBe(401)
    expect((await profile(sandbox, rotated.access_token)).status).toBe(200)
    expect(sandbox.connections()[0].refreshCount).toBe(1)
  })
})

/**
 * Compile-time checks of the strategy's public typing (run by `tsc --noEmit`), imported from the
 * package's entry point, plus the matching runtime behaviour: `verify` infers its parameters, the
 * old options-object form and a verify that is not a function are refused.
 */
import type { IncomingMessage } from 'node:http'
import {
  type LexofficeAuthInfo,
  type LexofficeConnection,
  type LexofficeUser,
  type LexofficeVerify,
  LexofficeStrategy,
  createLexoffice,
} from 'passport-lexoffice'

const env = {
  LEXOFFICE_CLIENT_ID: 'id',
  LEXOFFICE_CLIENT_SECRET: 'secret',
  BASE_URL: 'https://app.example',
  LEXOFFICE_SCOPE: 'profile.read',
}

describe('LexofficeStrategy typing', () => {
  it('infers the verify parameters, sync or async, from the constructor and the configuration', () => {
    const lexoffice = createLexoffice({ env, verify: (connection) => ({ id: connection.key }) })
    const sync = new LexofficeStrategy(lexoffice, (connection, req) => {
      const org: string = connection.organizationId
      const company: string | undefined = connection.companyName
      const email: string | undefined = connection.user.email
      const url: string | undefined = req.url
      return { org, company, email, url }
    })
    const refusing = new LexofficeStrategy(lexoffice, (connection) =>
      Promise.resolve(connection.scope?.includes('contacts.read') ? connection : false),
    )
    const typed: LexofficeVerify = (connection: LexofficeConnection, req: IncomingMessage) => ({
      id: connection.user.id,
      ip: req.socket.remoteAddress,
    })
    expect([sync, refusing, new LexofficeStrategy(lexoffice, typed), lexoffice.strategy].map((s) => s.name)).toEqual([
      'lexoffice',
      'lexoffice',
      'lexoffice',
      'lexoffice',
    ])
  })

  it('types the default user and the auth info', () => {
    const user: LexofficeUser = { id: 'u', organizationId: 'o', connectionId: 'c', connectionKey: 'user:o:u' }
    const info: LexofficeAuthInfo = {
      returnTo: '/',
      connection: { key: user.connectionKey, organizationId: 'o', connectionId: 'c', user: { id: 'u' }, connectedAt: 0 },
    }
    expect(info.connection.key).toBe(user.connectionKey)
  })

  it('refuses a verify that is not a function, and the old options-object form, with a TypeError', () => {
    const lexoffice = createLexoffice({ env })
    // @ts-expect-error verify must be a function
    expect(() => new LexofficeStrategy(lexoffice, 'verify')).toThrow(TypeError)
    // @ts-expect-error the options form of 0.1 is gone: the strategy takes the configuration
    const oldForm = () => new LexofficeStrategy({ clientID: 'id', clientSecret: 'secret', callbackURL: 'https://app.example/cb' })
    expect(oldForm).toThrow(TypeError)
    expect(oldForm).toThrow(/createLexoffice/)
    // @ts-expect-error scope is a string or an array of strings
    expect(() => createLexoffice({ env, scope: 42 })).toThrow(TypeError)
  })

  it("is named 'lexoffice' and exposes the configured session key", () => {
    expect(new LexofficeStrategy(createLexoffice({ env, sessionKey: 'lx' })).sessionKey).toBe('lx')
  })
})

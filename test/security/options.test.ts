/**
 * Options that collide with what they live next to: a `sessionKey` that names a member of
 * express-session's session object or of `Object.prototype` (`__proto__` killed the process on the
 * first login, `save` meant no session was ever saved), and shared token stores without a decision
 * about encryption at rest.
 */
import session from 'express-session'
import { createLexoffice } from '../../lib/config/Lexoffice'
import { useSecretScan } from './helpers/secretScan'
import { thrown } from './helpers/thrown'

const base = {
  clientID: 'client',
  clientSecret: 'secret-for-options-test',
  baseURL: 'https://app.example.com',
  scope: ['profile.read'],
  env: {},
}
const scan = useSecretScan().secrets(base.clientSecret)

/** Every member a session object has: its own (id, cookie, req) and express-session's methods. */
function sessionMembers(): string[] {
  const proto = (session as unknown as { Session: { prototype: object } }).Session.prototype
  return [...Object.getOwnPropertyNames(proto), 'id', 'cookie', 'req']
}

describe('sessionKey', () => {
  test.each([...new Set([...sessionMembers(), ...Object.getOwnPropertyNames(Object.prototype), 'passport', 'returnTo', 'messages'])])(
    'refuses %p with a TypeError naming the option',
    (sessionKey) => {
      const err = thrown(() => createLexoffice({ ...base, sessionKey }))
      scan.record('error', `${JSON.stringify(err)} ${String(err)}`)
      expect(err).toMatchObject({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_VALUE',
        message: expect.stringContaining('sessionKey') as unknown,
      })
    },
  )

  test.each(['lexoffice', 'oauth2:lexoffice', 'lexoffice-sandbox', 'lexoffice_2'])('accepts %p', (sessionKey) => {
    expect(createLexoffice({ ...base, sessionKey }).strategy.sessionKey).toBe(sessionKey)
  })
})

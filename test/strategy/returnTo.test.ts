import { sanitizeReturnTo } from '../../lib/strategy/returnTo'

describe('sanitizeReturnTo', () => {
  it.each(['/', '/invoices', '/invoices?page=2&sort=date', '/a/b#frag', '/%C3%A4pfel'])('accepts %s', (value) => {
    expect(sanitizeReturnTo(value)).toBe(value)
  })

  it.each([
    ['protocol-relative', '//evil.com'],
    ['backslash trick', '/\\evil.com'],
    ['backslash later', '/foo\\..\\\\evil.com'],
    ['absolute https', 'https://evil.com'],
    ['absolute http', 'http://evil.com/x'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['data scheme', 'data:text/html,x'],
    ['encoded CRLF', '%0d%0a/'],
    ['encoded CRLF in path', '/foo%0d%0aSet-Cookie:x'],
    ['raw CRLF', '/foo\r\nLocation: https://evil.com'],
    ['leading control char', '\t//evil.com'],
    ['tab inside', '/\t/evil.com'],
    ['encoded slash', '/%2fevil.com'],
    ['encoded backslash', '/%5cevil.com'],
    ['relative without slash', 'evil.com'],
    ['empty', ''],
    ['too long', '/' + 'a'.repeat(5000)],
  ])('rejects %s', (_name, value) => {
    expect(sanitizeReturnTo(value)).toBeUndefined()
  })

  it.each([[['/a', '/b']], [{ a: 1 }], [42], [null], [undefined]])('rejects non-strings (%p)', (value) => {
    expect(sanitizeReturnTo(value)).toBeUndefined()
  })
})
